"""gtvviz: see and use Total Variation Graph Neural Networks (Hansen & Bianchi, ICML 2023).

The library behind the ``gtvviz`` command and the Streamlit app. It never imports streamlit, and importing it
does not import plotly or pyvis either (only :mod:`gtvviz.viz` needs them, from the ``app`` extra).
"""

from gtvviz.cluster import TVGNNClustering
from gtvviz.config import RunConfig
from gtvviz.data import load_graph, save_graph
from gtvviz.errors import (ConfigError, GraphFormatError, GraphRepairWarning, GtvvizError, PartialCollapseWarning,
                           TrainingDivergedError)
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.runner import Runner
from gtvviz.train import RunSummary, Snapshot, Trainer

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Graph",
    "GraphFormatError",
    "GraphRepairWarning",
    "GtvvizError",
    "PartialCollapseWarning",
    "RunConfig",
    "RunSummary",
    "Runner",
    "Snapshot",
    "TVGNNClustering",
    "Trainer",
    "TrainingDivergedError",
    "build_trainer",
    "load_graph",
    "save_graph",
]
