"""Neural network parts of TVGNN: the GTVConv layer, the AsymCheegerCut loss and the models."""

from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.losses import asym_cheeger_cut_loss, asym_norm_loss, gtv_loss
from gtvviz.nn.models import TVGNN, AssignmentMLP
from gtvviz.nn.pool import AsymCheegerCutPool, DenseGTVConv

__all__ = ["AssignmentMLP", "AsymCheegerCutPool", "DenseGTVConv", "GTVConv", "TVGNN", "asym_cheeger_cut_loss", "asym_norm_loss", "gtv_loss"]
