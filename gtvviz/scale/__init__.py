"""Training past one machine's memory: mini-batches of induced subgraphs, full-graph inference in chunks, and
data-parallel training on :mod:`torch.distributed` (see ``benchmarks/results/scale.md`` for measurements)."""

from gtvviz.scale.batch_loss import chunked_gtv_loss
from gtvviz.scale.inference import chunked_assignment
from gtvviz.scale.minibatch import MiniBatchTrainer
from gtvviz.scale.sampling import SAMPLERS, ClusterSampler, RandomNodeSampler, Subgraph, induced_subgraph

__all__ = ["chunked_gtv_loss", "chunked_assignment", "MiniBatchTrainer", "SAMPLERS", "ClusterSampler",
           "RandomNodeSampler", "Subgraph", "induced_subgraph"]
