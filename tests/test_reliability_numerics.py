"""Numerical robustness: property-based tests over random graphs and settings.

Graphs: one node, isolated nodes, complete graphs, paths, stars, disjoint cliques, disconnected random graphs, with
edge weights from 1e-6 to 1e6 (log-uniform, all tiny, all huge, or both mixed) and features that are absent, tiny,
huge, constant (every row the same, so every feature difference is exactly 0) or one-hot. Settings: K from 2 to N
(and N + 1, which :func:`~gtvviz.methods.build_trainer` must refuse with :class:`ConfigError`), alpha1 and alpha2
from 0 to 100, delta from 0 to 10, eps from 1e-8 to 1, learning rates from 1e-6 to 1, widths from 1 to 16.

Properties:

* every loss term and every gradient of the loss functions and of GTVConv is finite (:func:`check_loss_case`,
  :func:`check_layer_case`);
* training (:func:`check_training_case`) never yields a non-finite loss or assignment, and the trainer never meets a
  non-finite gradient while the settings stay below the overflow bound of :func:`log10_jacobian_bound`; above it
  (eps = 1e-8 with weights of 1e6 and several layers: the layer's Jacobian is up to 2 delta deg w / eps per layer,
  and its product over the layers exceeds float32), a run may diverge, and then it must stop cleanly: a
  :class:`TrainingDivergedError` with a clear message, the last finite snapshot kept, further steps refused, and
  Reset working.

The check functions return the outcome of one case and raise ``AssertionError`` on a failure; each property test
counts the outcomes (and, for training, features of the cases) in the ``observations`` fixture. In CI the examples
are few and derandomised (the same cases every run), so that the suite is quick and never flaky; the report script
(``benchmarks/reliability_report.py``) runs the same tests with ``GTVVIZ_RELIABILITY_SCALE`` times as many examples
and reads the counts back (see :data:`SCALE_ENV`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.losses import asym_cheeger_cut_loss, asym_norm_loss, gtv_loss

torch.set_num_threads(1)

#: Graph shapes the strategy draws from.
KINDS = ("single", "no_edges", "complete", "path", "star", "cliques", "random", "random_isolated")
#: How the edge weights are drawn.
WEIGHTS = ("none", "log_uniform", "all_tiny", "all_huge", "tiny_and_huge")
#: How the node features are drawn.
FEATURES = ("none", "gaussian", "tiny", "huge", "constant", "one_hot")
#: Above this bound (log10) on the product of the per-layer Jacobians a gradient may overflow float32 (3.4e38);
#: below it every run must stay finite. The margin of 13 orders covers the MLP, the loss and the activations.
STRICT_LOG10_BOUND = 25.0
#: Settings of the property tests: derandomised (the same cases every run), no example database on disk. The
#: ``observations`` fixture is function-scoped on purpose: one record accumulates over all examples of a test.
CI = dict(deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
#: The environment variable that multiplies the number of examples of every property test (unset: 1, as in CI).
SCALE_ENV = "GTVVIZ_RELIABILITY_SCALE"


def examples(count: int) -> int:
    """``count`` examples times ``$GTVVIZ_RELIABILITY_SCALE`` (at least one)."""
    return max(1, round(count * float(os.environ.get(SCALE_ENV) or 1)))


# ------------------------------------------------------------------------------------------------- strategies
@dataclass(frozen=True)
class GraphCase:
    """A random graph and how it was drawn (for messages and the report)."""

    graph: Graph
    kind: str
    weights: str
    features: str

    def __repr__(self) -> str:
        g = self.graph
        w = "" if g.edge_weight is None else (f", w in [{float(g.edge_weight.min()):.1e}, "
                                              f"{float(g.edge_weight.max()):.1e}]")
        return f"GraphCase({self.kind}, N={g.num_nodes}, E={g.num_edges}{w}, weights={self.weights}, " \
               f"features={self.features})"


def _edges(kind: str, n: int, rng: np.random.Generator) -> tuple[list[tuple[int, int]], int]:
    if kind == "complete":
        return [(i, j) for i in range(n) for j in range(i + 1, n)], n
    if kind == "path":
        return [(i, i + 1) for i in range(n - 1)], n
    if kind == "star":
        return [(0, i) for i in range(1, n)], n
    if kind == "cliques":  # disjoint cliques: a disconnected graph
        count = int(rng.integers(2, 5))
        size = max(1, n // count)
        return [(c * size + i, c * size + j) for c in range(count) for i in range(size)
                for j in range(i + 1, size)], count * size
    if kind in ("random", "random_isolated"):
        p = float(rng.uniform(0.05, 0.6))
        edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
        return edges, n + (int(rng.integers(1, 6)) if kind == "random_isolated" else 0)
    return [], n  # single, no_edges


@st.composite
def graph_cases(draw: Any, max_nodes: int = 24) -> GraphCase:
    """A random graph with random weights, features and (sometimes) labels."""
    kind = draw(st.sampled_from(KINDS))
    n = 1 if kind == "single" else draw(st.integers(2, max_nodes))
    weights = draw(st.sampled_from(WEIGHTS))
    features = draw(st.sampled_from(FEATURES))
    labelled = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    edges, n = _edges(kind, n, rng)
    m = len(edges)
    w = None
    if m and weights == "log_uniform":
        w = 10.0 ** rng.uniform(-6, 6, m)
    elif m and weights == "all_tiny":
        w = np.full(m, 1e-6)
    elif m and weights == "all_huge":
        w = np.full(m, 1e6)
    elif m and weights == "tiny_and_huge":
        w = rng.choice([1e-6, 1e6], m)
    x = None
    f = int(rng.integers(1, 6))
    if features == "gaussian":
        x = rng.normal(size=(n, f))
    elif features == "tiny":
        x = rng.normal(size=(n, f)) * 1e-6
    elif features == "huge":
        x = rng.normal(size=(n, f)) * 1e6
    elif features == "constant":
        x = np.ones((n, f))
    elif features == "one_hot":
        x = np.eye(f)[rng.integers(0, f, n)]
    y = rng.integers(0, 3, n) if labelled else None
    graph = Graph.from_edges(np.array(edges, dtype=np.int64).reshape(-1, 2), n, weights=w, x=x, y=y,
                             directed=False, name=kind)
    return GraphCase(graph, kind, weights, features)


def _log_uniform(low: float, high: float, zero: bool = False) -> st.SearchStrategy[float]:
    """Values from ``low`` to ``high``, log-uniform, with the bounds (and 0 when allowed) drawn often."""
    inner = st.floats(math.log10(low), math.log10(high)).map(lambda e: float(10.0**e))
    edges = [low, high] + ([0.0] if zero else [])
    return st.one_of(st.sampled_from(edges), inner).map(lambda v: min(max(v, 0.0 if zero else low), high))


@st.composite
def run_configs(draw: Any, num_nodes: int, max_layers: int = 3, epochs: tuple[int, int] = (2, 6)) -> RunConfig:
    """Random settings over the whole range that :class:`RunConfig` allows (but depth and epochs, kept small)."""
    top = max(2, num_nodes)
    pick = draw(st.integers(0, 9))  # K = N + 1 (refused) one time in ten, K = 2 or K = N two in ten, else any K
    clusters = num_nodes + 1 if pick == 0 else draw(st.sampled_from([2, top])) if pick < 3 else \
        draw(st.integers(2, top))
    return RunConfig(
        graph="karate",  # not used: the tests pass the graph itself
        clusters=max(2, clusters),
        alpha1=draw(_log_uniform(1e-3, 100.0, zero=True)),
        alpha2=draw(_log_uniform(1e-3, 100.0, zero=True)),
        delta=draw(_log_uniform(1e-3, 10.0, zero=True)),
        eps=draw(_log_uniform(1e-8, 1.0)),
        hidden=tuple(draw(st.lists(st.integers(1, 16), min_size=1, max_size=max_layers))),
        mlp=tuple(draw(st.lists(st.integers(1, 16), max_size=1))),
        lr=draw(_log_uniform(1e-6, 1.0)),
        epochs=draw(st.integers(*epochs)),
        seed=draw(st.integers(0, 2**31 - 1)),
        device="cpu",
        warmup=draw(st.sampled_from([0, 0, 2])),
    )


@st.composite
def training_cases(draw: Any, max_nodes: int = 24, max_layers: int = 3,
                   epochs: tuple[int, int] = (2, 6)) -> tuple[GraphCase, RunConfig]:
    case = draw(graph_cases(max_nodes))
    return case, draw(run_configs(case.graph.num_nodes, max_layers, epochs))


@dataclass(frozen=True)
class LossCase:
    s: torch.Tensor
    edge_index: torch.Tensor
    edge_weight: torch.Tensor | None
    batch: torch.Tensor | None
    alpha1: float
    alpha2: float
    form: str

    def __repr__(self) -> str:
        return (f"LossCase(N={self.s.size(0)}, K={self.s.size(1)}, M={self.edge_index.size(1)}, form={self.form}, "
                f"weighted={self.edge_weight is not None}, batched={self.batch is not None}, "
                f"alpha=({self.alpha1:.3g}, {self.alpha2:.3g}))")


@st.composite
def loss_cases(draw: Any) -> LossCase:
    """A soft assignment (K may exceed N, as when pooling a small graph) with random edges, weights and batch."""
    n, k = draw(st.integers(1, 30)), draw(st.integers(2, 12))
    form = draw(st.sampled_from(["softmax", "sharp_softmax", "one_hot", "uniform", "one_cluster", "with_zeros"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    logits = torch.as_tensor(rng.normal(size=(n, k)), dtype=torch.float32)
    if form == "softmax":
        s = logits.softmax(-1)
    elif form == "sharp_softmax":  # logits up to 1e4: rows with exact 0 and 1 entries
        s = (logits * 1e4).softmax(-1)
    elif form == "one_hot":
        s = torch.nn.functional.one_hot(torch.as_tensor(rng.integers(0, k, n)), k).float()
    elif form == "uniform":
        s = torch.full((n, k), 1.0 / k)
    elif form == "one_cluster":
        s = torch.nn.functional.one_hot(torch.zeros(n, dtype=torch.long), k).float()
    else:
        s = logits.softmax(-1) * torch.as_tensor(rng.random((n, k)) > 0.5)
        s = s / s.sum(-1, keepdim=True).clamp_min(1e-12)
    density = draw(st.floats(0, 1))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < density]
    edge_index = torch.tensor(pairs + [(j, i) for i, j in pairs], dtype=torch.long).reshape(-1, 2).t().contiguous()
    weights = draw(st.sampled_from(["none", "log_uniform", "with_zeros"]))
    edge_weight = None
    if weights != "none":
        half = torch.as_tensor(10.0 ** rng.uniform(-6, 6, len(pairs)), dtype=torch.float32)
        if weights == "with_zeros":
            half = half * torch.as_tensor(rng.random(len(pairs)) > 0.3)
        edge_weight = torch.cat([half, half])
    batch = None
    if draw(st.booleans()):  # up to 4 graphs; some graph ids may have no node at all
        batch = torch.as_tensor(np.sort(rng.integers(0, 4, n)), dtype=torch.long)
        if edge_index.numel():  # keep only the edges inside one graph
            keep = batch[edge_index[0]] == batch[edge_index[1]]
            edge_index = edge_index[:, keep]
            edge_weight = None if edge_weight is None else edge_weight[keep]
    alpha1, alpha2 = draw(_log_uniform(1e-3, 100.0, zero=True)), draw(_log_uniform(1e-3, 100.0, zero=True))
    return LossCase(s, edge_index, edge_weight, batch, alpha1, alpha2, form)


@dataclass(frozen=True)
class LayerCase:
    graph: GraphCase
    scale: float
    identical_rows: bool
    out_channels: int
    delta: float
    eps: float
    act: str | None

    def __repr__(self) -> str:
        return (f"LayerCase({self.graph!r}, x scale={self.scale:.1e}, identical_rows={self.identical_rows}, "
                f"H={self.out_channels}, delta={self.delta:.3g}, eps={self.eps:.1e}, act={self.act})")


@st.composite
def layer_cases(draw: Any) -> LayerCase:
    return LayerCase(draw(graph_cases()), draw(_log_uniform(1e-6, 1e6)), draw(st.booleans()), draw(st.integers(1, 16)),
                     draw(_log_uniform(1e-3, 10.0, zero=True)), draw(_log_uniform(1e-8, 1.0)),
                     draw(st.sampled_from(["relu", "elu", None])))


# ------------------------------------------------------------------------------------------------- checks
def _finite(t: torch.Tensor) -> bool:
    return bool(torch.isfinite(t).all())


def check_loss_case(case: LossCase) -> str:
    """Every loss term and its gradient is finite; the terms stay in their documented ranges. Returns ``finite``."""
    s = case.s.clone().requires_grad_(True)
    terms = asym_cheeger_cut_loss(s, case.edge_index, case.edge_weight, case.alpha1, case.alpha2, batch=case.batch)
    for name, value in terms.items():
        assert _finite(value), f"{name} = {value} for {case!r}"
    terms["total"].backward()
    assert s.grad is not None and _finite(s.grad), f"non-finite dLoss/dS for {case!r}"
    per_graph_balance = asym_norm_loss(case.s, batch=case.batch, reduce=False)
    per_graph_gtv = gtv_loss(case.s, case.edge_index, case.edge_weight, batch=case.batch, reduce=False)
    assert _finite(per_graph_balance) and _finite(per_graph_gtv), f"non-finite per-graph terms for {case!r}"
    assert bool(((per_graph_balance >= -1e-5) & (per_graph_balance <= 1 + 1e-5)).all()), \
        f"balance outside [0, 1]: {per_graph_balance} for {case!r}"
    if case.edge_weight is None:
        assert bool(((per_graph_gtv >= 0) & (per_graph_gtv <= 1 + 1e-5)).all()), \
            f"unweighted GTV outside [0, 1]: {per_graph_gtv} for {case!r}"
    return "finite"


def check_layer_case(case: LayerCase) -> str:
    """One GTVConv layer: finite output, finite positive Gamma, finite gradients for its input and parameters."""
    g = case.graph.graph
    generator = torch.Generator().manual_seed(g.num_nodes)
    x = torch.randn(g.num_nodes, 4, generator=generator) * case.scale
    if case.identical_rows:
        x = x[:1].expand(g.num_nodes, 4).clone()
    x.requires_grad_(True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        conv = GTVConv(4, case.out_channels, delta_coeff=case.delta, eps=case.eps, act=case.act)
    out = conv(x, g.edge_index, g.edge_weight)
    assert out.shape == (g.num_nodes, case.out_channels) and _finite(out), f"non-finite output for {case!r}"
    gamma = conv.edge_gamma(x.detach(), g.edge_index, g.edge_weight)
    assert _finite(gamma) and bool((gamma > 0).all()), f"bad Gamma for {case!r}"
    weights = torch.randn(out.shape, generator=generator)
    (out * weights).sum().backward()
    grads = [x.grad, *(p.grad for p in conv.parameters())]
    assert all(grad is not None and _finite(grad) for grad in grads), f"non-finite gradient for {case!r}"
    return "finite"


def log10_jacobian_bound(graph: Graph, config: RunConfig) -> float:
    r"""log10 of a bound on the product over the GTVConv layers of :math:`1 + 2\delta \max_i \sum_j w_{ij} / \epsilon`.

    Per layer, the message :math:`\Gamma_{ij}(\tilde x_i - \tilde x_j)` has a Jacobian of norm up to
    :math:`2 w_{ij} / \epsilon` (where :math:`\lVert \tilde x_i - \tilde x_j \rVert_1 \le \epsilon`, e.g. between
    neighbours with equal features), so a gradient can grow by this factor per layer on its way back.
    """
    if graph.num_edges == 0:
        return 0.0
    weight = torch.ones(graph.edge_index.size(1)) if graph.edge_weight is None else graph.edge_weight.double()
    degree = torch.zeros(graph.num_nodes, dtype=torch.float64).index_add_(0, graph.edge_index[0], weight.double())
    per_layer = 1.0 + 2.0 * config.delta * float(degree.max()) / config.eps
    return len(config.hidden) * math.log10(per_layer)


def _assert_snapshot_finite(snapshot: Any, where: str) -> None:
    assert np.isfinite(snapshot.s).all(), f"non-finite assignment at epoch {snapshot.epoch} ({where})"
    assert np.allclose(snapshot.s.sum(axis=1), 1.0, atol=1e-4), f"rows of S do not sum to 1 ({where})"
    assert all(math.isfinite(v) for v in snapshot.losses.values()), f"non-finite loss {snapshot.losses} ({where})"


def check_training_case(case: GraphCase, config: RunConfig) -> str:
    """Build a trainer and run it; return ``rejected`` (K > N: ConfigError), ``finite`` (every epoch finite) or
    ``diverged`` (a clean stop above the overflow bound). Raise ``AssertionError`` on anything else."""
    graph = case.graph
    where = f"{case!r}, {config}"
    try:
        trainer = build_trainer(graph, config)
    except ConfigError as err:
        assert config.clusters > graph.num_nodes, f"unexpected ConfigError {err} for {where}"
        assert f"more than the {graph.num_nodes} nodes" in str(err), str(err)
        return "rejected"
    assert config.clusters <= graph.num_nodes, f"K > N was accepted for {where}"
    assert trainer.last is not None
    _assert_snapshot_finite(trainer.last, where)
    try:
        for snapshot in trainer.step(config.epochs):
            _assert_snapshot_finite(snapshot, where)
    except TrainingDivergedError as err:
        bound = log10_jacobian_bound(graph, config)
        assert bound > STRICT_LOG10_BOUND, f"diverged below the overflow bound (10^{bound:.1f}): {err} for {where}"
        _check_clean_divergence(trainer, str(err), where)
        return "diverged"
    assert trainer.epoch == config.epochs and trainer.last.epoch == config.epochs
    return "finite"


def _check_clean_divergence(trainer: Any, message: str, where: str) -> None:
    """A diverged trainer says so clearly, keeps the last finite snapshot, refuses to go on, and can be reset."""
    assert "diverged at epoch" in message and "last good snapshot is kept" in message, message
    last = trainer.last
    assert last is not None and last.epoch == trainer.epoch, where
    _assert_snapshot_finite(last, where)
    assert trainer.history[-1]["epoch"] == last.epoch
    if "a gradient" in message:  # the optimiser step was not taken: the model is still the last good one
        assert all(_finite(p) for p in trainer.model.parameters()), where
    with pytest.raises(TrainingDivergedError):
        list(trainer.step(1))
    assert trainer.last is last
    again = trainer.reset()
    assert again.epoch == 0 and not trainer.diverged
    _assert_snapshot_finite(again, where)


# ------------------------------------------------------------------------------------------------- counting
def training_features(case: GraphCase, config: RunConfig) -> dict[str, str]:
    """What a training case covers, for the report: graph, weights, features, K, lr, eps and the overflow zone."""
    n, k = case.graph.num_nodes, config.clusters
    above = log10_jacobian_bound(case.graph, config) > STRICT_LOG10_BOUND
    return {
        "graph": case.kind, "weights": case.weights, "features": case.features,
        "K": "K > N" if k > n else "K = N" if k == n else "K = 2" if k == 2 else "2 < K < N",
        "lr": "lr = 1" if config.lr >= 1 else "lr <= 1e-5" if config.lr <= 1e-5 else "other",
        "eps": "eps = 1e-8" if config.eps <= 1e-8 else "other",
        "zone": "above the overflow bound" if above else "below the overflow bound",
    }


def observe(observations: dict[str, Any], check: Any, *args: Any, features: dict[str, str] | None = None) -> str:
    """Run ``check(*args)`` and count its outcome (and ``features``) in ``observations``; a failure is counted as
    ``failed`` and raised. After a failure hypothesis only shrinks (replays smaller cases): those are not counted."""
    if observations.get("outcomes", {}).get("failed"):
        return check(*args)
    outcomes = observations.setdefault("outcomes", {})
    try:
        outcome = check(*args)
    except BaseException:
        outcomes["failed"] = 1
        observations["failure"] = repr(args)[:600]
        raise
    outcomes[outcome] = outcomes.get(outcome, 0) + 1
    for key, value in (features or {}).items():
        counts = observations.setdefault("features", {}).setdefault(key, {})
        counts[value] = counts.get(value, 0) + 1
    if outcome == "diverged":
        observations.setdefault("diverged", []).append(repr(args)[:600])
    return outcome


# ------------------------------------------------------------------------------------------------- CI tests
@settings(max_examples=examples(250), **CI)
@given(case=loss_cases())
def test_losses_and_their_gradients_are_finite(observations: dict[str, Any], case: LossCase) -> None:
    observe(observations, check_loss_case, case)


@settings(max_examples=examples(150), **CI)
@given(case=layer_cases())
def test_gtvconv_output_and_gradients_are_finite(observations: dict[str, Any], case: LayerCase) -> None:
    observe(observations, check_layer_case, case)


@settings(max_examples=examples(100), **CI)
@given(case=training_cases())
def test_training_stays_finite_or_stops_cleanly(observations: dict[str, Any],
                                                case: tuple[GraphCase, RunConfig]) -> None:
    observations["strict_log10_bound"] = STRICT_LOG10_BOUND
    observe(observations, check_training_case, *case, features=training_features(*case))


@pytest.mark.slow
@settings(max_examples=examples(15), **CI)
@given(case=training_cases(max_nodes=16, max_layers=8, epochs=(10, 40)))
def test_deep_longer_training_stays_finite_or_stops_cleanly(observations: dict[str, Any],
                                                            case: tuple[GraphCase, RunConfig]) -> None:
    """Up to 8 layers and 40 epochs: the region where the overflow bound is crossed and clean stops happen."""
    observations["strict_log10_bound"] = STRICT_LOG10_BOUND
    observe(observations, check_training_case, *case, features=training_features(*case))


@pytest.mark.parametrize("clusters", [2, 3, 50])
def test_one_node_graph_is_refused_with_a_message(clusters: int) -> None:
    """K > N for every K >= 2: refused up front, never a NaN."""
    graph = Graph.from_edges(np.empty((0, 2), dtype=np.int64), 1)
    with pytest.raises(ConfigError, match="more than the 1 nodes"):
        build_trainer(graph, RunConfig(clusters=clusters, hidden=(8,), mlp=(8,), device="cpu"))


def test_losses_of_one_node_with_more_clusters_than_nodes() -> None:
    """The pooling case K > N (one node, K = 2..8): finite terms and gradients."""
    for k in range(2, 9):
        s = torch.rand(1, k).softmax(-1).requires_grad_(True)
        terms = asym_cheeger_cut_loss(s, torch.empty(2, 0, dtype=torch.long))
        terms["total"].backward()
        assert all(_finite(v) for v in terms.values()) and _finite(s.grad)
        assert float(terms["gtv"].detach()) == 0.0 and float(terms["balance"].detach()) == pytest.approx(1.0)


def test_huge_but_finite_features_are_refused_before_training() -> None:
    """Features of +-3e38 (finite float32, e.g. from an uploaded node table) overflow when they are row-normalised.

    The trainer used to start anyway with a NaN epoch-0 snapshot, then stop at epoch 1 keeping that NaN snapshot as
    "the last good one". It now refuses to start, with a message.
    """
    x = np.zeros((6, 2), dtype=np.float32)
    x[0, 0], x[1, 1] = 3e38, -3e38
    graph = Graph.from_edges([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], 6, x=x, directed=False)
    with pytest.raises(TrainingDivergedError, match="cannot start"):
        build_trainer(graph, RunConfig(clusters=2, hidden=(8,), mlp=(8,), device="cpu", normalize="row"))


def test_a_link_reachable_overflow_stops_cleanly() -> None:
    """The settings of the app's divergence test: ring_of_cliques (cliques: equal neighbour features, so Gamma = 1 /
    eps), 8 layers, eps = 1e-8, delta = 10. The gradient overflows float32 at once; the run stops cleanly."""
    from gtvviz.data import load_graph

    graph = load_graph("ring_of_cliques")
    config = RunConfig(graph="ring_of_cliques", clusters=6, hidden=(16,) * 8, mlp=(8,), eps=1e-8, delta=10.0,
                       lr=1.0, epochs=20, device="cpu")
    assert log10_jacobian_bound(graph, config) > STRICT_LOG10_BOUND
    trainer = build_trainer(graph, config)
    with pytest.raises(TrainingDivergedError, match="diverged at epoch 1: a gradient") as info:
        list(trainer.step(5))
    _check_clean_divergence(trainer, str(info.value), "ring_of_cliques link")


def test_a_step_that_fails_part_way_leaves_the_trainer_usable() -> None:
    from gtvviz.data import load_graph

    trainer = build_trainer(load_graph("karate"), RunConfig(hidden=(8,), mlp=(8,), epochs=10, device="cpu"))
    list(trainer.step(2))
    forward = trainer.model.forward
    calls = {"n": 0}

    def failing_once(*args: Any, **kwargs: Any) -> torch.Tensor:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")
        return forward(*args, **kwargs)

    trainer.model.forward = failing_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="out of memory"):
        list(trainer.step(1))
    trainer.model.forward = forward  # type: ignore[method-assign]
    assert [s.epoch for s in trainer.step(2)] == [3, 4]
