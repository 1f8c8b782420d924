"""The shareable link: the whole configuration (seed included) in the URL query string.

The URL is read once, when a session starts (:func:`read_url`); afterwards the session state is the truth and
the URL follows it (:func:`write_url`, called at the start of every full run, after the callbacks that change the
run: a changed setting, Reset, a new graph and a page switch all leave a link that reproduces the run on screen). A
link without a usable graph opens the landing run (the caller's ``landing`` settings), with the link's other
settings applied to it. ``classroom=1`` hides the advanced controls.
"""

from __future__ import annotations

import streamlit as st

from gtvviz import RunConfig
from gtvviz_app.presentation import PRESENT, present_mode

CLASSROOM = "classroom"


def read_url(landing: RunConfig | None = None) -> tuple[RunConfig, bool, list[str]]:
    """The configuration in the URL (on top of ``landing`` when the URL names no graph), whether classroom mode is
    on, and one message per ignored parameter."""
    query = st.query_params.to_dict()
    query.pop(PRESENT, None)  # the presentation flag (gtvviz_app.presentation), not a setting
    classroom = query.get(CLASSROOM, "").lower() in ("1", "true", "yes")
    names_graph = "graph" in query and not RunConfig.from_query({"graph": query["graph"]})[1]
    config, messages = RunConfig.from_query(query, base=None if names_graph else landing)
    return config, classroom, messages


def query_for(config: RunConfig, classroom: bool) -> dict[str, str]:
    """The query parameters that reproduce the applied settings ``config`` (and classroom mode)."""
    query = config.to_query()
    if classroom:
        query[CLASSROOM] = "1"
    if present_mode():
        query[PRESENT] = "1"
    return query


def write_url(config: RunConfig, classroom: bool) -> None:
    """Make the URL match the applied settings (only when it differs, to keep history quiet)."""
    wanted = query_for(config, classroom)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
