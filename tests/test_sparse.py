"""The sparse first-layer product: equal to the dense one, forward and backward, through CSR and through COO."""

import pytest
import torch

from gtvviz.nn import sparse as module
from gtvviz.nn.sparse import sparse_linear


@pytest.mark.parametrize("csr", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_matches_the_dense_product_and_its_gradients(csr: bool, with_bias: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not csr:
        monkeypatch.setattr(module, "CSR_DEVICES", ())  # the COO product, as on MPS
    generator = torch.Generator().manual_seed(0)
    dense = torch.rand(30, 12, generator=generator, dtype=torch.float64)
    dense[dense < 0.8] = 0.0  # about a fifth nonzero, with empty rows
    dense[3] = 0.0
    weight = torch.randn(5, 12, generator=generator, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(5, generator=generator, dtype=torch.float64, requires_grad=True) if with_bias else None
    upstream = torch.randn(30, 5, generator=generator, dtype=torch.float64)
    out = sparse_linear(dense.to_sparse_coo(), weight, bias)
    expected = dense @ weight.t() + (0 if bias is None else bias)
    torch.testing.assert_close(out, expected)
    params = [weight] + ([bias] if with_bias else [])
    got = torch.autograd.grad((out * upstream).sum(), params)
    want = torch.autograd.grad((expected * upstream).sum(), params)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)
