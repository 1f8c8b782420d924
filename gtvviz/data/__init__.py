"""The data layer: everything a user can cluster enters through :func:`load_graph` as a :class:`~gtvviz.Graph`.

* files and uploads in nine formats (:data:`FORMATS`), written back by :func:`save_graph`;
* shipped samples (:func:`list_samples`, :func:`sample_info`);
* seeded generators (:func:`generate`, :data:`GENERATORS`, source strings such as ``"sbm:sizes=50-50,seed=1"``);
* the paper's PyG datasets (``"pyg:Cora"``) and TU datasets (:func:`load_tu_dataset`).

Bad input raises :class:`~gtvviz.errors.GraphFormatError` (bad settings :class:`~gtvviz.errors.ConfigError`)
with one sentence saying what is wrong, where, and how to fix it. Size limits are in :mod:`gtvviz.data.limits`.
"""

from gtvviz.data.formats import FORMATS, Format
from gtvviz.data.generators import GENERATORS, GeneratorSpec, Param, generate, generator_source, parse_source
from gtvviz.data.loader import load_graph, load_graph_bytes, save_graph
from gtvviz.data.pyg import DATASETS, default_data_root, load_pyg_graph, load_tu_dataset
from gtvviz.data.samples import SAMPLES, list_samples, load_sample, sample_info

__all__ = [
    "load_graph", "load_graph_bytes", "save_graph", "FORMATS", "Format",
    "list_samples", "sample_info", "load_sample", "SAMPLES",
    "generate", "generator_source", "parse_source", "GENERATORS", "GeneratorSpec", "Param",
    "load_pyg_graph", "load_tu_dataset", "default_data_root", "DATASETS",
]
