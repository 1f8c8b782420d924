"""The command line's surface: --version, choices on closed options, hyphenated flags with underscore aliases, one
device default, --labels-out and node names in the JSON, repairs reported once on stderr."""

from __future__ import annotations

import argparse
import csv
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import gtvviz
from gtvviz.cli import build_parser, main
from gtvviz.config import SPECS, RunConfig
from gtvviz.viz.tables import assignments_table

REPO = Path(__file__).resolve().parents[1]
#: A tiny model: these tests check the command's output, not TVGNN's quality.
SMALL = ["--epochs", "30", "--hidden", "16", "--mlp", "8", "--device", "cpu"]


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _named_graph(folder: Path) -> Path:
    """Two triangles of named people joined by one edge, with a self-loop and a duplicate edge to repair."""
    path = folder / "people.csv"
    path.write_text("source,target\nalice,bob\nbob,carol\ncarol,alice\ndave,erin\nerin,frank\nfrank,dave\n"
                    "carol,dave\nalice,alice\nalice,bob\n")
    return path


def test_version_is_the_package_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gtvviz {gtvviz.__version__}"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gtvviz.__version__"}


def test_every_closed_option_lists_its_choices() -> None:
    closed = {name: spec.choices for name, spec in SPECS.items() if spec.choices}
    assert set(closed) == {"method", "device", "balance_weight", "stop", "normalize", "init"}
    checked = 0
    for name, parser in _subparsers().items():
        for action in parser._actions:
            if action.dest in closed:
                assert tuple(action.choices) == closed[action.dest], (name, action.option_strings)
                checked += 1
    assert checked >= 6  # cluster: method, device, balance_weight (twice: flag and alias); compare; classify
    classify = {a.dest: a for a in _subparsers()["classify"]._actions}
    assert classify["pool"].choices and classify["pool_size_base"].choices == ("max", "mean")


def test_flags_are_hyphenated_and_the_underscore_spelling_stays_an_alias(capsys) -> None:
    for name, parser in _subparsers().items():
        shown = [s for a in parser._actions if a.help != argparse.SUPPRESS for s in a.option_strings]
        assert not [s for s in shown if "_" in s], name
        assert re.findall(r"--[a-z0-9-]*_[a-z0-9_-]*", parser.format_help()) == [], name
    cluster = _subparsers()["cluster"]
    assert "--balance-weight {adaptive,fixed,escape}" in cluster.format_help()
    for spelling in ("--balance-weight", "--balance_weight"):
        args = cluster.parse_args(["--clusters", "2", spelling, "fixed", "--batch_nodes", "64"])
        assert RunConfig.from_args(args).balance_weight == "fixed" and args.batch_nodes == "64"
    assert main(["cluster", "--clusters", "2", "--balance_weight", "sometimes"]) == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err


def test_every_subcommand_has_the_same_device_default() -> None:
    parsers = _subparsers()
    cluster = RunConfig.from_args(parsers["cluster"].parse_args(["--clusters", "2"]))
    compare = RunConfig.from_args(parsers["compare"].parse_args(["--graph", "karate", "--clusters", "2"]))
    classify = parsers["classify"].parse_args(["--dataset", "synthetic"])
    assert cluster.device == compare.device == classify.device == RunConfig().device == "auto"


def test_unknown_options_are_still_refused(capsys) -> None:
    assert main(["cluster", "--clusters", "2", "--server.port", "8600"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unrecognized arguments: --server.port 8600" in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_labels_out_and_node_names_for_a_named_graph(tmp_path, capsys) -> None:
    source, out, table = _named_graph(tmp_path), tmp_path / "run.json", tmp_path / "labels.csv"
    assert main(["cluster", "--graph", str(source), "--clusters", "2", *SMALL, "--json", str(out),
                 "--labels-out", str(table)]) == 0
    err = capsys.readouterr().err
    result = json.loads(out.read_text())
    names = ["alice", "bob", "carol", "dave", "erin", "frank"]
    assert result["node_names"] == names and len(result["labels"]) == 6
    with table.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    k = 2
    assert list(rows[0]) == ["node", "name", "label", "cluster", "confidence", "s_0", "s_1"]
    assert [r["name"] for r in rows] == names and [int(r["node"]) for r in rows] == list(range(6))
    assert [r["label"] for r in rows] == [""] * 6  # no ground truth in this file
    s = np.array([[float(r[f"s_{j}"]) for j in range(k)] for r in rows])
    assert np.allclose(s.sum(axis=1), 1.0, atol=1e-5)
    assert [int(r["cluster"]) for r in rows] == s.argmax(axis=1).tolist() == result["labels"]
    assert np.allclose([float(r["confidence"]) for r in rows], s.max(axis=1))
    # the same columns and values as the app's "Assignments CSV" of this assignment
    app = assignments_table(gtvviz.load_graph(source), s.astype(np.float32))
    assert list(app.columns) == list(rows[0])
    assert app["name"].tolist() == names and app["cluster"].tolist() == result["labels"]
    # each repair of the input is one line on stderr, printed once
    for repair in ("Dropped 1 self-loops", "Merged 1 duplicate edges"):
        assert err.count(repair) == 1, err


@pytest.mark.slow
def test_a_graph_without_names_has_no_node_names_and_labels_out_keeps_the_truth(tmp_path, capsys) -> None:
    table = tmp_path / "karate.csv"
    assert main(["cluster", "--graph", "karate", "--clusters", "2", *SMALL, "--json", "-",
                 "--labels-out", str(table)]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # stdout holds the JSON alone
    assert "node_names" not in result and len(result["labels"]) == 34 and captured.err == ""
    with table.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    truth = gtvviz.load_graph("karate").y.tolist()
    assert [int(r["label"]) for r in rows] == truth and [r["name"] for r in rows] == [str(i) for i in range(34)]


def test_labels_out_is_checked_before_the_run(tmp_path, capsys) -> None:
    assert main(["cluster", "--graph", "karate", "--clusters", "2", *SMALL,
                 "--labels-out", str(tmp_path / "missing" / "x.csv")]) == 2
    assert "--labels-out" in capsys.readouterr().err
