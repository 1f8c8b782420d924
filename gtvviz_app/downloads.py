"""Download buttons for everything a run made: assignments, configuration, history and the graph figure.

The files are built when the button is clicked (``data=`` a closure), from the snapshot on screen at that
moment, so drawing the buttons costs nothing while training runs, and clicking one does not rerun the app.
"""

from __future__ import annotations

import streamlit as st

from gtvviz.viz import assignments_table, figure_html, graph_figure, history_table, to_csv
from gtvviz_app.state import AppState


def download_buttons(state: AppState) -> None:
    """Draw the four download buttons of the current run."""
    run = state.run
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in run.graph.name) or "graph"

    def assignments() -> str:
        return to_csv(assignments_table(run.graph, state.shown().s))

    def history() -> str:
        return to_csv(history_table(list(run.trainer.history)))

    def figure() -> str:
        shown = state.shown()
        title = f"{run.graph.name}: {run.config.method}, K={run.config.clusters}, epoch {shown.epoch}"
        return figure_html(graph_figure(run.graph, run.layout, shown.s, title=title))

    with st.container(horizontal=True, key="downloads"):
        st.download_button("Assignments CSV", assignments, f"{stem}_assignments.csv", "text/csv", on_click="ignore",
                           icon=":material/download:")
        st.download_button("Configuration JSON", run.config.to_json(), f"{stem}_config.json", "application/json",
                           on_click="ignore", icon=":material/download:")
        st.download_button("History CSV", history, f"{stem}_history.csv", "text/csv", on_click="ignore",
                           icon=":material/download:")
        st.download_button("Figure HTML", figure, f"{stem}_graph.html", "text/html", on_click="ignore",
                           icon=":material/download:")
