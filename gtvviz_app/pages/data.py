"""Data: the current graph (summary, preview, a draggable view, its nodes, download) and the sample gallery.

Graphs are loaded, uploaded and generated in the sidebar's Graph panel (or from the gallery below); a new graph
restarts the run on the Explore page.
"""

from __future__ import annotations

import streamlit as st

from gtvviz.data import SAMPLES
from gtvviz.errors import GtvvizError
from gtvviz.viz import PYVIS_LIMIT, graph_figure, label_assignment, node_table, pyvis_html
from gtvviz_app import loading
from gtvviz_app.source import use_source
from gtvviz_app.sidebar import page_frame
from gtvviz_app.state import AppState

GALLERY_COLUMNS = 4
TABLE_ROWS = 1000


def _summary(state: AppState) -> None:
    graph = state.run.graph
    with st.container(horizontal=True):
        st.metric("Nodes", f"{graph.num_nodes:,}", border=True)
        st.metric("Edges", f"{graph.num_edges:,}", border=True)
        st.metric("Features", graph.num_features, border=True)
        st.metric("Classes", int(graph.y.max()) + 1 if graph.has_labels and graph.y is not None else "—", border=True)
        st.metric("Weighted", "yes" if graph.edge_weight is not None else "no", border=True)
    st.caption(f"**{graph.name}** · source: `{state.run.config.graph}` · {graph.source}")
    for warning in graph.warnings:
        st.caption(f"Repaired while loading: {warning}")


def _preview(state: AppState) -> None:
    run = state.run
    truth = label_assignment(run.graph)
    st.plotly_chart(graph_figure(run.graph, run.layout, truth,
                                 title="Coloured by ground-truth label" if truth is not None else ""),
                    key="data.preview", config={"displaylogo": False})
    if run.graph.num_nodes <= PYVIS_LIMIT and st.toggle("Draggable view (drag the nodes around)", key="data.pyvis"):
        st.iframe(pyvis_html(run.graph, truth), height=540)


def _download(state: AppState) -> None:
    fmt = st.selectbox("Format", loading.DOWNLOAD_FORMATS, key="data.format")
    try:
        data, name = loading.graph_file(state.run.graph_key, state.run.graph, fmt)
    except GtvvizError as err:
        st.error(str(err))
        return
    st.download_button(f"Download {name}", data, name, on_click="ignore", icon=":material/download:")


def _gallery(state: AppState) -> None:
    names = list(SAMPLES)
    for row in range(0, len(names), GALLERY_COLUMNS):
        for column, name in zip(st.columns(GALLERY_COLUMNS), names[row:row + GALLERY_COLUMNS]):
            with column.container(border=True):
                st.image(loading.sample_thumbnail(name), width=160)
                st.markdown(f"**{name}** — {SAMPLES[name].description}")
                current = state.run.config.graph == name
                st.button("In use" if current else "Use this graph", key=f"gallery.{name}", disabled=current,
                          on_click=use_source, args=(name,))


state = page_frame("Data — the graph being clustered")
st.caption("Load a sample, generate a graph, upload a file or open a PyG dataset in the sidebar's **Graph** panel.")
_summary(state)
preview, nodes, gallery = st.tabs(["Preview", "Nodes and download", "Sample gallery"])
with preview:
    _preview(state)
with nodes:
    st.dataframe(node_table(state.run.graph).head(TABLE_ROWS), hide_index=True, height=320)
    if state.run.graph.num_nodes > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {state.run.graph.num_nodes:,} nodes.")
    _download(state)
with gallery:
    _gallery(state)
