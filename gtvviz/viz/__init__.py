"""Presentation helpers: layouts, plotly figures, tables, replay and a pyvis view. Never imports streamlit.

Every function here is pure: it takes a :class:`~gtvviz.graph.Graph`, a layout and an assignment (or a run's
history) and returns a figure, a table or HTML, so that the app, a notebook and the command line draw the same
pictures.
"""

from gtvviz.viz.figures import (
    cluster_colors,
    cluster_sizes_figure,
    edge_picture,
    edge_values_figure,
    figure_html,
    graph_figure,
    label_assignment,
    loss_figure,
    quantile_figure,
    sharpness_figure,
)
from gtvviz.viz.layout import compute_layout
from gtvviz.viz.pyvis import PYVIS_LIMIT, pyvis_html
from gtvviz.viz.replay import SnapshotRecorder
from gtvviz.viz.tables import assignments_table, history_table, node_table, to_csv

__all__ = [
    "PYVIS_LIMIT",
    "SnapshotRecorder",
    "assignments_table",
    "cluster_colors",
    "cluster_sizes_figure",
    "compute_layout",
    "edge_picture",
    "edge_values_figure",
    "figure_html",
    "graph_figure",
    "history_table",
    "label_assignment",
    "loss_figure",
    "node_table",
    "pyvis_html",
    "quantile_figure",
    "sharpness_figure",
    "to_csv",
]
