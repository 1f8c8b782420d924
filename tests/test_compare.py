"""The multi-method runner: cluster matching, boundary nodes, lock-step training, seeds and tables."""

from __future__ import annotations

import numpy as np
import pytest

from gtvviz.compare import (TRUTH, Comparison, align_assignment, cluster_permutation,
                            format_table, mean_std, parse_methods, relaxed_and_sharp, run_one, run_seeds, summarise,
                            verdict)
from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.graph import Graph
from gtvviz.metrics import boundary_nodes
from gtvviz.viz.assignment import SHARE_LEVELS
from gtvviz.viz.compare_figures import (CONTEXT_OPACITY, NOTE_COLOR, compare_graph_figure, relaxed_figure,
                                        sharpness_histograms_figure)

SMALL = RunConfig(clusters=2, hidden=(16,), mlp=(8,), lr=1e-2, epochs=20, device="cpu")


def two_cliques(labels: bool = True) -> Graph:
    edges = [(i, j) for c in (0, 5) for i in range(c, c + 5) for j in range(i + 1, c + 5)] + [(4, 5)]
    return Graph.from_edges(np.array(edges).T, 10, y=[0] * 5 + [1] * 5 if labels else None)


def test_parse_methods() -> None:
    assert parse_methods("tvgnn, Spectral,tvgnn") == ("tvgnn", "spectral")
    assert parse_methods(["dmon"]) == ("dmon",)
    with pytest.raises(ConfigError, match="Unknown method 'louvain'"):
        parse_methods("tvgnn,louvain")
    with pytest.raises(ConfigError, match="at least one"):
        parse_methods(" , ")


def test_cluster_permutation_is_a_full_permutation() -> None:
    reference = np.array([0, 0, 1, 1, 2, 2])
    perm = cluster_permutation(reference, np.array([2, 2, 0, 0, 1, 1]), 3)
    np.testing.assert_array_equal(perm, [1, 2, 0])
    # Cluster 2 is unused: it still gets the free id.
    np.testing.assert_array_equal(np.sort(cluster_permutation(reference, np.array([1, 1, 0, 0, 0, 0]), 3)),
                                  [0, 1, 2])
    # A reference with more classes than K never yields an id >= K.
    perm = cluster_permutation(np.array([0, 1, 2, 3, 3, 3]), np.array([0, 0, 0, 1, 1, 1]), 2)
    assert sorted(perm.tolist()) == [0, 1]
    # Unknown reference labels (-1) are ignored.
    np.testing.assert_array_equal(cluster_permutation(np.array([-1, -1, 1, 0]), np.array([0, 0, 0, 1]), 2),
                                  [1, 0])


def test_align_assignment_moves_columns() -> None:
    s = np.array([[0.9, 0.1, 0.0], [0.2, 0.0, 0.8]])
    aligned = align_assignment(s, np.array([2, 0, 1]))
    np.testing.assert_array_equal(aligned, [[0.1, 0.0, 0.9], [0.0, 0.8, 0.2]])


def test_comparison_trains_in_step_and_matches_clusters() -> None:
    graph = two_cliques()
    comparison = Comparison(graph, SMALL, ("tvgnn", "spectral", "mincut"))
    assert comparison.epoch == 0 and not comparison.done
    comparison.step(5)
    epochs = {m: t.epoch for m, t in comparison.trainers.items()}
    assert epochs == {"tvgnn": 5, "spectral": 0, "mincut": 5} and comparison.epoch == 5
    comparison.step(100)
    assert comparison.done and comparison.epoch == SMALL.epochs
    for reference in ("tvgnn", TRUTH):
        aligned = comparison.aligned(reference)
        assert list(aligned) == ["tvgnn", "spectral", "mincut"]
        ref = comparison.reference_labels(reference)
        for s in aligned.values():
            assert s.shape == (10, 2)
            assert (s.argmax(axis=1) == ref).mean() >= 0.5
    spectral = comparison.aligned(TRUTH)["spectral"].argmax(axis=1)
    np.testing.assert_array_equal(spectral, graph.y.numpy())  # type: ignore[union-attr]
    results = comparison.results()
    assert results["spectral"]["nmi"] == pytest.approx(1.0) and results["tvgnn"]["epoch"] == SMALL.epochs
    assert all(r["seconds"] >= 0 for r in results.values())
    comparison.reset()
    assert comparison.epoch == 0


def test_comparison_rejects_bad_references() -> None:
    comparison = Comparison(two_cliques(labels=False), SMALL, ("spectral",))
    with pytest.raises(ConfigError, match="no ground-truth"):
        comparison.aligned(TRUTH)
    with pytest.raises(ConfigError, match="Cannot match"):
        comparison.aligned("tvgnn")


def test_a_diverging_method_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    comparison = Comparison(two_cliques(), SMALL, ("tvgnn", "mincut"))

    def diverge(n: int = 1):  # noqa: ANN202
        raise TrainingDivergedError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(comparison.trainers["tvgnn"], "step", diverge)
    comparison.step(SMALL.epochs)
    assert comparison.errors == {"tvgnn": "boom"} and comparison.done
    assert comparison.trainers["mincut"].epoch == SMALL.epochs


def test_run_seeds_summary_and_progress() -> None:
    graph = two_cliques()
    counted: dict[str, int] = {}

    def progress(label: str, n: int) -> None:
        counted[label] = counted.get(label, 0) + n

    streamed: list[dict] = []
    rows = run_seeds(graph, SMALL.replace(seed=3), ("tvgnn", "kmeans"), seeds=2, progress=progress,
                     on_row=streamed.append)
    assert [(r["method"], r["seed"]) for r in rows] == [("tvgnn", 3), ("tvgnn", 4), ("kmeans", 3), ("kmeans", 4)]
    assert streamed == rows
    assert counted == {f"{m} seed {s}": SMALL.epochs for m in ("tvgnn", "kmeans") for s in (3, 4)}
    summary = summarise(rows)
    assert list(summary) == ["tvgnn", "kmeans"]
    entry = summary["tvgnn"]
    for name in ("nmi", "acc", "ari", "sharpness", "cut_fraction", "seconds", "collapsed", "diverged"):
        values = [float(r[name]) for r in rows if r["method"] == "tvgnn"]
        assert entry[name] == pytest.approx(np.mean(values)) and entry[f"{name}_std"] == pytest.approx(np.std(values))
    assert entry["runs"] == 2 and "seed" not in entry and "epoch" not in entry
    with pytest.raises(ConfigError):
        run_seeds(graph, SMALL, ("tvgnn",), seeds=0)


def test_summary_leaves_undefined_runs_out_of_a_metric() -> None:
    nan = float("nan")
    rows = [{"method": "m", "seed": 0, "boundary_sharpness": 0.8, "never": nan},
            {"method": "m", "seed": 1, "boundary_sharpness": nan, "never": nan},
            {"method": "m", "seed": 2, "boundary_sharpness": 0.6, "never": nan}]
    entry = summarise(rows)["m"]
    assert entry["boundary_sharpness"] == pytest.approx(0.7) and entry["boundary_sharpness_std"] == pytest.approx(0.1)
    assert np.isnan(entry["never"]) and entry["runs"] == 3


def test_table_shows_undefined_metrics_as_n_a() -> None:
    summary = {"mincut": {"nmi": 0.0, "nmi_std": 0.0, "boundary_sharpness": None, "boundary_sharpness_std": None},
               "tvgnn": {"nmi": 0.9, "nmi_std": 0.05, "boundary_sharpness": float("nan"),
                         "boundary_sharpness_std": float("nan")}}
    table = format_table(summary, markdown=True)
    assert table.splitlines()[2] == "| mincut | 0.000 ± 0.000 | n/a |"
    assert table.splitlines()[3] == "| tvgnn | 0.900 ± 0.050 | n/a |"
    assert mean_std({"nmi": 0.5}, "acc") == "-"


def test_run_one_is_reproducible() -> None:
    first = run_one(two_cliques(), SMALL.replace(method="dmon"))
    second = run_one(two_cliques(), SMALL.replace(method="dmon"))
    assert {k: v for k, v in first.items() if k != "seconds"} == {k: v for k, v in second.items() if k != "seconds"}


def test_format_table() -> None:
    summary = {"tvgnn": {"nmi": 0.5, "nmi_std": 0.25, "seconds": 1.0, "seconds_std": 0.0},
               "spectral": {"seconds": 2.0, "seconds_std": 0.5}}
    text = format_table(summary)
    assert text.splitlines()[0].split() == ["method", "nmi", "seconds"]
    assert "0.500 ± 0.250" in text and "2.00 ± 0.50" in text and " - " in text
    markdown = format_table(summary, markdown=True).splitlines()
    assert markdown[0] == "| method | nmi | seconds |" and markdown[1] == "|---|---|---|"
    assert markdown[3] == "| spectral | - | 2.00 ± 0.50 |"


def test_relaxed_and_sharp_share_one_scale() -> None:
    fiedler = np.array([-2.0, -1.0, 1.0, 3.0])
    s = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.0, 1.0]])
    relaxed, sharp = relaxed_and_sharp(fiedler, s)
    np.testing.assert_allclose(relaxed, [0.0, 0.2, 0.6, 1.0])
    np.testing.assert_array_equal(sharp, s[:, 1])
    relaxed, sharp = relaxed_and_sharp(-fiedler, s)  # the sign of an eigenvector is arbitrary
    np.testing.assert_allclose(relaxed, [1.0, 0.8, 0.4, 0.0])
    np.testing.assert_array_equal(sharp, s[:, 0])
    flat, _ = relaxed_and_sharp(np.zeros(4), s)
    np.testing.assert_array_equal(flat, 0.5)


def test_compare_figures() -> None:
    graph = two_cliques()
    pos = np.random.default_rng(0).random((10, 2))
    s = np.eye(2)[graph.y.numpy()]  # type: ignore[union-attr]
    smooth = np.full((10, 2), 0.5)
    assignments = {"tvgnn": s, "mincut": smooth, "dmon": smooth, "spectral": s}
    fig = compare_graph_figure(graph, pos, assignments, columns=3)
    assert [a.text for a in fig.layout.annotations] == list(assignments)
    assert len(fig.data) == (2 + SHARE_LEVELS) * len(assignments)  # edges, GTV-share levels, nodes per panel
    assert fig.layout.xaxis4.matches == "x" and fig.layout.yaxis4.matches == "y"
    assert fig.layout.height == 2 * 380
    focus = boundary_nodes(graph, graph.y.numpy())  # type: ignore[union-attr]
    zoomed = compare_graph_figure(graph, pos, assignments, focus=focus)
    low, high = pos[focus].min(axis=0), pos[focus].max(axis=0)
    assert zoomed.layout.xaxis.range[0] < low[0] and zoomed.layout.xaxis.range[1] > high[0]
    ends = np.stack([zoomed.data[0].x, zoomed.data[0].y], axis=1)  # every drawn edge's ends lie in the view
    ends = ends[~np.isnan(ends).any(axis=1)]
    assert len(ends) > 0
    (x0, x1), (y0, y1) = zoomed.layout.xaxis.range, zoomed.layout.yaxis.range
    assert (ends[:, 0] >= x0).all() and (ends[:, 0] <= x1).all() and (ends[:, 1] >= y0).all() and (ends[:, 1] <= y1).all()
    np.testing.assert_allclose(zoomed.data[1 + SHARE_LEVELS].marker.opacity, np.where(focus, 1.0, CONTEXT_OPACITY))
    bars = sharpness_histograms_figure({"tvgnn": s, "mincut": smooth})
    assert len(bars.data) == 2 and bars.layout.annotations[1].text == "mincut<br>mean 0.500"
    noted = sharpness_histograms_figure({"tvgnn": s, "mincut": smooth}, notes={"mincut": "undecided"})
    blank = f"<br><span style='color:{NOTE_COLOR}'>&nbsp;</span>"  # an empty line keeps the names level
    assert noted.layout.annotations[0].text == f"tvgnn<br>mean 1.000{blank}"
    note = f"<span style='color:{NOTE_COLOR}'>undecided</span>"
    assert noted.layout.annotations[1].text == f"mincut<br>mean 0.500<br>{note}"
    assert noted.layout.margin.t > bars.layout.margin.t  # room for the third line
    titled = compare_graph_figure(graph, pos, assignments, notes={"dmon": "undecided", "tvgnn": ""})
    assert [a.text for a in titled.layout.annotations] == [
        f"tvgnn{blank}", f"mincut{blank}", f"dmon<br>{note}", f"spectral{blank}"]
    assert sum(bars.data[0].y) == 10 and bars.data[1].y[0] == 10
    relaxed = relaxed_figure(graph, pos, {"spectral": np.linspace(0, 1, 10), "tvgnn": s[:, 1]})
    assert len(relaxed.data) == 4 and relaxed.data[3].marker.showscale and not relaxed.data[1].marker.showscale


def test_verdict_says_what_a_full_last_bin_hides() -> None:
    labels = np.array([0] * 6 + [1] * 6 + [2] * 6)
    sharp = np.eye(3)[labels]
    assert verdict(sharp) == ""  # every cluster used, sharp: the sharpness tells it all
    assert verdict(sharp, one_shot=True) == "one-hot by construction"
    assert verdict(np.full((18, 3), 1 / 3)) == "undecided"
    # less than halfway from 1/3 to 1 (2/3), whatever the argmax: sharpness 0.65 is pale, 0.67 is not
    assert verdict(np.full((18, 3), 1 / 3) + np.array([0.3167, -0.1583, -0.1584])) == "undecided"
    assert verdict(np.full((18, 3), 1 / 3) + np.array([0.3367, -0.1683, -0.1684])) == "one cluster"
    assert verdict(np.eye(3)[np.zeros(18, dtype=int)]) == "one cluster"
    assert verdict(np.eye(3)[np.zeros(18, dtype=int)], one_shot=True) == "one-hot by construction, one cluster"
    two = np.eye(3)[np.array([0] * 9 + [1] * 9)]
    assert verdict(two) == "2 of 3 clusters used"
    # every cluster used (>= a tenth of N/K = 0.6 node), but one holds 18 of 20 nodes: 90 %
    lopsided = np.eye(3)[np.array([0] * 18 + [1, 2])]
    assert verdict(lopsided) == "one cluster holds 90%"


def test_comparison_verdicts_follow_the_methods() -> None:
    comparison = Comparison(two_cliques(), SMALL, ("tvgnn", "spectral"))
    verdicts = comparison.verdicts()
    assert set(verdicts) == {"tvgnn", "spectral"}
    assert verdicts["spectral"].startswith("one-hot by construction")
    assert verdicts["tvgnn"] == "undecided"  # epoch 0: nothing learnt yet


def test_relaxed_is_the_spectral_fiedler_vector_and_none_elsewhere() -> None:
    comparison = Comparison(two_cliques(), SMALL, ("tvgnn", "spectral"))
    fiedler = comparison.relaxed("spectral")
    assert fiedler is not None and fiedler.shape == (comparison.graph.num_nodes,)
    labels = comparison.graph.y.numpy()
    assert len({bool(v > np.median(fiedler)) for v in fiedler[labels == 0]}) == 1  # one clique on one side
    assert comparison.relaxed("tvgnn") is None
