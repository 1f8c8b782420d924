"""``gtvviz compare``: the table, the JSON shape, and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gtvviz.cli import main

TINY = ["--hidden", "8", "--mlp", "", "--epochs", "3", "--lr", "0.01", "--device", "cpu"]


def test_compare_prints_a_table_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "compare.json"
    code = main(["compare", "--graph", "karate", "--clusters", "2", "--methods", "tvgnn,spectral,mincut",
                 "--seeds", "2", "--json", str(out), *TINY])
    assert code == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("karate, K = 2, 2 seed(s), 3 epochs")
    assert lines[1].split()[:4] == ["method", "nmi", "acc", "ari"] and lines[1].split()[-1] == "seconds"
    assert [line.split()[0] for line in lines[2:]] == ["tvgnn", "spectral", "mincut"]
    summary = json.loads(out.read_text())
    assert list(summary) == ["tvgnn", "spectral", "mincut"]
    for entry in summary.values():
        for metric in ("nmi", "acc", "ari", "cut_fraction", "conductance", "modularity", "size_balance", "sharpness",
                       "seconds"):
            assert isinstance(entry[metric], float) and isinstance(entry[f"{metric}_std"], float)
        assert entry["runs"] == 2
    assert summary["spectral"]["sharpness"] == 1.0


def test_json_to_stdout_stays_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", "--graph", "karate", "--clusters", "2", "--methods", "kmeans", "--seeds", "1",
                 "--json", "-", *TINY])
    assert code == 0
    captured = capsys.readouterr()
    assert set(json.loads(captured.out)) == {"kmeans"}
    assert "method" in captured.err  # the table went to stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--methods", "tvgnn,louvain"], "Unknown method 'louvain'"),
    (["--seeds", "0"], "--seeds must be between 1 and 100"),
    (["--clusters", "1"], "clusters must be between 2"),
    (["--clusters", "40"], "more than the 34 nodes"),
    (["--epochs", "-4"], "epochs must be between"),
])
def test_bad_input_is_one_line_with_exit_status_2(args: list[str], message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = {"--graph": "karate", "--clusters": "2", "--methods": "spectral", "--seeds": "1"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = ["compare", *[item for pair in base.items() for item in pair], "--device", "cpu"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_unknown_graph_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--graph", "no_such_sample", "--clusters", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gtvviz: error:") and err.count("\n") == 1


def test_missing_required_flags_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--clusters", "2"]) == 2
    assert "--graph" in capsys.readouterr().err
