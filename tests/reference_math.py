"""Independent dense numpy versions of the TVGNN equations (../shared/TVGNN.md), for tests only.

Written from the equations, not from gtvviz's code: dense matrices, explicit loops where clearer.
"""

from __future__ import annotations

import numpy as np


def dense_adjacency(edge_index: np.ndarray, num_nodes: int, edge_weight: np.ndarray | None = None) -> np.ndarray:
    a = np.zeros((num_nodes, num_nodes))
    w = np.ones(edge_index.shape[1]) if edge_weight is None else edge_weight
    for (i, j), value in zip(edge_index.T, w):
        a[i, j] += value
    return a


def gtv_conv(x: np.ndarray, a: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, delta: float, eps: float,
             act: str | None) -> np.ndarray:
    """X' = act((I - delta L_Gamma) X W + b), Gamma_ij = a_ij / max(||xt_i - xt_j||_1, eps)."""
    xt = x @ weight
    n = len(a)
    gamma = np.zeros_like(a)
    for i in range(n):
        for j in range(n):
            if a[i, j] != 0:
                gamma[i, j] = a[i, j] / max(np.abs(xt[i] - xt[j]).sum(), eps)
    laplacian = np.diag(gamma.sum(axis=1)) - gamma
    out = (np.eye(n) - delta * laplacian) @ xt
    if bias is not None:
        out = out + bias
    if act == "relu":
        return np.maximum(out, 0)
    if act == "elu":
        return np.where(out > 0, out, np.exp(np.minimum(out, 0)) - 1)
    return out


def gtv_loss(s: np.ndarray, a: np.ndarray) -> float:
    """sum_ij a_ij ||s_i - s_j||_1 / (2 nnz(A)), denominator clamped to >= 1."""
    n = len(a)
    total = sum(a[i, j] * np.abs(s[i] - s[j]).sum() for i in range(n) for j in range(n) if a[i, j] != 0)
    return total / max(2 * np.count_nonzero(a), 1)


def asym_norm_loss(s: np.ndarray) -> float:
    """1 - sum_ik |s_ik - q_k|_rho / (N (K-1)), q_k at descending index min(floor(N/K), N-1)."""
    n, k = s.shape
    rho = k - 1
    index = min(n // k, n - 1)
    total = 0.0
    for col in range(k):
        q = np.sort(s[:, col])[::-1][index]
        for value in s[:, col]:
            d = value - q
            total += rho * d if d >= 0 else -d
    return 1.0 - total / (n * (k - 1))
