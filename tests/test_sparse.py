"""The sparse first-layer product: equal to the dense one, forward and backward, through weighted row sums and
through COO; the compressed form of the features is built once for features passed again."""

import numpy as np
import pytest
import torch

from gtvviz.nn import sparse as module
from gtvviz.nn.sparse import SparseFeaturesCache, compressed_rows, sparse_linear


def random_sparse(generator: torch.Generator, rows: int = 30, columns: int = 12) -> torch.Tensor:
    dense = torch.rand(rows, columns, generator=generator, dtype=torch.float64)
    dense[dense < 0.8] = 0.0  # about a fifth nonzero
    dense[3] = 0.0  # an empty row
    dense[:, 5] = 0.0  # an empty column
    return dense


@pytest.mark.parametrize("row_sums", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_matches_the_dense_product_and_its_gradients(row_sums: bool, with_bias: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not row_sums:
        monkeypatch.setattr(module, "ROW_SUM_DEVICES", ())  # the COO product, as on MPS
    generator = torch.Generator().manual_seed(0)
    dense = random_sparse(generator)
    weight = torch.randn(5, 12, generator=generator, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(5, generator=generator, dtype=torch.float64, requires_grad=True) if with_bias else None
    upstream = torch.randn(30, 5, generator=generator, dtype=torch.float64)
    out = sparse_linear(dense.to_sparse_coo(), weight, bias)
    # numpy, independently of torch's products
    w, x, g = weight.detach().numpy(), dense.numpy(), upstream.numpy()
    expected = x @ w.T + (0 if bias is None else bias.detach().numpy())
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    params = [weight] + ([bias] if with_bias else [])
    got = torch.autograd.grad((out * upstream).sum(), params)
    np.testing.assert_allclose(got[0].numpy(), g.T @ x, rtol=1e-12, atol=1e-12)  # dL/dW = G^T X
    if with_bias:
        np.testing.assert_allclose(got[1].numpy(), g.sum(axis=0), rtol=1e-12, atol=1e-12)


def test_duplicate_entries_add_up_and_float_features_meet_double_weights() -> None:
    x = torch.sparse_coo_tensor(torch.tensor([[0, 0, 1], [1, 1, 2]]), torch.tensor([1.0, 2.0, 0.5]), (3, 3))
    weight = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    out = sparse_linear(x, weight)
    assert out.dtype == torch.float64
    assert out.tolist() == [[3.0, 12.0], [1.0, 2.5], [0.0, 0.0]]  # row 0: 3 x column 1 of W; row 1: 0.5 x column 2


def test_features_without_a_nonzero_give_zeros() -> None:
    weight = torch.randn(2, 3, requires_grad=True)
    out = sparse_linear(torch.zeros(4, 3).to_sparse_coo(), weight)
    assert out.shape == (4, 2) and not out.any()
    out.sum().backward()
    assert weight.grad is not None and not weight.grad.any()


def test_compressed_rows_of_a_small_matrix() -> None:
    x = torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]]).to_sparse_coo()
    rows = compressed_rows(x)
    assert rows.offsets.tolist() == [0, 1, 1, 3] and rows.columns.tolist() == [1, 0, 2]
    assert rows.values.tolist() == [2.0, 1.0, 3.0]


def test_the_cache_builds_the_compressed_form_once_per_feature_tensor(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = module.sparse_features
    monkeypatch.setattr(module, "sparse_features", lambda x: calls.append(1) or original(x))
    generator = torch.Generator().manual_seed(1)
    x = random_sparse(generator).to_sparse_coo()
    weight = torch.randn(4, 12, generator=generator, dtype=torch.float64)
    cache = SparseFeaturesCache()
    first = sparse_linear(x, weight, cache=cache)
    torch.testing.assert_close(sparse_linear(x, weight, cache=cache), first)
    assert len(calls) == 1
    other = x.coalesce() * 2  # another tensor: computed again, with its own values
    torch.testing.assert_close(sparse_linear(other, weight, cache=cache), 2 * first)
    assert len(calls) == 2
