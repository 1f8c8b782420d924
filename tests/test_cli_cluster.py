import json
import subprocess
import sys

import numpy as np
import pytest

from gtvviz.cli import main
from gtvviz.cli.output import write_json
from gtvviz.data import load_sample
from gtvviz.starts import start_seeds


def test_karate_recovers_the_two_factions_with_sharp_assignments(tmp_path, capsys) -> None:
    """The issue's command, defaults and all: the default seed finds the factions (12 of seeds 0 to 19 do; see the
    karate sample's description for the others)."""
    out = tmp_path / "karate.json"
    code = main(["cluster", "--graph", "karate", "--clusters", "2", "--device", "cpu", "--json", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    for key in ("nmi", "ari", "acc", "sharpness", "cut_fraction", "gtv_loss", "balance_loss", "epochs",
                "seconds_per_epoch", "device", "labels", "lowest_loss", "config", "collapsed"):
        assert key in result
    assert result["nmi"] > 0.9 and result["sharpness"] > 0.95
    graph = load_sample("karate")
    src, dst = graph.edge_index.numpy()
    labels = np.asarray(result["labels"])
    assert np.bincount(labels).tolist() == [17, 17]  # balanced, like the factions
    # the cut fraction counts the edges between the clusters: the factions' 11 of 78
    assert result["cut_fraction"] == pytest.approx((labels[src] != labels[dst]).mean()) == pytest.approx(11 / 78)
    assert not result["collapsed"] and result["remedy_engaged_at"] is None
    assert result["clusters_used"] == 2 and not result["partial_collapse"] and result["stopped_at"] is None
    assert len(result["labels"]) == 34 and result["epochs"] == 500 and result["device"] == "cpu"
    assert "nmi=" in capsys.readouterr().out


def test_a_run_stuck_at_the_uniform_assignment_is_reported(capsys) -> None:
    small = ["cluster", "--graph", "word_sbm", "--clusters", "4", "--epochs", "60", "--hidden", "64,64", "--mlp", "32",
             "--device", "cpu", "--json", "-"]
    assert main([*small, "--balance_weight", "fixed"]) == 0
    fixed = json.loads(capsys.readouterr().out)
    assert fixed["collapsed"] and fixed["remedy_engaged_at"] is None and fixed["sharpness"] < 0.35
    assert main(small) == 0
    assert json.loads(capsys.readouterr().out)["remedy_engaged_at"] == 49


def test_json_to_stdout_is_clean(capsys) -> None:
    assert main(["cluster", "--graph", "karate", "--clusters", "3", "--epochs", "2", "--hidden", "8",
                 "--mlp", "", "--device", "cpu", "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["config"]["hidden"] == [8] and result["config"]["mlp"] == [] and max(result["labels"]) <= 2


@pytest.mark.slow
def test_compile_flag_compiles_the_model(capsys) -> None:
    assert main(["cluster", "--graph", "karate", "--clusters", "2", "--epochs", "3", "--hidden", "8", "--mlp", "",
                 "--device", "cpu", "--compile", "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["compiled"] is True and result["epochs"] == 3 and len(result["labels"]) == 34


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--graph", "karate", "--clusters", "99"], "more than the 34 nodes"),
        (["--graph", "karate", "--clusters", "1"], "between 2"),
        (["--graph", "karate", "--clusters", "2", "--lr", "fast"], "lr must be a number"),
        (["--graph", "karate", "--clusters", "2", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["--graph", "/no/such/file.csv", "--clusters", "2"], "/no/such/file.csv"),
        (["--graph", "karate"], "--clusters"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, fragment, capsys) -> None:
    assert main(["cluster", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "gtvviz", "cluster", "--graph", "karate", "--clusters", "2",
                           "--epochs", "1", "--device", "cpu", "--json", "-"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["epochs"] == 1


def test_undefined_numbers_are_written_as_null(tmp_path) -> None:
    target = tmp_path / "out.json"
    write_json({"boundary_sharpness": float("nan"), "rows": [1.5, float("inf")], "name": "x",
                "array": np.array([np.nan, 2.0], dtype=np.float32)}, str(target))
    text = target.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"boundary_sharpness": None, "rows": [1.5, None], "name": "x", "array": [None, 2.0]}


def test_n_init_keeps_the_start_with_the_lowest_final_loss(capsys) -> None:
    small = ["cluster", "--graph", "karate", "--clusters", "3", "--epochs", "30", "--hidden", "8", "--mlp", "",
             "--device", "cpu", "--seed", "3", "--json", "-"]
    assert main([*small, "--n-init", "3", "--no-spectral-start"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_init"] == 3 and len(result["start_losses"]) == 3 and not result["spectral_start"]
    assert result["loss"] == min(result["start_losses"])
    assert result["kept_seed"] == start_seeds(3, 3)[result["start_losses"].index(result["loss"])]
    assert main([*small, "--n-init", "1", "--no-spectral-start"]) == 0  # the run of the seed itself, the first start
    single = json.loads(capsys.readouterr().out)
    assert single["n_init"] == 1 and single["kept_seed"] == 3 and single["start_losses"] == [result["start_losses"][0]]
    assert main(small) == 0  # the default: three random starts and a spectral one, compared at epoch 100 (here 30)
    default = json.loads(capsys.readouterr().out)
    assert (default["n_init"], default["probe_epochs"], default["spectral_start"]) == (3, 100, True)
    assert default["start_losses"][:3] == result["start_losses"] and len(default["start_losses"]) == 4
    assert default["starts"][3] == {"seed": 3, "init": "spectral"}
    assert default["kept_init"] == default["starts"][default["kept_start"]]["init"]
    assert main([*small, "--method", "kmeans"]) == 0  # one start for the other methods
    assert json.loads(capsys.readouterr().out)["starts"] == [{"seed": 3, "init": "random"}]
    assert main([*small, "--n-init", "0"]) == 2
    assert "n_init must be a positive integer" in capsys.readouterr().err


def test_probe_epochs_compare_the_starts_early_and_train_the_kept_one_to_the_end(capsys) -> None:
    small = ["cluster", "--graph", "karate", "--clusters", "3", "--epochs", "30", "--hidden", "8", "--mlp", "",
             "--device", "cpu", "--json", "-"]
    assert main([*small, "--seed", "3", "--n-init", "3", "--probe-epochs", "10", "--no-spectral-start"]) == 0
    probed = json.loads(capsys.readouterr().out)
    assert probed["probe_epochs"] == 10 and probed["epochs"] == 30 and len(probed["start_losses"]) == 3
    assert probed["kept_seed"] == start_seeds(3, 3)[int(np.argmin(probed["start_losses"]))]
    assert main([*small, "--seed", str(probed["kept_seed"]), "--n-init", "1", "--no-spectral-start"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["loss"] == probed["loss"] and alone["labels"] == probed["labels"]
    assert main([*small, "--seed", "3", "--probe-epochs", "0"]) == 0  # 0: the starts compared at their end
    assert json.loads(capsys.readouterr().out)["probe_epochs"] is None
    assert main([*small, "--n-init", "2", "--probe-epochs", "-1"]) == 2
    assert "probe_epochs must be a positive integer" in capsys.readouterr().err
