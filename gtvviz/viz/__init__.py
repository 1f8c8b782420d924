"""Presentation helpers: layouts, plotly figures, tables, replay and a pyvis view. Never imports streamlit.

Every function here is pure: it takes a :class:`~gtvviz.graph.Graph`, a layout and an assignment (or a run's
history) and returns a figure, a table or HTML, so that the app, a notebook and the command line draw the same
pictures.
"""

from gtvviz.viz.assignment import edge_share, soft_sizes
from gtvviz.viz.compare_figures import (compare_graph_figure, compare_simplex_figure, relaxed_colorscale, relaxed_figure,
                                       relaxed_labels, sharpness_histograms_figure)
from gtvviz.viz.figures import (
    WEBGL_THRESHOLD,
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
from gtvviz.viz.layout import assignment_layout, compute_layout
from gtvviz.viz.legend import legend_html
from gtvviz.viz.pooling_figures import accuracy_figure, pooling_figures
from gtvviz.viz.pyvis import PYVIS_LIMIT, pyvis_html
from gtvviz.viz.replay import SnapshotRecorder
from gtvviz.viz.sharpening import SharpeningWindow, mark_epochs, sharpening_window, snapshots_window
from gtvviz.viz.simplex import simplex_figure, simplex_positions
from gtvviz.viz.style import PRESENTATION, FigureStyle, apply_style
from gtvviz.viz.tables import assignments_table, history_table, metrics_table, node_table, to_csv
from gtvviz.viz.theory import balance_quantiles, edge_variation, first_gtv_layer, layer_gamma
from gtvviz.viz.thumbnail import thumbnail_png

__all__ = [
    "PRESENTATION",
    "PYVIS_LIMIT",
    "FigureStyle",
    "SharpeningWindow",
    "SnapshotRecorder",
    "WEBGL_THRESHOLD",
    "accuracy_figure",
    "apply_style",
    "assignment_layout",
    "assignments_table",
    "balance_quantiles",
    "cluster_colors",
    "cluster_sizes_figure",
    "compare_graph_figure",
    "compare_simplex_figure",
    "compute_layout",
    "edge_picture",
    "edge_share",
    "edge_values_figure",
    "edge_variation",
    "figure_html",
    "first_gtv_layer",
    "graph_figure",
    "history_table",
    "label_assignment",
    "layer_gamma",
    "legend_html",
    "loss_figure",
    "mark_epochs",
    "metrics_table",
    "node_table",
    "pooling_figures",
    "pyvis_html",
    "quantile_figure",
    "relaxed_colorscale",
    "relaxed_figure",
    "relaxed_labels",
    "sharpening_window",
    "sharpness_figure",
    "sharpness_histograms_figure",
    "simplex_figure",
    "simplex_positions",
    "snapshots_window",
    "soft_sizes",
    "thumbnail_png",
    "to_csv",
]
