"""Neural network parts of TVGNN: the GTVConv layer, AsymCheegerCut pooling, the losses and the models.

The sparse MinCutPool and DMoN losses (:mod:`gtvviz.nn.smooth_losses`) take edge lists and a ``batch`` vector, in
:math:`O(E K)` memory where PyG's ``dense_mincut_pool`` and ``DMoNPooling`` need dense adjacencies.
"""

from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.losses import asym_cheeger_cut_loss, asym_norm_loss, gtv_loss
from gtvviz.nn.models import TVGNN, AssignmentMLP
from gtvviz.nn.pool import AsymCheegerCutPool, DenseGTVConv, PoolOutput
from gtvviz.nn.smooth_losses import dmon_loss, mincut_loss, orthogonality_loss

__all__ = [
    "AssignmentMLP",
    "AsymCheegerCutPool",
    "DenseGTVConv",
    "GTVConv",
    "PoolOutput",
    "TVGNN",
    "asym_cheeger_cut_loss",
    "asym_norm_loss",
    "dmon_loss",
    "gtv_loss",
    "mincut_loss",
    "orthogonality_loss",
]
