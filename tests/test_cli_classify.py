import json
from pathlib import Path

import pytest

from gtvviz.cli import main

KEYS = {"accuracy", "accuracy_std", "fold_accuracies", "seconds_per_fold", "epochs_per_fold", "dataset", "pool",
        "pool_sizes", "features", "config"}


def classify(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "result.json"
    assert main(["classify", "--folds", "2", "--epochs", "1", "--json", str(out), *args]) == 0
    return json.loads(out.read_text())


def test_synthetic_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = classify(tmp_path, "--dataset", "synthetic", "--pool", "tvgnn", "--seed", "1")
    assert KEYS <= set(result)
    assert len(result["fold_accuracies"]) == 2 and len(result["seconds_per_fold"]) == 2
    assert result["accuracy"] == pytest.approx(sum(result["fold_accuracies"]) / 2)
    assert result["pool_sizes"] == [20, 10] and "one-hot degree" in result["features"]
    assert "accuracy" in capsys.readouterr().out  # the one-line summary


@pytest.mark.parametrize("pool", ["tvgnn", "dmon"])
def test_mutag(tmp_path: Path, dataset_root: Path, pool: str) -> None:
    result = classify(tmp_path, "--dataset", "MUTAG", "--data-root", str(dataset_root), "--pool", pool,
                      "--epochs", "2")
    assert KEYS <= set(result) and result["dataset"] == "MUTAG" and result["num_graphs"] == 188
    assert result["pool_sizes"] == [14, 7] and result["epochs_per_fold"] == [2, 2]
    assert all(0 <= a <= 1 for a in result["fold_accuracies"])


def test_cleaned_mutag_with_mean_pool_sizes(tmp_path: Path, dataset_root: Path) -> None:
    result = classify(tmp_path, "--dataset", "MUTAG", "--data-root", str(dataset_root), "--cleaned",
                      "--pool-size-base", "mean", "--pool", "mincut")
    assert result["num_graphs"] == 135 and result["pool_sizes"] == [9, 4]


def test_json_to_stdout_without_pooling(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--dataset", "synthetic", "--pool", "none", "--folds", "2", "--epochs", "1",
                 "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pool"] == "none" and result["pool_sizes"] == []


@pytest.mark.parametrize("args, message", [
    (["--dataset", "synthetic", "--folds", "1"], "folds must be at least 2"),
    (["--dataset", "synthetic", "--epochs", "0"], "epochs must be at least 1"),
    (["--dataset", "NO_SUCH_SET", "--data-root", "{root}"], "NO_SUCH_SET"),
    (["--dataset", "../etc", "--data-root", "{root}"], "not a TU dataset name"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("{root}", str(tmp_path)) for a in args]
    assert main(["classify", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("gtvviz: error:")


def test_unknown_pool_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--dataset", "synthetic", "--pool", "topk"]) == 2
    assert "invalid choice" in capsys.readouterr().err
