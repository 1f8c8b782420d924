"""The graph source picker of the sidebar: shipped samples, generators, uploads and PyG datasets.

PyG datasets are picked by name only: the folder they are read from is the server's (``GTVVIZ_DATA_ROOT``, read
when a session starts), never typed by a visitor. A new graph takes effect at once (the old model cannot run on
it): the run restarts, paused at epoch 0; a sample at its preset (the settings its "what to look for" text was
measured at), any other graph with the current settings and K set to the graph's number of classes.
A graph that cannot be loaded, or a K that does not fit it, leaves the previous graph and run as they were and
shows one message under the picker.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import streamlit as st

from gtvviz import Graph
from gtvviz.data import DATASETS, FORMATS, GENERATORS, SAMPLES, generator_source, parse_source
from gtvviz.errors import GtvvizError
from gtvviz.params import ParamSpec as Param
from gtvviz_app import loading
from gtvviz_app.state import UPLOAD_PREFIX, AppState, get_state, sample_config, start

KINDS = ("Sample", "Generator", "Upload", "PyG dataset")
AREA = "graph"
UPLOAD_TYPES = sorted({ext.lstrip(".") for fmt in FORMATS.values() for ext in fmt.extensions})


def use_source(source: str) -> None:
    """Load the sample, generator or dataset ``source`` and restart the run on it (a widget callback)."""
    state = get_state()
    try:
        graph, key = loading.load_named(source, state.data_root)
    except GtvvizError as err:
        state.errors[AREA] = str(err)
        return
    _restart_on(state, source, graph, key)


def _restart_on(state: AppState, source: str, graph: Graph, key: str) -> bool:
    """Restart the run on a loaded graph: a sample at its preset (the run its "what to look for" text describes, on
    the chosen device), any other graph with the current settings and a K that suits it; ``False`` (and a message)
    if impossible."""
    if source in SAMPLES:
        config = sample_config(source, state.pending.device)
    else:
        config = state.pending.replace(graph=source, clusters=loading.suggested_clusters(graph, state.pending.clusters))
    return start(state, config, AREA, (graph, key))


def _on_sample() -> None:
    use_source(st.session_state["source.sample"])


def _on_generate(kind: str) -> None:
    text = ",".join(f"{p.name}={st.session_state[f'gen.{kind}.{p.name}']}" for p in GENERATORS[kind].params)
    try:
        name, params = parse_source(f"{kind}:{text}")
    except GtvvizError as err:
        get_state().errors[AREA] = str(err)
        return
    use_source(generator_source(name, **params))


def _on_upload() -> None:
    upload = st.session_state.get("source.upload")
    if upload is None:
        return
    state = get_state()
    try:
        graph, key = loading.load_upload(upload.getvalue(), upload.name)
    except GtvvizError as err:
        state.errors[AREA] = str(err)
        return
    if _restart_on(state, UPLOAD_PREFIX + PurePath(upload.name).name, graph, key):
        state.upload = (key, graph)


def _on_dataset() -> None:
    use_source(f"pyg:{st.session_state['source.dataset']}")


def picker_values(source: str) -> dict[str, Any]:
    """The picker's widget values (by widget key) that show the graph source ``source``.

    A sample selects it; a generator string (``grid:...``) selects its generator and fills in every parameter
    (defaults where the string leaves one out); ``pyg:NAME`` the dataset; an upload only the Upload tab.
    """
    if source in SAMPLES:
        return {"source.kind": "Sample", "source.sample": source}
    if source.startswith(UPLOAD_PREFIX):
        return {"source.kind": "Upload"}
    if source.startswith("pyg:"):
        return {"source.kind": "PyG dataset", "source.dataset": source.partition(":")[2]}
    kind, params = parse_source(source)
    values = {**GENERATORS[kind].defaults(), **params}
    widgets: dict[str, Any] = {"source.kind": "Generator", "source.generator": kind}
    for param in GENERATORS[kind].params:
        widgets[f"gen.{kind}.{param.name}"] = _widget_value(param, values[param.name])
    return widgets


def _show_current_source(state: AppState, kinds: tuple[str, ...]) -> None:
    """Point the picker at the running graph whenever that graph changes (e.g. a link to a generated graph)."""
    source = state.run.config.graph
    if st.session_state.get("source.shown") == source:
        return
    st.session_state["source.shown"] = source
    try:
        values = picker_values(source)
    except GtvvizError:  # a source the picker cannot show (it still runs); leave the picker as it is
        return
    if values["source.kind"] not in kinds:
        return
    if values["source.kind"] == "PyG dataset" and values["source.dataset"] not in DATASETS:
        return
    st.session_state.update(values)


#: The picker's choices that every page shows again.
PICKER_KEYS = ("source.kind", "source.sample", "source.dataset", "source.generator")


def _carry_over_choices() -> None:
    """Save the picker's choices again through the Session State API: a widget that another page draws anew starts
    in the browser from its default (the first sample) and sends that back with the next click, which would switch
    the run to that sample; a value set through the API is sent to the browser with the widget."""
    for key in PICKER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def source_picker(state: AppState) -> None:
    """Draw the picker (only the samples in classroom mode), the current graph and any loading error."""
    kinds = KINDS[:1] if state.classroom else KINDS
    _carry_over_choices()
    _show_current_source(state, kinds)
    kind = st.radio("Graph source", kinds, horizontal=True, key="source.kind", persist_state="session")
    if kind == "Sample":
        st.selectbox("Sample graph", list(SAMPLES), key="source.sample", on_change=_on_sample,
                     format_func=lambda name: f"{name} — {SAMPLES[name].description}", persist_state="session")
    elif kind == "Generator":
        _generator_form()
    elif kind == "Upload":
        st.file_uploader("Graph file", type=UPLOAD_TYPES, key="source.upload", on_change=_on_upload,
                         help="Formats: " + "; ".join(f"{f.name} ({f.description})" for f in FORMATS.values()))
    else:
        with st.form("source.pyg", border=False):
            st.selectbox("Dataset", list(DATASETS), key="source.dataset", persist_state="session",
                         help="Read from the server's dataset folder (set by GTVVIZ_DATA_ROOT when it starts).")
            st.form_submit_button("Load dataset", on_click=_on_dataset)
    if AREA in state.errors:
        st.error(state.errors[AREA])
    graph = state.run.graph
    st.caption(f"**{graph.name}**: {graph.num_nodes:,} nodes, {graph.num_edges:,} edges"
               + (f", {graph.num_features} features" if graph.num_features else "")
               + (", labelled" if graph.has_labels else ""))


def _generator_form() -> None:
    kind = st.selectbox("Generator", list(GENERATORS), key="source.generator",
                        format_func=lambda name: f"{name} — {GENERATORS[name].description}", persist_state="session")
    spec = GENERATORS[kind]
    with st.form(f"source.gen.{kind}", border=False):
        for param in spec.params:
            key = f"gen.{kind}.{param.name}"
            st.session_state.setdefault(key, _widget_value(param, param.default))  # a link may have set it
            if param.type == "ints":
                st.text_input(param.name, key=key, help=param.help, persist_state="session")
            elif param.type == "int":
                st.number_input(param.name, int(param.low), int(param.high), step=1, key=key, help=param.help,
                                persist_state="session")
            else:
                st.number_input(param.name, float(param.low), float(param.high), key=key, help=param.help,
                                format="%.4g", persist_state="session")
        st.form_submit_button("Generate", on_click=_on_generate, args=(kind,))


def _widget_value(param: Param, value: Any) -> Any:
    """A generator parameter's value as its widget holds it (lists as ``1-2-3`` text)."""
    if param.type == "ints":
        return "-".join(map(str, value))
    return int(value) if param.type == "int" else float(value)
