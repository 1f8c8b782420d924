import json

import numpy as np
import pytest
import torch

from gtvviz.cli import main
from gtvviz.cluster import TVGNNClustering
from gtvviz.config import RunConfig
from gtvviz.data import generate
from gtvviz.errors import ConfigError
from gtvviz.methods import build_trainer
from gtvviz.scale.minibatch import MiniBatchTrainer

SMALL = dict(hidden=(16, 16), mlp=(8,), lr=1e-2, device="cpu", balance_weight="fixed")


@pytest.fixture(scope="module")
def graph():
    return generate("csbm", n=120, blocks=3, degree=6.0, homophily=0.9, snr=2.0, features=8, seed=0)


def _trainer(graph, batch_nodes: int, epochs: int = 6, eval_every: int = 2) -> MiniBatchTrainer:
    config = RunConfig(graph="g", clusters=3, epochs=epochs, batch_nodes=batch_nodes, **SMALL)
    trainer = build_trainer(graph, config, metrics_every=eval_every)
    assert isinstance(trainer, MiniBatchTrainer)
    return trainer


def test_one_batch_of_every_node_trains_like_the_full_batch_trainer(graph) -> None:
    full = build_trainer(graph, RunConfig(graph="g", clusters=3, epochs=5, **SMALL))
    full.run()
    mini = _trainer(graph, batch_nodes=graph.num_nodes, epochs=5, eval_every=1)
    mini.run()
    np.testing.assert_allclose(mini.latest.s, full.last.s, atol=1e-5)
    assert mini.latest.losses["total"] == pytest.approx(full.last.losses["total"], abs=1e-5)


def test_runner_contract(graph) -> None:
    trainer = _trainer(graph, batch_nodes=40, epochs=5, eval_every=2)
    assert (trainer.epoch, trainer.done, trainer.latest.epoch) == (0, False, 0)
    assert trainer.steps_per_epoch == 3
    snapshots = trainer.step(3)
    assert [s.epoch for s in snapshots] == [2] and trainer.epoch == 3
    assert snapshots[0].s.shape == (120, 3) and "nmi" in snapshots[0].metrics
    assert [s.epoch for s in trainer.step(10)] == [4, 5] and trainer.done and trainer.step(1) == []
    first = trainer.latest.s
    assert trainer.reset().epoch == 0 and trainer.epoch == 0 and not trainer.done
    trainer.step(5)
    np.testing.assert_array_equal(trainer.latest.s, first)  # same seed, same batches, same run
    summary = trainer.summary()
    assert summary["epochs"] == 5 and summary["world_size"] == 1


def test_the_learning_rate_is_per_epoch(graph) -> None:
    """``lr`` is per epoch: each of the S = 3 steps of an epoch of batches of 40 of the 120 nodes uses lr / 3.
    Adam's first step moves every parameter with a non-zero gradient by its learning rate exactly (m / sqrt(v) is
    the gradient's sign), so the step's largest move is lr / 3, where the configured lr would move it by lr."""
    trainer = _trainer(graph, batch_nodes=40, epochs=2)
    assert trainer.steps_per_epoch == 3 and trainer.step_lr == pytest.approx(SMALL["lr"] / 3)
    before = [p.detach().clone() for p in trainer.model.parameters()]
    (nodes,) = trainer.sampler.batches(torch.Generator().manual_seed(5), 1)
    trainer._train_step(nodes)
    moves = torch.cat([(p.detach() - b).abs().flatten() for p, b in zip(trainer.model.parameters(), before)])
    assert float(moves.max()) == pytest.approx(SMALL["lr"] / 3, rel=1e-3)
    assert trainer.summary()["step_lr"] == trainer.step_lr


def test_budget_stops_after_the_epoch_that_spends_it(graph) -> None:
    trainer = _trainer(graph, batch_nodes=40, epochs=50, eval_every=1)
    assert [s.epoch for s in trainer.step(50, budget=0.0)] == [1]
    assert trainer.epoch == 1


def test_mini_batches_learn_the_blocks(graph) -> None:
    """Batches of half the nodes learn the 3 blocks about as well as full batch (NMI 0.73 on this graph)."""
    trainer = _trainer(graph, batch_nodes=60, epochs=60, eval_every=60)
    assert trainer.run().metrics["nmi"] > 0.6


def test_sparse_features_are_cut_per_batch() -> None:
    graph = generate("word_sbm", blocks=2, size=30, p_in=0.3, p_out=0.02, words=40, signal=3.0, seed=0)
    config = RunConfig(graph="g", clusters=2, epochs=1, batch_nodes=20, **SMALL)
    trainer = build_trainer(graph, config)
    x = trainer._x.to_dense()
    nodes = torch.tensor([3, 7, 40, 59])
    assert torch.equal(trainer._batch_features(nodes).to_dense(), x[nodes])


def test_estimator_takes_batch_nodes(graph) -> None:
    model = TVGNNClustering(3, hidden=(16, 16), mlp=(8,), lr=1e-2, epochs=3, device="cpu", batch_nodes=40)
    assert model.get_params()["batch_nodes"] == 40
    assert model.fit(graph).labels_.shape == (120,) and isinstance(model.trainer_, MiniBatchTrainer)


def test_baselines_refuse_mini_batches(graph) -> None:
    with pytest.raises(ConfigError, match="TVGNN only"):
        build_trainer(graph, RunConfig(graph="g", clusters=3, method="mincut", batch_nodes=40, **SMALL))


def test_config_and_cli(tmp_path) -> None:
    assert RunConfig().batch_nodes is None
    config = RunConfig(batch_nodes=64)
    assert RunConfig.from_json(config.to_json()) == config
    assert RunConfig.from_query(config.to_query())[0] == config
    assert RunConfig.from_query(RunConfig().to_query())[0].batch_nodes is None
    assert "batch_nodes" not in RunConfig().to_query()  # a link never says batch_nodes=None
    out = tmp_path / "run.json"
    assert main(["cluster", "--graph", "csbm:n=120,blocks=3,features=8,seed=0", "--clusters", "3", "--epochs", "4",
                 "--hidden", "8", "--mlp", "4", "--device", "cpu", "--batch-nodes", "50", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert (result["world_size"], result["batch_nodes"], result["epochs"]) == (1, 50, 4)
    assert result["step_lr"] == pytest.approx(RunConfig().lr / 3)  # 120 nodes in batches of 50: 3 steps an epoch
    assert result["peak_rss_mb"] > 10 and result["peak_rss_mb_all_ranks"] == result["peak_rss_mb"]
    assert len(result["labels"]) == 120


@pytest.mark.slow
def test_the_remedy_engages_in_a_mini_batch_run_stuck_at_uniform() -> None:
    """The 4-block bag-of-words SBM of tests/test_collapse.py, batches of half the nodes (2 steps per epoch, each
    at lr / 2), as many epochs as the full-batch test there: the reference weights stay at S = 1/K; the default's
    detector fires at the 50th step (epoch 24, counted from 0) and the run leaves the uniform assignment for a
    sharper one that correlates with the blocks and has a lower value of the reference loss itself."""
    from tests.test_collapse import bag_of_words_sbm

    small = dict(clusters=4, epochs=300, hidden=(64, 64), mlp=(32,), device="cpu", seed=0, batch_nodes=200)
    runs = {}
    for weight in ("fixed", "adaptive"):
        runs[weight] = build_trainer(bag_of_words_sbm(), RunConfig(graph="g", balance_weight=weight, **small),
                                     metrics_every=300)
        runs[weight].run()
    trapped, escaped = runs["fixed"].latest, runs["adaptive"].latest
    assert runs["fixed"].objective.engaged_at is None
    assert trapped.collapsed and trapped.metrics["nmi"] < 0.05
    assert trapped.losses["total"] == pytest.approx(0.514, abs=1e-3)
    assert runs["adaptive"].objective.engaged_at == 24
    assert not escaped.collapsed and escaped.metrics["nmi"] > 0.15 and escaped.metrics["sharpness"] > 0.5
    assert escaped.losses["total"] < trapped.losses["total"] - 0.005


def test_to_keeps_the_run(graph) -> None:
    """Moving a live run (here CPU to CPU, the one device every machine has) keeps its epoch, history, batches
    and optimiser state: the run goes on exactly as if it had not moved."""
    moved, still = _trainer(graph, batch_nodes=40, epochs=6), _trainer(graph, batch_nodes=40, epochs=6)
    moved.step(3)
    still.step(3)
    assert moved.to("cpu") is moved
    assert moved.epoch == 3 and len(moved.history) == len(still.history)
    assert moved.optimizer.state_dict()["state"][0]["step"] == still.optimizer.state_dict()["state"][0]["step"]
    moved.run()
    still.run()
    np.testing.assert_array_equal(moved.latest.s, still.latest.s)
    assert [(h["epoch"], h["total"]) for h in moved.history] == [(h["epoch"], h["total"]) for h in still.history]
    with pytest.raises(ConfigError):
        moved.to("no-such-device")
    assert moved.torch_device.type == "cpu"
