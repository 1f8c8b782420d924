"""The scalable spectral baseline against scikit-learn and against dense numpy eigendecompositions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import SpectralClustering
from sklearn.manifold import spectral_embedding as sklearn_embedding
from sklearn.metrics import adjusted_rand_score

from gtvviz.spectral import (DENSE_NODES, component_vectors, normalized_adjacency, round_embedding,
                             spectral_embedding)


def block_graph(sizes: tuple[int, ...], p_in: float, p_out: float, seed: int = 0) -> sp.csr_matrix:
    """A symmetric SBM adjacency with unit weights."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    p = np.where(labels[:, None] == labels[None, :], p_in, p_out)
    upper = np.triu(rng.random(p.shape) < p, k=1)
    return sp.csr_matrix((upper | upper.T).astype(np.float64))


def cliques(*sizes: int, isolated: int = 0) -> sp.csr_matrix:
    """Disjoint cliques (separate components) followed by isolated nodes."""
    blocks = [np.ones((s, s)) - np.eye(s) for s in sizes] + [np.zeros((1, 1))] * isolated
    return sp.csr_matrix(sp.block_diag(blocks))


def assert_equal_up_to_sign(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    for j in range(actual.shape[1]):
        sign = np.sign(actual[:, j] @ expected[:, j])
        np.testing.assert_allclose(sign * actual[:, j], expected[:, j], atol=1e-6 * np.abs(expected[:, j]).max())


@pytest.mark.parametrize(("sizes", "k"), [((30, 20), 2), ((40, 30, 25), 3), ((300, 250, 200), 3)])
def test_equals_scikit_learn_on_a_connected_graph(sizes: tuple[int, ...], k: int) -> None:
    """Dense path below DENSE_NODES nodes, Lanczos path above: the same embedding and labels as scikit-learn."""
    a = block_graph(sizes, 0.3, 0.01, seed=1)  # clear blocks: k-means has one optimum
    embedding = spectral_embedding(a, k, seed=0)
    assert_equal_up_to_sign(embedding, sklearn_embedding(a, n_components=k, drop_first=False, random_state=0))
    labels = round_embedding(embedding, k, seed=0)
    reference = SpectralClustering(k, affinity="precomputed", random_state=0).fit(a).labels_
    assert adjusted_rand_score(reference, labels) == 1.0
    assert np.ptp(embedding[:, 0]) < 1e-6 * np.abs(embedding[:, 0]).max()  # connected: constant first column


def test_lanczos_path_is_taken_above_the_dense_limit() -> None:
    assert sum((300, 250, 200)) > DENSE_NODES


def test_columns_are_the_leading_eigenpairs_of_the_normalised_adjacency() -> None:
    """Against numpy's dense spectrum, also with repeated eigenvalues (components) and isolated nodes."""
    a = sp.csr_matrix(sp.block_diag([block_graph((40, 30), 0.4, 0.05, seed=2), cliques(5, 4, isolated=3)]))
    dense = a.toarray()
    degree = dense.sum(axis=1)
    inv_sqrt = np.where(degree > 0, 1 / np.sqrt(np.where(degree > 0, degree, 1)), 0.0)
    a_sym = inv_sqrt[:, None] * dense * inv_sqrt[None, :]
    expected = np.sort(np.linalg.eigvalsh(a_sym))[::-1]
    for k in (2, 3, 5, 6):
        u = spectral_embedding(a, k, seed=4)
        x = u * np.sqrt(np.where(degree > 0, degree, 1.0))[:, None]
        np.testing.assert_allclose(x.T @ x, np.eye(k), atol=1e-8)
        rayleigh = np.diag(x.T @ a_sym @ x)
        np.testing.assert_allclose(rayleigh, expected[:k], atol=1e-7)
        np.testing.assert_allclose(a_sym @ x, x * rayleigh, atol=1e-6)


def test_components_come_first_largest_first() -> None:
    a = cliques(3, 6, 4, isolated=2)
    u = spectral_embedding(a, 3)
    sizes_in_order = [6, 4, 3]
    starts = {3: 0, 6: 3, 4: 9}
    for j, size in enumerate(sizes_in_order):
        support = np.flatnonzero(np.abs(u[:, j]) > 1e-12)
        np.testing.assert_array_equal(support, np.arange(starts[size], starts[size] + size))
        np.testing.assert_allclose(u[support, j], 1 / np.sqrt(size * (size - 1)))  # 1 / sqrt(vol(C)), positive


def test_only_the_components_used_are_stored() -> None:
    a_sym, degree = normalized_adjacency(cliques(*(3,) * 500))
    vectors = component_vectors(a_sym, degree, 4)
    assert vectors.shape == (1500, 4)
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(4))
    assert component_vectors(a_sym, degree, 600).shape == (1500, 500)


def test_more_components_than_clusters_keeps_each_component_whole() -> None:
    """The K largest components sit at 1/sqrt(vol C) on their own axes, the rest at the origin: k-means
    splits these K + 1 points into K clusters, never a component."""
    a = cliques(8, 7, 3, 2, isolated=1)
    u = spectral_embedding(a, 3)
    np.testing.assert_allclose(np.abs(u[18:]), 0.0)  # the 2-clique and the isolated node
    labels = round_embedding(u, 3)
    components = (range(0, 8), range(8, 15), range(15, 18), range(18, 20))
    assert all(len(set(labels[list(c)])) == 1 for c in components)
    assert len(set(labels)) == 3


@pytest.mark.parametrize(("a", "k"), [
    (cliques(4, 4, isolated=2), 3),          # K > components
    (sp.csr_matrix((5, 5)), 2),              # no edges at all
    (cliques(3, 3), 6),                      # K = N
    (cliques(*(4,) * 200), 3),               # many components, Lanczos-size graph
])
def test_degenerate_graphs_are_embedded_quietly(a: sp.csr_matrix, k: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = spectral_embedding(a, k)
        labels = round_embedding(u, k)
    assert u.shape == (a.shape[0], k) and np.isfinite(u).all()
    assert labels.shape == (a.shape[0],) and labels.min() >= 0 and labels.max() < k


def test_self_loops_are_ignored_and_asymmetric_input_symmetrised() -> None:
    a = block_graph((30, 30), 0.3, 0.03, seed=5)
    expected = spectral_embedding(a, 2)
    looped = (a + sp.eye(60)).tocsr()
    np.testing.assert_allclose(spectral_embedding(looped, 2), expected, atol=1e-10)
    upper = sp.triu(a).tocsr() * 2.0  # (U + U^T) / 2 with U = 2 triu(A) is A
    np.testing.assert_allclose(spectral_embedding(upper, 2), expected, atol=1e-10)
