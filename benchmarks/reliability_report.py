"""Regenerate ``docs/RELIABILITY.md`` (reliability and security) with real figures, in one command:

    .venv/bin/python benchmarks/reliability_report.py [--scale 12] [--sessions 5] [--rounds 3] [--train-seconds 20]

It runs the reliability and hardening tests (:data:`TEST_FILES`) once, through pytest in a subprocess, with
environment variables that scale their work:

* ``GTVVIZ_RELIABILITY_SCALE``: the number of examples of every numerical property
  (``tests/test_reliability_numerics.py``), times this factor;
* ``GTVVIZ_RELIABILITY_SESSIONS``, ``_ROUNDS``, ``_TRAIN_SECONDS``, ``_ALONE_SECONDS``: the concurrent-sessions
  measurement (``tests/test_reliability_browser.py``);
* ``GTVVIZ_RELIABILITY_OUT``: a temporary folder where the tests write what they observed, as JSON (the
  ``observations`` fixture of ``tests/conftest.py``: outcome counts and features of the numerical cases, the
  sessions measurement, the bad link parameters).

Then it reads that JSON and pytest's junit XML and writes the report; the prose around the figures is in this file.
Every check is defined once, in the tests: this script only chooses how much work they do and tabulates what they
saw. The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "RELIABILITY.md"
#: The test files the report runs, in this order.
TEST_FILES = ["tests/test_reliability_numerics.py", "tests/test_reliability_app.py",
              "tests/test_reliability_browser.py", "tests/test_hardening_pyg.py", "tests/test_hardening_memory.py",
              "tests/test_hardening_inputs.py", "tests/test_hardening_app.py", "tests/test_data_hostile.py"]
#: What each test file checks, for the report's table.
FILE_TOPICS = {
    "test_reliability_numerics": "numerical properties on random graphs and settings (hypothesis)",
    "test_reliability_app": "hostile links, faults in a training tick, uploads (AppTest)",
    "test_reliability_browser": "many users at once, reloads, hostile links, uploads (real server, Chromium)",
    "test_hardening_pyg": "PyG dataset folders with code payloads (processed and raw)",
    "test_hardening_memory": "memory and CPU attacks, measured in a fresh interpreter (< 5 s, < 500 MB)",
    "test_hardening_inputs": "duplicate ids, escaping exceptions, special files, types, terminal output",
    "test_hardening_app": "the app's data root, error details, huge widths from a link or the form",
    "test_data_hostile": "malformed and hostile files in every format (pickles, XML entities, paths)",
}
#: The numerical properties, by test name: what the cases are, and a short name.
PROPERTIES = {
    "test_losses_and_their_gradients_are_finite": ("loss terms and gradients", "loss"),
    "test_gtvconv_output_and_gradients_are_finite": ("GTVConv output and gradients", "layer"),
    "test_training_stays_finite_or_stops_cleanly": ("training runs (1-3 layers, 2-6 epochs)", "training"),
    "test_deep_longer_training_stays_finite_or_stops_cleanly": (
        "deep, longer training runs (1-8 layers, 10-40 epochs)", "deep training"),
}


# ------------------------------------------------------------------------------------------------- running
def run_tests(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Run :data:`TEST_FILES` with the scaling variables; return the junit rows, the observations and the status."""
    xml = folder / "results.xml"
    observed = folder / "observations"
    observed.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GTVVIZ_OFFLINE": "1",
           "GTVVIZ_RELIABILITY_OUT": str(observed), "GTVVIZ_RELIABILITY_SCALE": str(args.scale),
           "GTVVIZ_RELIABILITY_SESSIONS": str(args.sessions), "GTVVIZ_RELIABILITY_ROUNDS": str(args.rounds),
           "GTVVIZ_RELIABILITY_TRAIN_SECONDS": str(args.train_seconds),
           "GTVVIZ_RELIABILITY_ALONE_SECONDS": str(args.train_seconds)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               f"--junitxml={xml}", *TEST_FILES, *shlex.split(args.pytest_args)]
    print("running:", " ".join(command), flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, check=False, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    print(done.stdout[-4000:], done.stderr[-2000:], flush=True)
    rows = _junit_rows(xml) if xml.exists() else []
    observations = [json.loads(path.read_text()) for path in sorted(observed.glob("*.json"))]
    return {"rows": rows, "observations": {o["test"]: o for o in observations}, "returncode": done.returncode,
            "seconds": seconds, "tail": (done.stdout[-3000:] + done.stderr[-2000:]) if not rows else ""}


def _junit_rows(xml: Path) -> list[dict[str, Any]]:
    """One row per test case: file (module name), test, status, seconds and the message of a failure."""
    rows = []
    for case in ET.parse(xml).getroot().iter("testcase"):
        status, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                status, message = "FAILED", (child.get("message") or child.text or "")[:1500]
            elif child.tag == "skipped":
                status, message = "skipped", child.get("message") or ""
        rows.append({"file": case.get("classname", "").split(".")[-1], "test": case.get("name", ""),
                     "status": status, "seconds": float(case.get("time", 0.0)), "message": message})
    return rows


# ------------------------------------------------------------------------------------------------- tables
def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _row(tests: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in tests["rows"] if r["test"] == name), None)


def _observed(tests: dict[str, Any], name: str) -> dict[str, Any]:
    return next((o for test, o in tests["observations"].items() if test.split("::")[-1] == name), {})


def _failures_md(rows: list[dict[str, Any]]) -> list[str]:
    failed = [r for r in rows if r["status"] != "passed"]
    if not failed:
        return []
    lines = ["**Tests that did not pass:**", ""]
    for r in failed:
        lines += [f"- `{r['file']}::{r['test']}` ({r['status']}):", "", "  ```",
                  *("  " + line for line in r["message"].splitlines()[:25]), "  ```"]
    return lines + [""]


def numerics_md(tests: dict[str, Any]) -> list[str]:
    rows, total, failed, merged, diverged = [], 0, 0, collections.defaultdict(collections.Counter), []
    bound = None
    for name, (label, _) in PROPERTIES.items():
        seen, row = _observed(tests, name), _row(tests, name)
        if row is None:
            continue
        outcomes = seen.get("outcomes", {})
        cases = sum(outcomes.values())
        total, failed = total + cases, failed + outcomes.get("failed", 0)
        rows.append([f"{label} (`{name}`)", cases, outcomes.get("finite", 0), outcomes.get("rejected", 0),
                     outcomes.get("diverged", 0), outcomes.get("failed", 0), row["status"], f"{row['seconds']:.0f}"])
        for key, counts in seen.get("features", {}).items():
            merged[key].update(counts)
        diverged += seen.get("diverged", [])
        bound = seen.get("strict_log10_bound", bound)
    if not rows:
        return ["(not run this time)", ""]
    lines = [
        f"**{total:,} random cases, {failed} failures.** Outcomes: *finite* = every loss term, gradient and "
        "assignment stayed finite (for training: at every epoch, and the trainer's own gradient check never "
        "fired); *rejected* = K > N, refused up front by `build_trainer` with a `ConfigError` that says so (the "
        "expected outcome); *diverged* = a clean stop (`TrainingDivergedError`, last finite snapshot kept, further "
        "steps refused, Reset works), allowed only above the float32 overflow bound below; a *failure* is anything "
        "else (a NaN or inf that got through, a crash, an unclear stop, a divergence below the bound). A property "
        "stops at its first failure, as in CI, and hypothesis then shrinks the case (shown under the table).",
        "",
        _table(["property (test)", "cases", "finite", "rejected (K > N)", "diverged (clean stop)", "failures",
                "test", "seconds"], rows),
        "",
        *_failures_md([r for r in tests["rows"] if r["test"] in PROPERTIES]),
    ]
    if merged:
        lines += ["What the training cases covered (counts over both training properties):", ""]
        lines += [f"- **{key}**: " + ", ".join(f"{name} {count}" for name, count in counts.most_common())
                  for key, counts in merged.items()]
        lines.append("")
    if diverged:
        lines += [f"The {len(diverged)} clean stops (all above the bound):", ""]
        lines += [f"- `{d[:300]}`" for d in diverged[:15]] + [""]
    zone = merged.get("zone", {})
    below, above = zone.get("below the overflow bound", 0), zone.get("above the overflow bound", 0)
    lines += [
        "**The overflow bound.** A GTVConv message Gamma_ij (x_i - x_j) has a Jacobian of norm up to 2 w_ij / eps "
        "(where neighbours' features differ by less than eps), so a gradient can grow by 1 + 2 delta max_i "
        f"sum_j w_ij / eps per layer on its way back. Below 10^{bound if bound is not None else '?'} for the "
        "product over the layers (`STRICT_LOG10_BOUND` in the test file), every run must stay finite (a stop "
        "there counts as a failure); above it, float32 (max 3.4e38) can overflow, and the only acceptable outcome "
        f"besides finite is a clean stop. In this run {below} training cases fell below the bound and {above} "
        f"above it (rejected K > N cases included); {len(diverged)} of those above it stopped cleanly, the others "
        "stayed finite. Example from a link: `ring_of_cliques` (cliques: equal neighbour features), 8 layers, "
        "eps = 1e-8, delta = 10: the gradient overflows at epoch 1 and the run stops with \"Training diverged at "
        "epoch 1: a gradient became NaN or infinite; ... The last good snapshot is kept.\" (tested in the library, "
        "AppTest and the browser).",
        "",
    ]
    return lines


def sessions_md(tests: dict[str, Any]) -> list[str]:
    name = "test_five_concurrent_sessions_each_train_their_own_graph_and_memory_returns"
    row, result = _row(tests, name), _observed(tests, name).get("sessions")
    if row is None:
        return ["(not run this time)"]
    if result is None:
        return ["**The measurement failed:**", "", "```", row["message"][-3000:], "```"]
    base = result["baseline_mb"]
    rows = [[r["round"], r["sessions"], r["load_seconds"], r["train_seconds"],
             " / ".join(map(str, r["epochs_advanced"])), " / ".join(map(str, r["epochs_per_second"])),
             r["during_peak_mb"], r["after_mb"], f"{r['after_mb'] - base:+.1f}", r.get("lost_clicks", 0),
             "none" if not r["problems"] else "; ".join(r["problems"])] for r in result["rounds"]]
    held = row["status"] == "passed"
    returned = all(r["after_mb"] <= base + result["tolerance_mb"] for r in result["rounds"])
    sessions = result["rounds"][0]["sessions"] if result["rounds"] else 0
    alone = result.get("alone_epochs_per_second")
    return [
        f"**{sessions} concurrent sessions x {len(result['rounds'])} rounds: {'all held' if held else 'PROBLEMS'}; "
        f"memory {'returned to the baseline' if returned else 'did NOT return to the baseline'} (tolerance "
        f"{result['tolerance_mb']:.0f} MB).** Server RSS at start {result['server_started_mb']} MB (before any "
        f"session; torch not yet imported), baseline {base} MB (after a warm-up round identical to the measured ones, "
        "closed and cleaned up)."
        + (f" One session alone on the same server advanced {alone} epochs/s." if alone is not None else ""),
        "",
        _table(["round", "sessions", "page loads (s)", "training window (s)", "epochs advanced (each session)",
                "epochs/s (each)", "peak RSS during (MB)", "RSS after close + cleanup (MB)", "after - baseline (MB)",
                "Pause clicks repeated (lost under load)", "problems"], rows),
        "",
        f"Warm-up problems: {'; '.join(result['warmup_problems']) or 'none'}. Files the server left in its own "
        f"TMPDIR: {', '.join(result['server_tmp_leftovers']) or 'none'} (library import side effects, not user "
        "data: see D below).",
        "",
        "**How closed sessions are cleaned up.** Streamlit keeps a closed session (its `st.session_state`: here "
        "the graph, model, optimiser and history) for `server.disconnectedSessionTTL` seconds so that a reconnect "
        f"can resume it (Streamlit's default is 120 s, the repository's `.streamlit/config.toml` sets 30 s, the "
        f"test server {result['session_ttl_s']} s). Its session storage removes expired sessions only when it "
        "stores another one (the TTL cache reaps on write), so a closed session can stay in memory until the next "
        "user disconnects; the measurement therefore waits for the TTL and then makes one short visit. Expired "
        "sessions are dropped without `AppSession.shutdown()`, so their uploaded files and media references are "
        "not cleared by Streamlit either; " + _growth(result),
    ]


def _growth(result: dict[str, Any]) -> str:
    """What the rounds say about memory kept from round to round."""
    rounds = result["rounds"]
    if len(rounds) < 2:
        return "with one measured round, compare the reading after it with the baseline."
    change = rounds[-1]["after_mb"] - rounds[0]["after_mb"]
    return (f"from the first to the last round the memory after cleanup changed by {change:+.1f} MB over "
            f"{len(rounds) - 1} more rounds of {rounds[0]['sessions']} sessions, "
            + ("so closed sessions are not piling up." if change <= 10 * (len(rounds) - 1) else
               "which suggests closed sessions are piling up."))


def hostile_md(tests: dict[str, Any]) -> list[str]:
    def count(prefix: str) -> int:
        return sum(1 for r in tests["rows"] if r["test"].split("[")[0] == prefix)

    links = [o["bad_parameters"] for test, o in tests["observations"].items() if "bad_parameters" in o]
    parameters = {key for link in links for key in link}
    return [
        f"Links: {sum(map(len, links))} bad values of {len(parameters)} parameters (strings for numbers, out of "
        "range, NaN and inf, too many layers, unknown choices, 5,000-character values, markup, shell text) in "
        f"{len(links)} links; {count('test_unusable_links_open_the_default_run_with_a_message')} links that are "
        "valid field by field but cannot run (K > N, an absent device, unknown graphs, a generator over its "
        f"limit); {count('test_no_link_reaches_a_file')} values of `graph` that name files (absolute, relative, "
        "`..`, `~`, `file://`, Windows, percent-encoded, NUL, `pyg:`/`upload:` prefixes), with a real graph file "
        "planted in the working directory as bait: a Python audit hook records every file the process opens while "
        "the link is handled, and the bait is never opened. Uploads: 50 MB + 1 byte (AppTest, the library's "
        "message: \"larger than the limit of 50 MB\"; in the browser Streamlit refuses the file before sending "
        "it: \"File must be 50.0MB or smaller.\"), a 60-byte Matrix Market file declaring 5,000,001 nodes, and a "
        "good upload trained and downloaded in two formats while the audit hook records writes: nothing is written "
        "outside the temporary folder, which is gone afterwards; in the browser the server's own TMPDIR gains no "
        "file and the repository no file with the upload's name or content.",
        "",
        "Files and attacks: a PyG dataset folder whose `processed/` files (Planetoid and TU) or raw Planetoid "
        "pickles reduce to `eval` (the marker file the payload would write never appears); "
        f"{count('test_the_attack_is_refused_quickly_within_500_mb')} memory and CPU attacks (eight-layer 4096-wide links and models, Matrix Market and .npz files declaring millions of "
        "nodes or features, an .npz zip bomb, an .npz header claiming 10^12 elements, 10^6 features per JSON node, "
        "a label of 10,000), each refused or completed in a fresh interpreter in under 5 s and under 500 MB above "
        "its baseline; duplicate node ids, consecutive or not, in every format; inputs that Python, NumPy or SciPy "
        "would refuse with exceptions of their own (30-digit, 2^62 and uint64 labels, deeply nested GML, "
        "5,000-character paths, folders, binary files and `/dev/full` as `--config` or `--json`, seeds out of "
        "range; folders, devices, FIFOs and `/dev/zero` as graphs), each ending as a `GtvvizError`, exit status 2 "
        "with one line on stderr, before any training; float16 weights and 4,400-digit ids, which load; wrong "
        "types for every `RunConfig` field and estimator parameter; malformed and hostile files in all nine "
        "formats.",
    ]


def tests_md(tests: dict[str, Any]) -> list[str]:
    by_file: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    seconds: collections.Counter[str] = collections.Counter()
    for r in tests["rows"]:
        by_file[r["file"]][r["status"]] += 1
        seconds[r["file"]] += r["seconds"]
    rows = [[f"`tests/{name}.py`", FILE_TOPICS.get(name, ""), sum(counts.values()), counts.get("passed", 0),
             counts.get("FAILED", 0), counts.get("skipped", 0), f"{seconds[name]:.0f}"]
            for name, counts in by_file.items()]
    every = [[f"`{r['file']}::{r['test']}`", r["status"], f"{r['seconds']:.1f}"] for r in tests["rows"]]
    counts = collections.Counter(r["status"] for r in tests["rows"])
    lines = [f"pytest exit status {tests['returncode']}, {tests['seconds'] / 60:.0f} min wall: "
             + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".", ""]
    if tests["tail"]:
        lines += ["pytest wrote no results; its output ended with:", "", "```", tests["tail"], "```", ""]
    lines += [_table(["file", "what it checks", "tests", "passed", "failed", "skipped", "seconds"], rows), "",
              *_failures_md([r for r in tests["rows"] if r["test"] not in PROPERTIES]),
              "<details><summary>Every test, its result and its time</summary>", "",
              _table(["test", "result", "seconds"], every), "", "</details>"]
    return lines


# ------------------------------------------------------------------------------------------------- prose
DEFENCES = """## 5. The defences and where they live

What a faulty input or an attacker meets, layer by layer. Every limit below is a named constant or an environment
variable; a refusal is one sentence that names the limit and how to stay under it (or, for whoever runs gtvviz,
how to raise it).

### A. Errors, faults and messages

- **One error family.** Every failure a user can cause is a `GtvvizError` (`gtvviz/errors.py`), also a
  `ValueError`: `GraphFormatError` (a file, upload, container or dataset that is malformed, unsafe or too large),
  `ConfigError` (impossible settings, memory budget), `TrainingDivergedError`, `OutputError` (a result path that
  cannot be written) and `DistributedRunError`. `RunConfig` and the scikit-learn estimator check the type and
  range of every field, one message per wrong value, before any tensor exists.
- **CLI** (`gtvviz/cli/__init__.py`): a `GtvvizError`, an operating-system refusal of a path (`OSError`) or a
  `MemoryError` ends the command with exit status 2 and exactly one line on stderr, `gtvviz: error: ...`, never a
  traceback; usage errors are one line too. Python's, PyG's and SciPy's warnings are silenced for the command, and
  control characters in any message (a graph name with ANSI escapes) are escaped (`gtvviz/cli/output.py`,
  `terminal_text`). The `--json` path is checked before training starts, so a result is never computed and
  then lost.
- **App.** Every error a visitor can cause is one sentence next to the control that caused it (a bad link
  parameter falls back to its default with a warning, a graph that cannot be loaded leaves the previous graph and
  run, a setting over the budget is refused next to Reset); `.streamlit/config.toml` sets
  `client.showErrorDetails = "none"`, so a visitor never sees a traceback or an exception's text.
- **Faults in a training step** (`gtvviz_app/player.py`, `gtvviz_app/state.py`, `gtvviz/devices.py`,
  `gtvviz/train.py`). A step that raises pauses playing (the fragment's timer stops, so a lasting fault does not
  fail on every frame), logs the traceback for the server and shows one sentence: "Training paused at epoch N:
  the step failed ...; the graph, the run and its history are kept". A device error (`is_device_error`:
  `torch.OutOfMemoryError` on any device, or a `RuntimeError` on a device other than the CPU) also frees the
  CUDA cache and offers **Continue on CPU**, which moves the run with `Trainer.to("cpu")` (model, Adam's moments,
  inputs; epoch, history and snapshots kept), switches the settings and the link to `device=cpu` and goes on
  playing if it was; if the run cannot be moved, the message says so and Reset starts it again on the CPU. Any
  other exception gives the same message without the button (Step tries again, Reset starts over). A step that
  fails part of the way through leaves the epoch count exact: the next step redoes only what did not happen, so no
  optimiser step is taken twice or lost. The pooling page shares the player, so it pauses the same way.
- **Divergence.** A non-finite loss, gradient or assignment stops training with `TrainingDivergedError`, keeps the
  last finite snapshot and refuses further steps until Reset; features that overflow when row-normalised
  (about +-3e38) are refused before training starts ("Training cannot start: ...").

### B. Server settings for a classroom

- `.streamlit/config.toml` sets `server.disconnectedSessionTTL = 30`: a closed tab's session (graph, model,
  optimiser, history) is kept 30 s for a reconnect instead of Streamlit's 120 s; the app restores any run from
  its link anyway, so nothing is lost and memory is freed four times sooner when a class reloads or leaves.
- `server.maxUploadSize = 50` equals `gtvviz.data.limits.MAX_UPLOAD_BYTES` (50 MB): Streamlit refuses bigger files
  in the browser, the library refuses them with "larger than the limit of 50 MB" otherwise. Keep the two equal.
- `client.showErrorDetails = "none"` (see A); the file watcher is off.
- **The data root is the server's.** PyG datasets are picked by name only; the folder they are read from is
  `GTVVIZ_DATA_ROOT` (read when a session starts; else the user cache folder), never typed by a visitor
  (`gtvviz_app/source.py`).
- Run a shared server with `GTVVIZ_OFFLINE=1` unless the PyG datasets are wanted: otherwise a link such as
  `graph=pyg:Physics` makes the server download a dataset into its data root.
- Start it with `MALLOC_ARENA_MAX=2` (as `make app` does): Streamlit runs each session's script in its own thread
  and glibc gives each thread its own malloc arena, so memory freed by closed sessions stays scattered over many
  arenas and the server's RSS creeps up with every class. The many-users measurement above runs its server this
  way.
- The memory budget (C) applies to each run, and a shared server holds one run per open session: set
  `GTVVIZ_MEMORY_BUDGET_MB` in the server's environment to about the memory it can spare divided by the sessions
  expected at once. Visitors cannot change it. Classroom mode (`classroom=1` in the link a teacher hands out)
  shows only the samples: it simplifies the page, it restricts nothing (a visitor can drop it from the link).

### C. Files, datasets and sizes

- **PyG datasets never unpickle unsafely** (`gtvviz/data/pyg.py`). A `processed/` folder in the data root is never
  read, because PyG itself falls back to `torch.load(weights_only=False)` (which runs any code a pickle names) for
  a processed file with an unknown global. Instead the raw files (regular files only, within `MAX_FILE_BYTES` in
  all) are copied into a private temporary folder that gtvviz owns, PyG builds its processed file there, and the
  folder is deleted once the data is in memory; the data root is only read (downloads go to its `raw/` folders).
  Planetoid's raw files are pickles too: each is first unpickled with an allow-list (numpy arrays, SciPy CSR
  matrices, lists), so a raw file that names any other global is refused. Graph files in `.pt`/`.pth` load with
  `torch.load(weights_only=True)` and an allow-list of PyG's data classes; `.npz` archives are opened with
  `allow_pickle=False`; XML with a `DOCTYPE` or `ENTITY` declaration is refused before it reaches a parser.
- **Memory budget** (`gtvviz/budget.py`): the peak memory of a run (weights x 8 copies, node activations x 8,
  edge terms per layer, the input features, the chunks of the GTV Laplacian) is estimated from the sizes alone
  and checked before anything is allocated: the model part as soon as a link is read (`RunConfig.from_query`:
  huge widths fall back to the defaults with a message), the whole run in `build_trainer`, which every run goes
  through (CLI, library, the app's settings form, uploads, generators, datasets). The budget is
  6,144 MB (`DEFAULT_BUDGET_MB`) unless `GTVVIZ_MEMORY_BUDGET_MB` says otherwise; library and CLI users may raise
  it there, the message says how. `benchmarks/memory_budget.py` compares the estimate with measured peaks.
- **Size limits** (`gtvviz/data/limits.py`, with the graph's own in `gtvviz/graph.py`): 5,000,000 nodes and
  50,000,000 edges per graph; 50 MB per upload, 2 GB per file on disk (a read stops at the limit whatever `stat`
  says); 65,536 features per node and 300,000,000 dense feature entries; class labels up to 2^31 - 1, sparse
  class ids renumbered from 0 with a warning (and the metrics of `gtvviz/metrics.py` size their tables by the
  classes present, not by the largest label value); generators up to 2,000,000 nodes, 20,000,000 expected edges
  and 64,000,000 feature entries. Declared shapes, node counts and headers
  (Matrix Market sizes, `.npz` member headers, `attr_shape`) are checked against these limits before any
  allocation.
- **Special files** (`gtvviz/data/inputs.py`): a path is opened without blocking and checked on its descriptor, so
  a folder, a device (`/dev/zero`), a FIFO or a socket is refused before a byte is read; in the app, a link never
  names a file (only samples, generators, uploads and datasets by name).
- **Duplicate node ids** are an error in every format, naming the line or position of the repeat and of the first
  occurrence (`gtvviz/data/records.py`), whether the repeat follows at once or later, and whether the ids are
  equal as text (`1` and `"1"`).

### D. Known behaviour under load and side effects

- **Lost clicks under load.** When a click reaches the server while the run of the previous click (or a
  fragment rerun still queued after Pause) is going on, its effect can be lost, and occasionally the address-bar
  update of a run that did happen is lost (the next full rerun heals the link; a reload in that window restores
  the previous settings). The browser tests wait for each click's visible effect, as a person does, and the
  many-users measurement counts the Pause clicks it had to repeat.
- **One frame after Pause**: the epoch counter can still move by one tick after the Play button is back (a frame
  already in flight).
- `gtvviz/features.py: row_normalize` works in float32, so features near +-3.4e38 overflow there; such graphs are
  refused before training (A) rather than trained.
- The divergence message advises "lower the learning rate or the loss weights"; the overflows measured in section
  1 come from eps, delta and depth (raise eps, lower delta or use fewer layers).
- `gtvviz/nn/losses.py: asym_norm_loss` raises `IndexError` on an assignment with no rows (N = 0); `build_trainer`
  refuses empty graphs, so only a direct call with zero nodes meets it.
- Not user data: PyG writes its generated `propagate` module to `$TMPDIR` once per process (once per thread racing
  on the first model), torch creates `$TMPDIR/torchinductor_<user>`, and the live-graph component copies its
  frontend to `~/.cache/gtvviz` once. Uploads themselves never touch the disk.
"""


def write_report(args: argparse.Namespace, tests: dict[str, Any], seconds: float) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("torch", "streamlit"))
    command = shlex.join(["benchmarks/reliability_report.py", *sys.argv[1:]])
    cases = ", ".join(f"{sum(_observed(tests, name).get('outcomes', {}).values()):,} {short}"
                      for name, (_, short) in PROPERTIES.items())
    result = _observed(tests, "test_five_concurrent_sessions_each_train_their_own_graph_and_memory_returns")
    rounds = (result.get("sessions") or {}).get("rounds") or []
    sessions = (f"{rounds[0]['sessions']} concurrent sessions x {len(rounds)} rounds of {args.train_seconds:g} s"
                if rounds else "no sessions measurement")
    text = [
        "# Reliability and security",
        "",
        f"Generated by `.venv/bin/python {command}` on {dt.date.today().isoformat()} in {seconds / 60:.0f} min: "
        f"{platform.platform()}, Python {platform.python_version()}, {versions}, {os.cpu_count()} CPUs (load "
        f"average at the end: {load}; the machine is shared, so times are upper bounds). This run: the numerical "
        f"properties with {args.scale:g} times the examples of CI ({cases} cases), {sessions}, and the "
        f"{len(tests['rows'])} tests of {len(TEST_FILES)} files once. Every figure below comes from this run; "
        "rerun the command to refresh it.",
        "",
        "The checks live in the tests, which CI runs with fewer cases and one round (`pytest "
        + " ".join(TEST_FILES) + "`); this report runs the same tests with more work (environment variables "
        "described in the script) and tabulates what they observed. Sections 1 to 4 are measured; section 5 "
        "describes the defences in the code.",
        "",
        "## 1. Numerical robustness",
        "",
        "Random graphs: one node, isolated nodes, complete graphs, paths, stars, disjoint cliques, disconnected "
        "random graphs (up to 24 nodes; 16 for the deep runs); edge weights absent, log-uniform in [1e-6, 1e6], all "
        "1e-6, all 1e6, or 1e-6 and 1e6 mixed; features absent (the neighbourhood features), Gaussian, tiny (1e-6), "
        "huge (1e6), constant (every feature difference exactly 0, so Gamma = w / eps) or one-hot; labels or not. "
        "Random settings over the whole range `RunConfig` allows: K from 2 to N and N + 1, alpha1 and alpha2 in "
        "{0} and [1e-3, 100], delta in {0} and [1e-3, 10], eps in [1e-8, 1], learning rate in [1e-6, 1], widths 1 "
        "to 16, warm-up on or off (bounds drawn often). Loss cases: soft, sharp (logits x 1e4: exact 0 and 1), "
        "one-hot, uniform, single-cluster and sparse assignments, K from 2 to 12 with N from 1 (K > N, as when "
        "pooling), weights with zeros, batches with empty graphs. Layer cases: one GTVConv with inputs from 1e-6 "
        "to 1e6 or identical rows. The cases are derandomised: the same ones every run for a given count.",
        "",
        *numerics_md(tests),
        "## 2. Many users",
        "",
        "Each session is its own browser context (its own user) opening its own link: five different graphs "
        "(`karate`, `ring_of_cliques`, `les_miserables`, `bridged_communities` and the generated "
        "`sbm:sizes=25-25,seed=5`, cycled with new seeds beyond five sessions), each with its own seed and K, the "
        "app's default model (a real model in memory per session), all playing at once. Checked for every "
        "session: the sidebar names its own graph with its own node count and no other session's graph, its link "
        "keeps its own graph and seed, its epoch counter advances (every one, by at least 3 epochs; slow on a "
        "loaded machine is acceptable, stuck is not), and when one session pauses, it stops while every other one "
        "goes on. Memory is the server process's RSS (psutil), sampled every second during the round, and read "
        "after all the pages closed and the sessions were cleaned up.",
        "",
        *sessions_md(tests),
        "",
        "## 3. Faults and 4. Hostile input",
        "",
        *hostile_md(tests),
        "",
        *tests_md(tests),
        "",
        DEFENCES,
    ]
    return "\n".join(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=12.0,
                        help="examples of every numerical property, times CI's (CI: 250 loss, 150 layer, 100 "
                             "training and 15 deep training cases)")
    parser.add_argument("--sessions", type=int, default=5, help="concurrent browser sessions")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds of sessions")
    parser.add_argument("--train-seconds", type=float, default=20.0, help="training window of each round")
    parser.add_argument("--pytest-args", default="", help="more pytest arguments, e.g. \"-k 'not browser'\"")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tests = run_tests(args, Path(tmp))
    text = write_report(args, tests, time.perf_counter() - start)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0 if tests["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
