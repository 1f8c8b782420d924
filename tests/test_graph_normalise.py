"""The edge normalisation of Graph.from_edges (one key per edge, sorted in place, the output built over the keys)
and the symmetry check of Graph.validate, against plain-Python versions of their contracts, with chunks small
enough that every pass crosses chunk boundaries."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from gtvviz import graph as graph_module
from gtvviz.errors import GraphRepairWarning
from gtvviz.graph import Graph


def _by_hand(src, dst, weights, directed: bool):
    """The normalised (row, col, weight) entries and the repair messages, computed edge by edge with dicts."""
    messages = []
    weights = [1.0] * len(src) if weights is None else [float(w) for w in weights]
    if any(w == 0 for w in weights):
        messages.append(f"Dropped {sum(w == 0 for w in weights)} edges of weight 0.")
    edges = [(s, t, w) for s, t, w in zip(src, dst, weights) if w != 0]
    if any(s == t for s, t, _ in edges):
        messages.append(f"Dropped {sum(s == t for s, t, _ in edges)} self-loops (they cancel in the graph "
                        "Laplacian anyway).")
    summed: dict[tuple[int, int], float] = {}
    for s, t, w in edges:
        if s != t:
            key = (s, t) if directed else (min(s, t), max(s, t))
            summed[key] = summed.get(key, 0.0) + w
    kept = sum(s != t for s, t, _ in edges)
    if len(summed) < kept:
        messages.append(f"Merged {kept - len(summed)} duplicate edges (their weights are summed).")
    one_way = sum((t, s) not in summed for s, t in summed)
    if one_way and directed:
        messages.append(f"Symmetrised {one_way} directed edges by adding their reverse edges.")
    entries, differ = [], False
    for (s, t), w in summed.items():
        if (t, s) in summed:
            mean = (summed[(min(s, t), max(s, t))] + summed[(max(s, t), min(s, t))]) / 2
            differ |= abs(max(w, summed[(t, s)]) - mean) > 1e-12 * max(1.0, mean)
            w = mean
        entries += [(s, t, w), (t, s, w)]
    if differ:
        messages.append("Some edges had different weights in the two directions; their mean is used.")
    return sorted(set(entries)), messages


@pytest.fixture(params=[1, 3, None], ids=["chunk1", "chunk3", "default"])
def chunk(request, monkeypatch) -> None:
    if request.param is not None:
        monkeypatch.setattr(graph_module, "_CHUNK", request.param)


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_the_normalised_graph_is_the_one_built_by_hand(chunk, directed: bool, weighted: bool) -> None:
    rng = np.random.default_rng(3)
    for m, n in [(0, 1), (1, 2), (6, 3), (40, 6), (300, 12)]:
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        weights = np.round(rng.random(m) * 3, 1) if weighted else None  # some 0, some directions equal
        entries, messages = _by_hand(src.tolist(), dst.tolist(), None if weights is None else weights.tolist(),
                                     directed)
        with pytest.warns(GraphRepairWarning) if messages else warnings.catch_warnings():
            if not messages:
                warnings.simplefilter("error")
            graph = Graph.from_edges((src, dst), n, weights=weights, directed=directed)
        assert graph.edge_index.tolist() == [[r for r, _, _ in entries], [c for _, c, _ in entries]]
        if weighted:
            assert torch.equal(graph.edge_weight, torch.tensor([w for _, _, w in entries], dtype=torch.float32))
        else:
            assert graph.edge_weight is None
        assert graph.warnings == messages


def test_the_callers_arrays_are_left_unchanged_and_not_shared_with_the_graph() -> None:
    src = np.array([3, 0, 2, 1, 1], dtype=np.int32)
    dst = np.array([0, 3, 1, 2, 1], dtype=np.int64)
    before = src.copy(), dst.copy()
    with pytest.warns(GraphRepairWarning):  # a self-loop and two duplicates
        graph = Graph.from_edges((src, dst), 4, directed=False)
    assert np.array_equal(src, before[0]) and np.array_equal(dst, before[1])
    assert graph.edge_index.tolist() == [[0, 1, 2, 3], [3, 2, 1, 0]]
    assert not np.shares_memory(graph.edge_index.numpy(), src) and not np.shares_memory(graph.edge_index.numpy(), dst)


def _symmetric_by_hand(edge_index: torch.Tensor, edge_weight: torch.Tensor | None) -> bool:
    """The same multiset of entries read forwards and backwards, each entry's weight equal to its reverse's."""
    entries = [tuple(e) for e in edge_index.t().tolist()]
    if sorted(entries) != sorted((j, i) for i, j in entries):
        return False
    if edge_weight is None:
        return True
    weight = dict(zip(entries, edge_weight.tolist()))
    return all(abs(weight[(i, j)] - weight[(j, i)]) <= 1e-5 * abs(weight[(j, i)]) for i, j in entries)


@pytest.mark.filterwarnings("ignore::gtvviz.errors.GraphRepairWarning")
def test_the_symmetry_check_answers_as_by_hand(chunk) -> None:
    rng = np.random.default_rng(5)
    answers = []
    for trial in range(300):
        n = int(rng.integers(1, 10))
        graph = Graph.from_edges(rng.integers(0, n, (2, int(rng.integers(1, 30)))), n)
        edge_index = graph.edge_index.clone()
        edge_weight = None if trial % 2 else torch.rand(edge_index.shape[1]) + 0.5
        if edge_weight is not None:  # symmetric weights: the mean of the two directions
            flipped = {(i, j): w for (j, i), w in zip(edge_index.t().tolist(), edge_weight.tolist())}
            edge_weight = torch.tensor([(w + flipped[(i, j)]) / 2 for (i, j), w in
                                        zip(edge_index.t().tolist(), edge_weight.tolist())])
        change = trial % 5
        if change == 1 and edge_index.shape[1]:  # one entry without its reverse
            edge_index = edge_index[:, 1:]
            edge_weight = None if edge_weight is None else edge_weight[1:]
        elif change == 2 and edge_weight is not None and len(edge_weight):  # one weight off by 3e-5
            edge_weight[int(rng.integers(len(edge_weight)))] *= 1 + 3e-5
        elif change == 3 and edge_index.shape[1] > 1:  # unsorted
            order = torch.as_tensor(rng.permutation(edge_index.shape[1]))
            edge_index = edge_index[:, order]
            edge_weight = None if edge_weight is None else edge_weight[order]
        elif change == 4 and edge_index.shape[1]:  # an entry twice
            edge_index = torch.cat([edge_index, edge_index[:, :1]], 1)
            edge_weight = None if edge_weight is None else torch.cat([edge_weight, edge_weight[:1]])
        expected = _symmetric_by_hand(edge_index, edge_weight)
        assert graph_module._is_symmetric(edge_index, edge_weight, n) == expected
        answers.append(expected)
    assert 50 < sum(answers) < 250  # both answers are exercised


def test_next_slots_counts_each_group_in_order() -> None:
    rng = np.random.default_rng(7)
    groups = rng.integers(0, 5, 60)
    next_free = np.array([0, 100, 200, 300, 400])
    expected, free = [], next_free.tolist()
    for g in groups.tolist():
        expected.append(free[g])
        free[g] += 1
    assert graph_module._next_slots(groups, next_free).tolist() == expected
    assert next_free.tolist() == free
