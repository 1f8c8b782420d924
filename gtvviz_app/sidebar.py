"""The frame every page shares: the sidebar (graph source and model settings), the link and one-time notices.

Each page calls :func:`page_frame` first. (Doing this from the page rather than from ``app.py`` keeps it testable:
after its first run, Streamlit's AppTest runs only the page script, not ``app.py``.) Every state change has
happened by then (in widget callbacks, or before an ``st.rerun``), so the link written here is up to date.
"""

from __future__ import annotations

import streamlit as st

from gtvviz_app.settings import settings_form
from gtvviz_app.source import source_picker
from gtvviz_app.state import AppState, get_state
from gtvviz_app.urlsync import write_url


def render_sidebar(state: AppState) -> None:
    """Draw the graph picker and the settings form (fewer controls in classroom mode)."""
    with st.sidebar:
        with st.expander("Graph", expanded=True, icon=":material/hub:"):
            source_picker(state)
        with st.expander("Model settings", expanded=True, icon=":material/tune:"):
            settings_form(state)
        st.caption("The address bar always holds a link that reproduces this run (graph, settings and seed).")


def show_notices(state: AppState) -> None:
    """Show the messages of the session's start (e.g. ignored link parameters) once, and the queued toasts (in
    the corner, where they move nothing on the page)."""
    for message in state.notices:
        st.warning(message, icon=":material/link_off:")
    state.notices.clear()
    for message in state.toasts:
        st.toast(message, icon=":material/restart_alt:", duration="long")
    state.toasts.clear()


def page_frame(title: str, *, run_sidebar: bool = True) -> AppState:
    """Update the link, draw the shared sidebar (unless ``run_sidebar`` is false: a page whose model is not the
    run's, like Pooling, draws its own), the notices and the page title; return the session state."""
    state = get_state()
    write_url(state.pending, state.classroom)
    if run_sidebar:
        render_sidebar(state)
    show_notices(state)
    st.markdown(f"#### {title}")
    return state
