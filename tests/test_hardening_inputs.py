"""Issue 15, defects 4 to 8: duplicate node ids, exceptions that escaped GtvvizError, special paths, types and the
smaller ones. Each test builds its attack itself."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import torch

from gtvviz.cli import main
from gtvviz.cluster import TVGNNClustering
from gtvviz.config import RunConfig
from gtvviz.data import load_graph, load_sample
from gtvviz.errors import ConfigError, GraphFormatError, GtvvizError
from gtvviz.methods import build_trainer
from gtvviz.train import Trainer

REPO = Path(__file__).resolve().parents[1]


def _npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


ADJ = {"adj_data": np.ones(2), "adj_indices": np.array([1, 0]), "adj_indptr": np.array([0, 1, 2]),
       "adj_shape": np.array([2, 2])}


def _pt_with_names(names: list[str]) -> bytes:
    from torch_geometric.data import Data

    data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=len(names))
    data.node_names = names
    buffer = io.BytesIO()
    torch.save(data, buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------- 4. duplicate node ids
def test_a_consecutive_repeat_in_a_node_table_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    """The issue's table 0,a / 0,b / 1,c / 2,d (a label column) with the edge 1,2: it gave nodes 0,0,1,2."""
    (tmp_path / "nodes.csv").write_text("id,label\n0,a\n0,b\n1,c\n2,d\n")
    (tmp_path / "edges.csv").write_text("source,target\n1,2\n")
    with pytest.raises(GraphFormatError, match="line 3 repeats the node id '0' of line 2"):
        load_graph(tmp_path / "edges.csv", nodes=tmp_path / "nodes.csv")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("ids.json", b'{"nodes": [{"id": 0}, {"id": 0}, {"id": 1}], "links": [{"source": 0, "target": 1}]}',
     "node id '0' of node 1 repeats that of node 0"),
    ("mixed.json", b'{"nodes": [{"id": 1}, {"id": "1"}, {"id": 2}], "links": [{"source": 1, "target": 2}]}',
     "node id '1' of node 1 repeats that of node 0"),
    ("ids.graphml", b'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph '
     b'edgedefault="undirected"><node id="a"/><node id="a"/><node id="b"/><edge source="a" target="b"/></graph>'
     b'</graphml>', "<node> number 1 .* repeats the id 'a' of <node> number 0"),
    ("ids.gexf", b'<?xml version="1.0"?><gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph '
     b'defaultedgetype="undirected"><nodes><node id="a" label="a"/><node id="a" label="a"/><node id="b" '
     b'label="b"/></nodes><edges><edge id="0" source="a" target="b"/></edges></graph></gexf>',
     "<node> number 1 .* repeats the id 'a' of <node> number 0"),
    ("ids.gml", b"graph [ node [ id 0 ] node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 ] ]",
     "node id 0 is duplicated"),
    ("names.npz", _npz(**ADJ, node_names=np.array(["a", "a"])), "the node name 'a' of node 1 repeats that of node 0"),
    ("names.pt", _pt_with_names(["a", "a"]), "the node name 'a' of node 1 repeats that of node 0"),
])
def test_duplicate_ids_are_an_error_in_every_format(name: str, data: bytes, message: str) -> None:
    with pytest.raises(GraphFormatError, match=message):
        load_graph(data, name=name)


# ---------------------------------------------------------------------- 5. exceptions that escaped
def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gtvviz: error: "), err
    return lines[0]


@pytest.mark.parametrize(("name", "data"), [
    ("label30.json", b'{"nodes": [{"id": 0, "y": 123456789012345678901234567890}, {"id": 1, "y": 0}], '
                     b'"links": [{"source": 0, "target": 1}]}'),
    ("deep.gml", b"graph [ " + b"a [ " * 50_000 + b"]" * 50_000 + b" ]"),
    ("uint64.npz", _npz(**ADJ, labels=np.array([2**64 - 1, 0], dtype=np.uint64))),
    ("label62.npz", _npz(**ADJ, labels=np.array([2**62, 0]))),
])
def test_hostile_files_end_as_exit_2_with_one_line(name: str, data: bytes, tmp_path: Path, capsys) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(GraphFormatError):
        load_graph(tmp_path / name)
    assert main(["cluster", "--graph", str(tmp_path / name), "--clusters", "2", "--epochs", "1"]) == 2
    assert name in _one_error_line(capsys)


def test_float16_weights_and_4400_digit_ids_load(tmp_path: Path) -> None:
    half = load_graph(_npz(**{**ADJ, "adj_data": np.array([0.5, 0.5], dtype=np.float16)}), name="half.npz")
    assert half.edge_weight.tolist() == [0.5, 0.5]
    long_id = "1" * 4400
    graph = load_graph(f"source,target\n{long_id},2\n2,3\n".encode(), name="long.csv")
    assert graph.node_names == ["2", "3", long_id]  # sorted as numbers: by digit count first


def test_a_large_label_is_renumbered_and_metrics_use_the_classes(capsys) -> None:
    graph = load_graph(b'{"nodes": [{"id": 0, "y": 0}, {"id": 1, "y": 10000}], "links": [{"source": 0, '
                       b'"target": 1}]}', name="big.json")
    assert graph.y.tolist() == [0, 1] and "Renumbered 2 sparse class ids" in graph.warnings[0]


@pytest.mark.parametrize("args", [
    ["cluster", "--graph", "karate", "--clusters", "2", "--config", "FOLDER"],
    ["cluster", "--graph", "karate", "--clusters", "2", "--config", "BINARY"],
    ["cluster", "--graph", "karate", "--clusters", "2", "--json", "FOLDER"],
    ["cluster", "--graph", "karate", "--clusters", "2", "--json", "/dev/full"],
    ["cluster", "--graph", "karate", "--clusters", "2", "--json", "FOLDER/missing/out.json"],
    ["compare", "--graph", "karate", "--clusters", "2", "--json", "FOLDER"],
    ["classify", "--dataset", "synthetic", "--seed", "-1"],
    ["classify", "--dataset", "synthetic", "--seed", str(2**70)],
    ["classify", "--dataset", "synthetic", "--json", "FOLDER"],
    ["cluster", "--graph", "x" * 5000 + ".csv", "--clusters", "2"],
])
def test_bad_paths_and_values_end_as_exit_2_with_one_line_before_training(args: list[str], tmp_path: Path,
                                                                          capsys) -> None:
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    args = [a.replace("FOLDER", str(tmp_path)).replace("BINARY", str(tmp_path / "binary.json")) for a in args]
    assert main([*args, "--epochs", "100000"]) == 2  # refused before a single epoch
    _one_error_line(capsys)


def test_a_corrupt_raw_file_of_a_pyg_dataset_is_exit_2(tmp_path: Path, capsys) -> None:
    from tests.conftest import SHARED_DATASETS

    raw = tmp_path / "Cora" / "raw"
    raw.mkdir(parents=True)
    for path in (SHARED_DATASETS / "Cora" / "raw").iterdir():
        raw.joinpath(path.name).write_bytes(path.read_bytes()[:100])  # truncated
    assert main(["cluster", "--graph", "pyg:Cora", "--data-root", str(tmp_path), "--clusters", "2"]) == 2
    assert "raw file" in _one_error_line(capsys)


def test_in_a_fresh_interpreter_the_error_is_one_line(tmp_path: Path) -> None:
    """Through ``python -m gtvviz``, as a user runs it: one line on stderr, exit 2."""
    (tmp_path / "deep.gml").write_bytes(b"graph [ " + b"a [ " * 50_000 + b"]" * 50_000 + b" ]")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run([sys.executable, "-m", "gtvviz", "cluster", "--graph", str(tmp_path / "deep.gml"),
                           "--clusters", "2"], capture_output=True, text=True, cwd=REPO,
                          env={**env, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_warnings_raised_during_a_command_are_silenced(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A library warning (as PyG's weights-only fallback gives) during a failing command adds no line."""
    import warnings

    from gtvviz.cli import cluster

    def warn_then_fail(source: str, **_: object) -> None:
        warnings.warn("Weights only load failed.", UserWarning)
        warnings.warn("deprecated", DeprecationWarning)
        raise GraphFormatError(f"{source} is broken.")

    monkeypatch.setattr(cluster, "load_graph", warn_then_fail)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert main(["cluster", "--graph", "karate", "--clusters", "2"]) == 2
    assert "karate is broken" in _one_error_line(capsys)


# ---------------------------------------------------------------------- 6. special paths
def test_devices_and_folders_are_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(GraphFormatError, match="not a regular file"):
        load_graph("/dev/zero", format="csv")
    with pytest.raises(GraphFormatError, match="is a folder"):
        load_graph(tmp_path, format="csv")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "graph.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(GraphFormatError, load_graph, fifo).value),
                              daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive() and "not a regular file" in str(outcome[0])


def test_a_read_is_bounded_whatever_stat_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gtvviz.data import inputs

    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 10)
    (tmp_path / "big.csv").write_text("source,target\n" + "0,1\n" * 10)
    with pytest.raises(GraphFormatError, match="larger than the limit"):
        load_graph(tmp_path / "big.csv")


# ---------------------------------------------------------------------- 7. types
@pytest.mark.parametrize(("changes", "message"), [
    ({"clusters": "3"}, "clusters must be an integer, got '3' of type str"),
    ({"clusters": 2.5}, "clusters must be an integer"),
    ({"clusters": None}, "clusters must be an integer"),
    ({"epochs": 2.0}, "epochs must be an integer"),
    ({"hidden": 512}, "hidden must be a tuple of integers"),
    ({"lr": "0.1"}, "lr must be a number"),
    ({"seed": 1.5}, "seed must be an integer"),
    ({"graph": 5}, "graph must be text"),
    ({"lr": 1j}, "lr must be a number"),
    ({"seed": 2147483648}, "seed must be between 0 and 2,147,483,647, got 2,147,483,648"),
])
def test_run_config_names_each_wrong_value(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig(**changes)


@pytest.mark.parametrize(("params", "message"), [
    ({"n_clusters": "3"}, "n_clusters must be an integer"),
    ({"epochs": 2.0}, "epochs must be an integer"),
    ({"hidden": 512}, "hidden must be a tuple of integers"),
])
def test_the_estimator_validates_through_run_config(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TVGNNClustering(**params).fit(load_sample("karate"))


def test_build_trainer_takes_a_networkx_graph_and_the_trainer_checks_its_counts() -> None:
    trainer = build_trainer(nx.karate_club_graph(), RunConfig(clusters=2, epochs=1, hidden=(4,), mlp=()))
    assert trainer.graph.num_nodes == 34
    for bad in ({"metrics_every": 0}, {"epochs": -1}, {"lr": 0.0}, {"seed": 1.5}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            Trainer(trainer.graph, trainer.model, trainer.objective, **bad)


# ---------------------------------------------------------------------- 8. smaller
def test_a_graph_name_with_ansi_escapes_reaches_the_terminal_escaped(tmp_path: Path, capsys) -> None:
    name = tmp_path / "evil\x1b[2J\x1b]0;owned\x07.csv"
    name.write_text("source,target\n0,1\n1,2\n2,0\n2,3\n")
    assert main(["cluster", "--graph", str(name), "--clusters", "2", "--epochs", "2", "--hidden", "4",
                 "--mlp", "", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_the_seed_message_prints_integers(capsys) -> None:
    assert main(["cluster", "--graph", "karate", "--clusters", "2", "--seed", "2147483648"]) == 2
    assert "must be between 0 and 2,147,483,647, got 2,147,483,648" in _one_error_line(capsys)


def test_twenty_thousand_unknown_link_keys_give_one_message() -> None:
    config, messages = RunConfig.from_query({f"k{i}": "1" for i in range(20_000)})
    assert config == RunConfig() and len(messages) == 1 and "20,000 unknown" in messages[0]


def test_every_user_error_class_is_a_gtvviz_error() -> None:
    from gtvviz import errors

    classes = [v for v in vars(errors).values()
               if isinstance(v, type) and issubclass(v, Exception) and not issubclass(v, Warning)]
    assert all(issubclass(c, GtvvizError) for c in classes) and len(classes) >= 5
