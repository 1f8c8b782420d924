r"""Spectral clustering that scales: the normalised-cut relaxation solved without factorising a matrix.

The relaxed solution is the one of Shi & Malik / Ng, Jordan & Weiss, in scikit-learn's convention
(``spectral_embedding(..., drop_first=False)``, which ``SpectralClustering`` rounds): with the symmetric
normalised adjacency :math:`\mathbf{A}_{sym} = \mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}` (self-loops
dropped, :math:`\mathbf{A}` symmetrised), the :math:`K` leading eigenvectors :math:`\mathbf{X}` of
:math:`\mathbf{A}_{sym}` are the :math:`K` trailing eigenvectors of
:math:`\mathbf{L}_{sym} = \mathbf{I} - \mathbf{A}_{sym}`, and the embedding is

.. math::
    \mathbf{U} = \mathbf{D}^{-1/2} \mathbf{X} \in \mathbb{R}^{N \times K},

columns in increasing order of their :math:`\mathbf{L}_{sym}` eigenvalue, each column's sign fixed so that its
entry of largest magnitude is positive. On a connected graph the first column is constant and, for
:math:`K = 2`, the second is the Fiedler vector. The labels are k-means on the rows of :math:`\mathbf{U}`.

Why it scales: scikit-learn's ARPACK path works in shift-invert mode, which factorises the shifted Laplacian; on
a random graph the factor fills in to near dense. The leading
eigenvectors of :math:`\mathbf{A}_{sym}` are found here by implicitly restarted Lanczos (ARPACK,
``which="LA"``) with sparse products alone, :math:`O(E \cdot K)` memory; measured in
``benchmarks/results/spectral_scale.md``. Graphs of at most :data:`DENSE_NODES` nodes use a dense eigensolver.

Components. Every connected component :math:`C` with at least one edge gives :math:`\mathbf{A}_{sym}` the
eigenvalue 1, with eigenvector :math:`\mathbf{D}^{1/2} \mathbf{1}_C` (normalised); on a disconnected graph this
eigenvalue is repeated and an eigensolver would return an arbitrary basis of its eigenspace. Here that basis is
fixed: the component vectors come first, largest component first (ties by lowest node). With
:math:`c \ge K` such components the embedding is the indicators of the :math:`K` largest: the rows of a
chosen component :math:`C` sit at :math:`1/\sqrt{\mathrm{vol}(C)}` on its own axis, all other nodes at the
origin, and k-means splits these :math:`K + 1` points into :math:`K` clusters, every component whole (a zero
normalised cut; the structure inside a component is not seen, so spectral clustering is weak on a graph with
more components than clusters); with :math:`c < K` the other :math:`K - c` columns are the
leading eigenvectors of :math:`\mathbf{A}_{sym}` orthogonal to the component vectors (found on the deflated
operator :math:`\mathbf{A}_{sym} - 3 \mathbf{V}\mathbf{V}^\top`, which moves the eigenvalue 1 of the component
vectors :math:`\mathbf{V}` to :math:`-2`, below the spectrum). An isolated node has a zero row in
:math:`\mathbf{A}_{sym}` (the eigenvalue 0, as in scikit-learn, where its Laplacian diagonal is 1): it is no
component of its own and sits at the origin of the embedding (unless :math:`K` reaches down to the eigenvalue 0).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

#: Graphs with at most this many nodes use a dense symmetric eigensolver (exact, and faster than Lanczos there).
DENSE_NODES = 500

#: Relative accuracy of the Lanczos eigenvectors; k-means needs far less than machine precision.
EIGEN_TOL = 1e-8


def normalized_adjacency(adjacency: sp.spmatrix) -> tuple[sp.csr_matrix, np.ndarray]:
    r""":math:`\mathbf{A}_{sym} = \mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}` of the symmetrised
    :math:`\mathbf{A}` without self-loops, and the degrees :math:`\mathbf{d}` (an isolated node has degree 0 and
    a zero row)."""
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    if (a != a.T).nnz:
        a = ((a + a.T) * 0.5).tocsr()
    a.setdiag(0)
    a.eliminate_zeros()
    degree = np.asarray(a.sum(axis=1)).ravel()
    inv_sqrt = np.zeros_like(degree)
    inv_sqrt[degree > 0] = degree[degree > 0] ** -0.5
    scale = sp.diags(inv_sqrt)
    return (scale @ a @ scale).tocsr(), degree


def component_vectors(adjacency: sp.csr_matrix, degree: np.ndarray, limit: int) -> np.ndarray:
    r"""The unit vectors :math:`\mathbf{D}^{1/2} \mathbf{1}_C / \sqrt{\mathrm{vol}(C)}` of the (at most ``limit``)
    largest connected components :math:`C` that have an edge, shape :math:`(N, \min(c, \text{limit}))`, largest
    first (ties by lowest node): a fixed orthonormal basis of (part of) the eigenvalue-1 eigenspace of
    :math:`\mathbf{A}_{sym}`. Only the returned columns are stored, so a graph with many components costs
    :math:`O(N \cdot \text{limit})`."""
    _, component = connected_components(adjacency, directed=False)
    has_edge = degree > 0
    ids, first, sizes = np.unique(component[has_edge], return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))[:limit]  # by size descending, then by the component's first node
    rank = np.full(component.max() + 1, -1)
    rank[ids[order]] = np.arange(len(order))
    nodes = np.flatnonzero(has_edge)
    nodes = nodes[rank[component[nodes]] >= 0]
    columns = np.zeros((len(degree), len(order)))
    columns[nodes, rank[component[nodes]]] = np.sqrt(degree[nodes])
    return columns / np.linalg.norm(columns, axis=0, keepdims=True)


def leading_eigenvectors(a_sym: sp.csr_matrix, deflate: np.ndarray, k: int, seed: int) -> np.ndarray:
    r"""The :math:`k` leading eigenvectors of :math:`\mathbf{A}_{sym}` orthogonal to the orthonormal columns of
    ``deflate``, in decreasing order of eigenvalue, shape :math:`(N, k)`.

    Dense ``eigh`` up to :data:`DENSE_NODES` nodes (or when :math:`k` is close to :math:`N`), else ARPACK's
    Lanczos on :math:`\mathbf{A}_{sym} - 3\,\mathbf{V}\mathbf{V}^\top` with ``which="LA"``, seeded start vector.
    """
    n = a_sym.shape[0]
    shift = 3.0  # eigenvalues of A_sym lie in [-1, 1]: the deflated directions go to -2
    if n <= DENSE_NODES or k >= n - 1 - deflate.shape[1]:
        dense = a_sym.toarray() - shift * deflate @ deflate.T
        _, vectors = np.linalg.eigh(dense)
        return vectors[:, ::-1][:, :k]

    def matvec(x: np.ndarray) -> np.ndarray:
        return a_sym @ x - shift * deflate @ (deflate.T @ x)

    operator = LinearOperator((n, n), matvec=matvec, matmat=matvec, dtype=np.float64)
    v0 = np.random.default_rng(seed).uniform(-1.0, 1.0, n)
    values, vectors = eigsh(operator, k=k, which="LA", tol=EIGEN_TOL, v0=v0, ncv=min(n, max(2 * k + 1, 20)))
    return vectors[:, np.argsort(-values)]


def spectral_embedding(adjacency: sp.spmatrix, n_components: int, seed: int = 0) -> np.ndarray:
    r"""The relaxed solution :math:`\mathbf{U} = \mathbf{D}^{-1/2} \mathbf{X}`, shape
    :math:`(N, K)` with :math:`K` = ``n_components`` (see the module docstring for its definition, its column
    order and signs, and what it does with components and isolated nodes).

    Args:
        adjacency: :math:`(N, N)` sparse affinities (symmetrised if needed; the diagonal is ignored).
        n_components: :math:`K \le N`.
        seed: seed of the Lanczos start vector.
    """
    a_sym, degree = normalized_adjacency(adjacency)
    components = component_vectors(a_sym, degree, n_components)
    if components.shape[1] >= n_components:
        x = components[:, :n_components]
    else:
        rest = leading_eigenvectors(a_sym, components, n_components - components.shape[1], seed)
        x = np.concatenate([components, rest], axis=1)
    scale = np.where(degree > 0, degree, 1.0) ** -0.5
    embedding = x * scale[:, None]
    largest = np.abs(embedding).argmax(axis=0)
    return embedding * np.sign(embedding[largest, np.arange(embedding.shape[1])])


def round_embedding(embedding: np.ndarray, n_clusters: int, seed: int = 0, n_init: int = 10) -> np.ndarray:
    """k-means labels (``0..K-1``, shape :math:`(N,)`) of the rows of an embedding, best of ``n_init`` seeded
    restarts; k-means' warning that there are fewer distinct points than clusters is silenced on purpose (a
    degenerate graph is clustered all the same)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters, n_init=n_init, random_state=seed).fit(embedding).labels_
    return labels.astype(np.int64)
