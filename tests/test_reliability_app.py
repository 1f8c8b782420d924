"""Reliability of the app (AppTest): hostile links, faults in a training tick, uploads and their limits.

* Links: every bad, out-of-range, unknown or path-like parameter falls back to its default with a message; the
  address bar is rewritten to the configuration actually run; and no link makes the server open a file (checked
  with a Python audit hook that records every file the process opens while the link is handled, with a graph file
  planted in the working directory as bait).
* Faults: a link whose settings overflow float32 stops with a message and the session stays usable; a tick that
  crashes once pauses with one message and leaves the graph, history and trainer intact; a device error (CUDA out
  of memory, a CUDA error) pauses with one message and a button that moves the run to the CPU and goes on.
* Uploads: the size limit and the graph size limit each give a message that names the limit, and an upload never
  writes to disk (audit hook again), the graph download's temporary folder included.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
import torch

from gtvviz import RunConfig
from gtvviz.data.limits import MAX_UPLOAD_BYTES
from gtvviz.graph import MAX_NODES
from gtvviz.data.samples import LANDING_SAMPLE
from gtvviz_app.state import landing_config
from tests.app_helpers import assert_clean, click, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SMALL = {"graph": "karate", "hidden": "16", "mlp": "8", "epochs": "200"}
SMALL_CONFIG = RunConfig(hidden=(16,), mlp=(8,), epochs=200)
#: A link whose settings make the gradient overflow float32 at the first step (see
#: tests/test_reliability_numerics.py::test_a_link_reachable_overflow_stops_cleanly).
DIVERGING_LINK = {"graph": "ring_of_cliques", "clusters": "6", "hidden": ",".join(["16"] * 8), "mlp": "8",
                  "eps": "1e-08", "delta": "10", "lr": "1", "epochs": "50", "device": "cpu"}

# ------------------------------------------------------------------------------------------------- audit hook
_RECORDING: list[tuple[str, str]] | None = None
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: Events that create or change files (deletions are not recorded: cleaning up a temporary folder removes files by
#: names relative to a folder descriptor).
_WRITE_EVENTS = {"os.rename", "os.replace", "os.mkdir", "os.truncate", "os.symlink", "os.link", "shutil.copyfile",
                 "shutil.copytree", "shutil.move", "shutil.unpack_archive"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDING is None:
        return
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int):
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and bool(flags & _WRITE_FLAGS))
        _RECORDING.append(("write" if writing else "read", os.fsdecode(path)))
    elif event in _WRITE_EVENTS and args:
        _RECORDING.append(("write", os.fsdecode(args[0]) if isinstance(args[0], (str, bytes, os.PathLike)) else ""))


if not getattr(sys, "_gtvviz_reliability_audit", False):  # audit hooks cannot be removed: install one per process
    sys.addaudithook(_audit)
    sys._gtvviz_reliability_audit = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def file_accesses() -> Iterator[list[tuple[str, str]]]:
    """Record ``(read|write, path)`` for every file this process opens, removes or renames inside the block."""
    global _RECORDING
    events: list[tuple[str, str]] = []
    _RECORDING = events
    try:
        yield events
    finally:
        _RECORDING = None


def _resolved(path: str) -> Path:
    return Path(os.path.abspath(os.path.expanduser(path)))


# ------------------------------------------------------------------------------------------------- links
#: Bad values of every link parameter: strings where numbers belong, numbers out of range or not finite, too many
#: layers, unknown choices, over-long values. Link ``i`` carries the ``i``-th bad value of every parameter (so one
#: session checks many parameters at once); each must fall back to its default with a message that names it.
BAD_VALUES: dict[str, list[str]] = {
    "clusters": ["abc", "1", "-3", "2.5", "9" * 400],
    "lr": ["fast", "0", "2", "nan", "-inf"],
    "epochs": ["ten", "0", "1e12", "1.5"],
    "seed": ["0x10", "-1", "2147483648", "1e400"],
    "alpha1": ["-1", "101", "inf"],
    "alpha2": ["1e9", "NaN", "--1"],
    "delta": ["11", "-0.1", "x"],
    "eps": ["0", "2", "1e-9"],
    "hidden": ["a,b", "0", "5000", "1,2,3,4,5,6,7,8,9", ""],
    "mlp": ["-1", "8,,x", "4097"],
    "warmup": ["-5", "1e6"],
    "device": ["tpu", "CUDA", "../cpu"],
    "method": ["evil", "TVGNN", "__import__('os')"],
    "graph": ["a" * 5000, "", "karate;rm -rf /", "<script>alert(1)</script>"],
    "colour": ["red"],
    "__proto__": ["x"],
}
HOSTILE_LINKS = [{key: values[i] for key, values in BAD_VALUES.items() if i < len(values)}
                 for i in range(max(map(len, BAD_VALUES.values())))]
#: Links whose values are valid one by one but cannot run (on this graph, on this machine, or at all): the whole
#: link falls back to the default run, with a message that says why.
UNUSABLE_LINKS: list[tuple[dict[str, str], str]] = [
    ({"clusters": "35"}, "more than the 34 nodes"),
    ({"device": "cuda"} if not torch.cuda.is_available() else {"device": "mps"}, "could not be used"),
    ({"graph": "nosuchgraph"}, "nosuchgraph"),
    ({"graph": "pyg:NoSuchSet"}, "could not be used"),
    ({"graph": "sbm:sizes=60000-60000"}, "limit"),
]


@pytest.mark.parametrize("query", HOSTILE_LINKS, ids=[f"link{i}" for i in range(len(HOSTILE_LINKS))])
def test_hostile_link_parameters_fall_back_to_defaults_with_messages(query: dict[str, str],
                                                                     observations: dict[str, Any]) -> None:
    observations["bad_parameters"] = sorted(query)  # (for the report: one bad value of each)
    at = start_app(query)
    assert_clean(at)
    assert state(at).run.config == landing_config()  # no usable graph in the link: the landing run
    warnings = " ".join(texts(at, "warning"))
    for key in query:
        assert repr(key) in warnings or f"{key}=" in warnings, f"no message names {key!r}: {warnings!r}"
    at.run()  # the address bar now holds the configuration actually run
    assert dict(at.query_params) == landing_config().to_query()


@pytest.mark.parametrize("query,words", UNUSABLE_LINKS, ids=[str(q) for q, _ in UNUSABLE_LINKS])
def test_unusable_links_open_the_default_run_with_a_message(query: dict[str, str], words: str) -> None:
    at = start_app({**SMALL, "seed": "3", **query})
    assert_clean(at)
    assert state(at).run.config == landing_config()
    assert words in " ".join(texts(at, "warning"))


@pytest.fixture
def bait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid graph file in the working directory (a fresh folder), where a link might try to reach it."""
    path = tmp_path / "bait.csv"
    path.write_text("source,target\n" + "".join(f"{i},{i + 1}\n" for i in range(49)))
    monkeypatch.chdir(tmp_path)
    return path


#: Link values of ``graph`` that name files; ``BAIT`` becomes the absolute path of a planted graph file, and
#: ``bait.csv`` is that file in the working directory.
PATH_LINKS = ["BAIT", "bait.csv", "./bait.csv", "../bait.csv", "bait", "/etc/passwd", "../../../../etc/passwd",
              "file:///etc/passwd", "~/.ssh/id_rsa", "sample_graphs/karate.json", "karate.json", "..\\bait.csv",
              "C:\\Windows\\win.ini", "%2Fetc%2Fpasswd", "pyg:../../bait", "pyg:bait", "/proc/self/environ",
              "bait.csv\x00.json", "upload:../bait.csv", "upload:bait.csv", "csv:bait.csv", "sbm:../bait.csv"]
#: The ones also opened in a whole app session (AppTest); every one is checked through the app's loading code.
APP_PATH_LINKS = ["BAIT", "bait.csv", "../../../../etc/passwd", "file:///etc/passwd", "upload:bait.csv"]


def _graph_value(value: str, bait: Path) -> str:
    return str(bait) if value == "BAIT" else value


def _assert_never_opened(value: str, bait: Path, events: list[tuple[str, str]]) -> None:
    named = {_resolved(value.split("\x00")[0]), bait.resolve()}
    opened = {_resolved(path) for _, path in events}
    assert not named & opened, f"the link made the server open {named & opened}"
    assert not any(Path(path).name in ("passwd", "id_rsa", "win.ini", "environ", "bait") for _, path in events)


@pytest.mark.parametrize("value", PATH_LINKS)
def test_no_link_reaches_a_file(value: str, bait: Path) -> None:
    """The app's path from a link to a graph (``RunConfig.from_query``, then ``gtvviz_app.state.graph_for``, as
    ``gtvviz_app.state.get_state`` does) refuses every path, and never opens the file it names."""
    from gtvviz.errors import GtvvizError
    from gtvviz_app.state import graph_for

    value = _graph_value(value, bait)
    with file_accesses() as events:
        config, messages = RunConfig.from_query({"graph": value})
        try:
            graph, _ = graph_for(config, None, "")
        except GtvvizError as err:  # a name that looks like a source but is none: refused with a message
            messages.append(str(err))
            graph = None
    assert messages, "a path in a link must give a message"
    assert graph is None or (config.graph == "karate" and graph.name == "karate")
    _assert_never_opened(value, bait, events)


@pytest.mark.parametrize("value", APP_PATH_LINKS)
def test_a_link_to_a_file_opens_the_default_run_with_a_message(value: str, bait: Path) -> None:
    value = _graph_value(value, bait)
    with file_accesses() as events:
        at = start_app({**SMALL, "graph": value})
    assert_clean(at)
    st = state(at)
    assert st.run.config.graph == LANDING_SAMPLE and st.run.graph.name == LANDING_SAMPLE
    assert any("graph" in text or "upload" in text for text in texts(at, "warning"))
    _assert_never_opened(value, bait, events)


# ------------------------------------------------------------------------------------------------- faults
def test_a_diverging_link_shows_a_message_and_the_session_stays_usable() -> None:
    at = start_app(DIVERGING_LINK)
    assert_clean(at)
    click(at, "Play")  # the fragment's first run is a training tick: the gradient overflows at epoch 1
    assert_clean(at)
    st = state(at)
    assert not st.playing and "diverged at epoch 1" in st.run.error
    assert any("diverged" in text for text in texts(at, "error"))
    assert st.run.latest.epoch == 0 and np.isfinite(st.run.latest.s).all()
    for label in ("Step", "Play", "Step 10"):  # further ticks repeat the message, never a traceback
        click(at, label)
        assert_clean(at)
        assert not state(at).playing and state(at).run.latest.epoch == 0
    at.run()
    reloaded = start_app(dict(at.query_params))  # a reload restores the same settings, at epoch 0
    assert state(reloaded).run.config == state(at).run.config and state(reloaded).run.latest.epoch == 0
    at.number_input(key="cfg.eps").set_value(1e-3).run()  # milder settings: the same session trains again
    at.text_input(key="cfg.hidden").set_value("16,16").run()
    click(at, "Step 10")
    assert_clean(at)
    st = state(at)
    assert st.run.latest.epoch == 10 and not st.run.error and st.run.graph.name == "ring_of_cliques"
    assert not any("diverged" in text for text in texts(at, "error"))


def _crash_once(trainer: Any, error: BaseException) -> None:
    """Make the trainer's next ``step`` raise ``error`` (as a device error would, mid-tick); later steps work."""
    real = trainer.step

    def step(n: int = 1) -> Iterator[Any]:
        del trainer.step  # back to the real method for the next tick
        raise error
        yield from real(n)  # pragma: no cover  (makes this a generator, like the real step)

    trainer.step = step


def test_a_tick_that_crashes_once_keeps_the_graph_history_and_trainer() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    run = state(at).run
    _crash_once(run.trainer, ValueError("simulated failure inside a training tick"))
    click(at, "Play")
    assert_clean(at)  # a message, not a traceback
    st = state(at)
    assert not st.playing, "a failed tick must stop playing (or the fragment fails every frame)"
    assert st.run is run and run.graph.name == "karate" and len(run.trainer.history) == 11
    errors = texts(at, "error")
    assert len(errors) == 1 and "simulated failure inside a training tick" in errors[0], errors
    assert not [b for b in at.button if "CPU" in b.label], "a bug on the CPU is no device error: no CPU offer"
    click(at, "Step")  # the next step trains on and the message goes away
    assert_clean(at)
    assert state(at).run is run and run.latest.epoch == 11 and run.recorder.epochs() == list(range(12))
    assert not texts(at, "error") and not run.error


@pytest.mark.parametrize("error, device", [
    (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (simulated)"), "cpu"),
    (RuntimeError("CUDA error: an illegal memory access was encountered (simulated)"), "cuda"),
], ids=["out_of_memory", "device_error"])
def test_a_device_error_in_a_tick_shows_a_message_and_offers_the_cpu(error: BaseException, device: str) -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    run = state(at).run
    # No GPU is needed: the error is raised by the trainer's step; for a RuntimeError, which is a device error only
    # on a device other than the CPU, the trainer claims to be on ``device`` (to("cpu") then really moves it back).
    run.trainer.torch_device = torch.device(device)
    _crash_once(run.trainer, error)
    click(at, "Play")
    assert_clean(at)  # a message, not a traceback
    st = state(at)
    assert not st.playing, "a failed tick must stop playing (or the fragment fails every frame)"
    errors = texts(at, "error")
    assert len(errors) == 1 and str(error).split(".")[0].split(" (")[0] in errors[0], errors
    assert st.run is run and len(run.trainer.history) == 11 and run.latest.epoch == 10  # graph and history stay
    offers = [b for b in at.button if "CPU" in b.label]
    assert offers, f"no button offers the CPU: {[b.label for b in at.button]}"
    offers[0].click().run()
    assert_clean(at)
    st = state(at)
    assert st.run is run and st.run.graph is run.graph and not texts(at, "error")
    assert st.run.trainer.torch_device.type == "cpu" and st.pending.device == "cpu" and run.config.device == "cpu"
    assert at.query_params["device"] in ("cpu", ["cpu"]), dict(at.query_params)  # the link follows
    assert at.selectbox(key="cfg.device").value == "cpu"
    assert st.playing, "it was playing when it failed: continuing goes on playing"
    click(at, "Pause")
    epoch = run.latest.epoch
    assert epoch > 10 and len(run.trainer.history) == epoch + 1  # trained on from epoch 10, one snapshot each
    click(at, "Step")
    assert_clean(at)
    assert run.latest.epoch == epoch + 1 and run.recorder.epochs() == list(range(epoch + 2))


def test_a_run_that_cannot_leave_its_device_says_so_and_reset_starts_on_the_cpu() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    run = state(at).run
    run.trainer.torch_device = torch.device("cuda")  # simulated, as above
    _crash_once(run.trainer, RuntimeError("CUDA error: an illegal memory access was encountered (simulated)"))
    click(at, "Step")

    def broken_context(device: str) -> Any:
        raise RuntimeError("CUDA error: an illegal memory access was encountered (simulated, while copying)")

    run.trainer.to = broken_context  # type: ignore[method-assign]
    click(at, "Continue on CPU")
    assert_clean(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and "could not be moved to the CPU" in errors[0] and "Reset" in errors[0], errors
    assert not [b for b in at.button if "CPU" in b.label] and state(at).pending.device == "cpu"
    click(at, "Reset")
    assert_clean(at)
    st = state(at)
    assert st.run is not run and st.run.trainer.torch_device.type == "cpu" and st.run.latest.epoch == 0
    assert st.run.graph.name == "karate" and not texts(at, "error")


# ------------------------------------------------------------------------------------------------- uploads
def _upload(at: Any, name: str, data: bytes) -> Any:
    at.radio(key="source.kind").set_value("Upload").run()
    return at.file_uploader(key="source.upload").set_value((name, data, "application/octet-stream")).run()


def test_an_upload_over_the_size_limit_says_the_limit() -> None:
    at = start_app(SMALL)
    row = b"0,1\n"
    data = b"source,target\n" + row * (MAX_UPLOAD_BYTES // len(row) + 1)
    _upload(at, "huge.csv", data)
    assert_clean(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and f"limit of {MAX_UPLOAD_BYTES // 1024**2} MB" in errors[0], errors
    assert state(at).run.graph.name == "karate"


def test_an_upload_over_the_graph_size_limit_says_the_limit() -> None:
    at = start_app(SMALL)
    header = b"%%MatrixMarket matrix coordinate pattern symmetric\n"
    _upload(at, "huge.mtx", header + f"{MAX_NODES + 1} {MAX_NODES + 1} 1\n1 2\n".encode())
    assert_clean(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and f"limit of {MAX_NODES:,}" in errors[0], errors
    assert state(at).run.graph.name == "karate"


def test_an_upload_never_touches_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upload a graph, train on it and download it in two formats (one of them zipped from a temporary folder):
    the process writes nothing outside the temporary folder, and that folder is gone afterwards."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    at = start_app(SMALL)
    at.switch_page("gtvviz_app/pages/data.py").run()  # load the page's modules before recording
    at.switch_page("gtvviz_app/pages/explore.py").run()
    marker = "reliability-upload-7f3a"
    edges = "source,target\n" + "".join(f"{marker}{i},{marker}{(i + 1) % 12}\n" for i in range(12))
    with file_accesses() as events:
        _upload(at, f"{marker}.csv", edges.encode())
        click(at, "Step 10")
        at.switch_page("gtvviz_app/pages/data.py").run()
        assert_clean(at)
        for fmt in ("csv", "graphml"):  # csv with a node table is written as two files and zipped
            at.selectbox(key="data.format").set_value(fmt).run()
            assert_clean(at)
    st = state(at)
    assert st.run.graph.num_nodes == 12 and st.run.config.graph == f"upload:{marker}.csv"
    writes = [path for kind, path in events if kind == "write"]
    outside = [p for p in writes if not _resolved(p).is_relative_to(scratch.resolve())]
    assert not outside, f"the upload wrote outside the temporary folder: {outside}"
    assert not list(scratch.iterdir()), f"temporary files were left behind: {list(scratch.iterdir())}"
    assert not [p for _, p in events if marker in p and not _resolved(p).is_relative_to(scratch.resolve())]


def test_a_pooling_step_that_crashes_once_keeps_the_run() -> None:
    at = start_app()
    at.switch_page("gtvviz_app/pages/pooling.py").run()
    run = at.session_state["gtvviz_pooling"]
    real = run.trainer.step

    def crash(*args: Any, **kwargs: Any) -> None:
        run.trainer.step = real  # the next step works again
        raise RuntimeError("simulated failure inside a pooling step")

    run.trainer.step = crash
    at.button(key="pooling.step").click().run()
    assert_clean(at)  # a message, not a traceback
    errors = texts(at, "error")
    assert len(errors) == 1 and "simulated failure inside a pooling step" in errors[0], errors
    assert at.session_state["gtvviz_pooling"] is run and run.trainer.epoch == 0
    at.button(key="pooling.step").click().run()
    assert_clean(at)
    assert run.trainer.epoch == 1 and not texts(at, "error")
