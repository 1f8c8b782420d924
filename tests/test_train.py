import numpy as np
import pytest
import torch

from gtvviz.collapse import CollapseDetector
from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.devices import available_devices, resolve_device
from gtvviz.train import Trainer

SMALL = dict(hidden=(16, 16), mlp=(8,), device="cpu")


@pytest.fixture
def two_cliques() -> Graph:
    left = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    right = [(i + 6, j + 6) for i, j in left]
    x = np.vstack([np.eye(2)[[0] * 6], np.eye(2)[[1] * 6]]) + 0.05
    return Graph.from_edges(left + right + [(5, 6)], 12, x=x, y=[0] * 6 + [1] * 6)


def test_step_yields_consecutive_snapshots(two_cliques: Graph) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=5, **SMALL))
    assert trainer.last is not None and trainer.last.epoch == 0
    epochs = [snap.epoch for snap in trainer.step(3)]
    assert epochs == [1, 2, 3]
    assert [snap.epoch for snap in trainer.step(10)] == [4, 5] and trainer.done
    assert list(trainer.step(1)) == []
    assert len(trainer.history) == 6
    last = trainer.last
    assert last.s.shape == (12, 2) and np.allclose(last.s.sum(1), 1, atol=1e-5)
    assert {"total", "gtv", "balance"} <= set(last.losses) and "nmi" in last.metrics


def test_same_seed_same_numbers_and_reset(two_cliques: Graph) -> None:
    config = RunConfig(clusters=2, epochs=20, seed=3, **SMALL)
    a, b = build_trainer(two_cliques, config), build_trainer(two_cliques, config)
    a.run(), b.run()
    np.testing.assert_array_equal(a.last.s, b.last.s)
    first = a.last.s.copy()
    a.reset()
    a.run()
    np.testing.assert_array_equal(a.last.s, first)
    c = build_trainer(two_cliques, config.replace(seed=4))
    c.run()
    assert not np.array_equal(c.last.s, first)


def test_seeding_leaves_global_rng_alone(two_cliques: Graph) -> None:
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    build_trainer(two_cliques, RunConfig(clusters=2, epochs=1, **SMALL))
    assert torch.equal(torch.rand(1), expected)


def test_best_tracks_lowest_loss(two_cliques: Graph) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=30, lr=0.01, **SMALL))
    trainer.run()
    totals = [row["total"] for row in trainer.history]
    assert trainer.best.losses["total"] == pytest.approx(min(totals))
    assert trainer.best.epoch == int(np.argmin(totals))
    summary = trainer.summary()
    assert summary["lowest_loss"]["epoch"] == trainer.best.epoch and "nmi" in summary["lowest_loss"]
    assert summary["last"]["epoch"] == 30


def test_two_cliques_are_found(two_cliques: Graph) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=150, lr=0.01, **SMALL))
    trainer.run()
    assert trainer.last.metrics["nmi"] == pytest.approx(1.0)
    assert trainer.last.metrics["sharpness"] > 0.9


def test_divergence_stops_with_a_clear_message(two_cliques: Graph) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=10, **SMALL))
    list(trainer.step(2))
    good = trainer.last
    with torch.no_grad():
        trainer.model.mlp.output_layer.weight.fill_(float("nan"))
    trainer._pending = trainer._forward(trainer.epoch)  # the next backward sees NaN
    with pytest.raises(TrainingDivergedError, match="diverged at epoch 3"):
        list(trainer.step(1))
    assert trainer.last is good
    with pytest.raises(TrainingDivergedError):
        list(trainer.step(1))
    trainer.reset()
    assert len(list(trainer.step(1))) == 1


@pytest.mark.parametrize("value, diverges", [(float("nan"), True), (float("inf"), True), (3e38, False)])
def test_a_gradient_entry_that_is_not_finite_stops_training(two_cliques: Graph, value: float,
                                                            diverges: bool) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=10, **SMALL))
    list(trainer.step(2))
    weight = trainer.model.mlp.output_layer.weight

    def one_entry(grad: torch.Tensor) -> torch.Tensor:
        grad = grad.clone()
        grad.view(-1)[:2] = value  # 3e38 twice: finite entries whose sum overflows
        return grad

    weight.register_hook(one_entry)
    if diverges:
        with pytest.raises(TrainingDivergedError, match="epoch 3: a gradient became NaN or infinite"):
            list(trainer.step(1))
    else:
        assert [snap.epoch for snap in trainer.step(1)] == [3] and not trainer.diverged


def test_impossible_settings(two_cliques: Graph) -> None:
    with pytest.raises(ConfigError, match="more than the 12 nodes"):
        build_trainer(two_cliques, RunConfig(clusters=13, **SMALL))
    empty = Graph.from_edges(np.empty((0, 2), dtype=int), 0)
    with pytest.raises(ConfigError, match="empty"):
        build_trainer(empty, RunConfig(clusters=2, **SMALL))
    with pytest.raises(ConfigError, match="CUDA"):
        if not torch.cuda.is_available():
            resolve_device("cuda")
        else:
            raise ConfigError("CUDA present: nothing to check")


def test_parameter_free_model_is_done_at_once(two_cliques: Graph) -> None:
    class Fixed(torch.nn.Module):
        def forward(self, x, edge_index, edge_weight=None):
            return torch.full((x.size(0), 2), 0.5)

    trainer = Trainer(two_cliques, Fixed(), lambda s, e, w: {"total": s.sum()}, epochs=10, device="cpu")
    assert trainer.done and trainer.last.epoch == 0 and list(trainer.step(5)) == []


def test_collapse_detector() -> None:
    detector = CollapseDetector(patience=3)
    uniform = np.full((10, 4), 0.25)
    assert [detector.update(uniform) for _ in range(4)] == [False, False, True, True]
    sharp = np.eye(4)[np.arange(10) % 4]
    assert detector.update(sharp) is False
    one_cluster = np.tile([0.9, 0.05, 0.03, 0.02], (10, 1))
    assert detector.is_degenerate(one_cluster)


def _numbers(trainer: Trainer) -> list[dict[str, float]]:
    """The history without wall times (which differ from run to run); NaN (an undefined metric, e.g. the boundary
    sharpness while no edge is cut) as a string, so that equal histories compare equal."""
    return [{k: "nan" if v != v else v for k, v in row.items() if k != "elapsed"} for row in trainer.history]


def _adam_steps(trainer: Trainer) -> list[int]:
    return [int(slot["step"]) for slot in trainer.optimizer.state.values()]


def test_to_keeps_the_run_and_trains_on_identically(two_cliques: Graph) -> None:
    config = RunConfig(clusters=2, epochs=20, seed=5, lr=0.01, **SMALL)
    moved, still = build_trainer(two_cliques, config), build_trainer(two_cliques, config)
    list(moved.step(7)), list(still.step(7))
    last, best, history = moved.last, moved.best, list(moved.history)
    assert moved.to("cpu") is moved
    assert moved.epoch == 7 and moved.history == history and moved.last is last and moved.best is best
    assert moved.device == "cpu" and moved.torch_device.type == "cpu"
    assert _adam_steps(moved) == [7] * len(moved.optimizer.state)  # the optimiser state (moments, steps) is kept
    assert all(p.device.type == "cpu" for p in moved.model.parameters())
    np.testing.assert_array_equal(moved.predict(), still.predict())
    moved.run(), still.run()
    assert _numbers(moved) == _numbers(still)  # same optimiser steps as the trainer that never moved
    np.testing.assert_array_equal(moved.last.s, still.last.s)
    assert moved.summary()["device"] == "cpu"


def test_to_an_absent_device_leaves_the_trainer_where_it_was(two_cliques: Graph) -> None:
    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=5, **SMALL))
    list(trainer.step(2))
    absent = next((d for d in ("cuda", "mps") if d not in available_devices()), None)
    if absent is None:
        pytest.skip("every device is present")
    with pytest.raises(ConfigError, match="not available|no CUDA"):
        trainer.to(absent)
    assert trainer.torch_device.type == "cpu" and trainer.device == "cpu"
    assert [s.epoch for s in trainer.step(3)] == [3, 4, 5]


@pytest.mark.parametrize("where", ["after_the_optimiser_step", "before_the_optimiser_step"])
def test_a_failed_step_keeps_the_epoch_count_exact(two_cliques: Graph, where: str) -> None:
    """A device error part of the way through a step (simulated in the model's forward pass): the next step goes on
    exactly where the failed one stopped, so the run matches one that never failed, step for step."""
    config = RunConfig(clusters=2, epochs=12, seed=2, lr=0.01, **SMALL)
    failing, clean = build_trainer(two_cliques, config), build_trainer(two_cliques, config)
    list(failing.step(4)), list(clean.step(4))
    if where == "before_the_optimiser_step":
        failing.to("cpu")  # drops the pending forward pass: the next step's first forward precedes its optimiser step
    forward = failing.model.forward
    calls = {"n": 0}

    def fails_once(*args: object, **kwargs: object) -> torch.Tensor:
        calls["n"] += 1
        if calls["n"] == 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")
        return forward(*args, **kwargs)

    failing.model.forward = fails_once  # type: ignore[method-assign]
    with pytest.raises(torch.OutOfMemoryError, match="out of memory"):
        list(failing.step(3))
    taken = 5 if where == "after_the_optimiser_step" else 4
    assert failing.epoch == 4 and len(failing.history) == 5 and _adam_steps(failing) == \
        [taken] * len(failing.optimizer.state)
    assert [s.epoch for s in failing.step(3)] == [5, 6, 7]
    assert _adam_steps(failing) == [7] * len(failing.optimizer.state)  # one optimiser step per epoch, none twice
    failing.run(), clean.run()
    assert failing.epoch == clean.epoch == 12
    assert _numbers(failing) == _numbers(clean)
    np.testing.assert_array_equal(failing.last.s, clean.last.s)


@pytest.mark.slow
def test_a_compiled_trainer_follows_the_eager_run(two_cliques: Graph) -> None:
    config = RunConfig(clusters=2, hidden=(16,), mlp=(8,), epochs=6, seed=1, device="cpu")
    eager, compiled = build_trainer(two_cliques, config), build_trainer(two_cliques, config, compile=True)
    keys = list(compiled.model.state_dict())
    assert compiled.model._compiled_call_impl is not None and eager.model._compiled_call_impl is None
    for trainer in (eager, compiled):
        trainer.run()
    assert keys == list(eager.model.state_dict())  # compiled in place: the same parameter names
    for a, b in zip(_numbers(eager), _numbers(compiled)):
        assert a["epoch"] == b["epoch"]
        np.testing.assert_allclose(b["total"], a["total"], rtol=1e-4)
    np.testing.assert_allclose(compiled.last.s, eager.last.s, atol=1e-4)


@pytest.mark.slow
def test_a_failed_compilation_is_one_config_error(two_cliques: Graph, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path) -> None:  # noqa: ANN001
    import torch._dynamo
    import torch._inductor.config as inductor

    torch._dynamo.reset()
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path))  # no kernel compiled by an earlier run
    # (inductor's own patch: monkeypatch's undo would delete these keys from inductor's config)
    with inductor.patch({"fx_graph_cache": False, "cpp.cxx": (None, "/nonexistent/g++")}):
        with pytest.raises(ConfigError, match="torch.compile failed on this machine.*train without compile"):
            build_trainer(two_cliques, RunConfig(clusters=2, hidden=(8,), mlp=(), epochs=3, device="cpu"),
                          compile=True)
    torch._dynamo.reset()


def test_result_is_typed_and_summary_is_its_json(two_cliques: Graph) -> None:
    import dataclasses

    from gtvviz.features import node_features
    from gtvviz.train import RunSummary

    trainer = build_trainer(two_cliques, RunConfig(clusters=2, epochs=6, lr=0.01, **SMALL), metrics_every=4)
    trainer.run()
    result = trainer.result()
    assert isinstance(result, RunSummary) and result.epochs == 6 and result.device == "cpu"
    assert result.to_dict() == trainer.summary() and result.last["epoch"] == 6 and "nmi" in result.lowest_loss
    bare = dataclasses.replace(trainer.last, metrics={})  # as an epoch whose metrics were skipped
    assert trainer.metrics(bare)["nmi"] == pytest.approx(trainer.last.metrics["nmi"])
    assert torch.equal(trainer.features, node_features(two_cliques, seed=trainer.seed))
