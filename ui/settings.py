"""The model settings form. Apply stores the settings; they take effect on Reset, never in the middle of a run.

While the applied settings differ from the running ones the form says so ("settings changed — press Reset to
apply"). Impossible settings (out of range, K > N) show one message under the form and change nothing.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import streamlit as st

from gtvviz import RunConfig
from gtvviz.config import INITS, METHODS, SPECS
from gtvviz.errors import GtvvizError
from gtvviz.methods import check_clusters
from gtvviz.train import available_devices
from ui.state import WIDGET_PREFIX, AppState, get_state, sync_widgets

AREA = "settings"
#: Fields that the form does not edit (the graph has its own picker).
NOT_IN_FORM = ("graph",)


def _apply() -> None:
    state = get_state()
    changes = {f.name: st.session_state[WIDGET_PREFIX + f.name] for f in fields(RunConfig)
               if f.name not in NOT_IN_FORM and WIDGET_PREFIX + f.name in st.session_state}
    try:
        config = state.pending.replace(**changes)
        check_clusters(state.run.graph, config.clusters)
    except GtvvizError as err:
        state.errors[AREA] = str(err)
        return
    state.errors.pop(AREA, None)
    state.pending = config


def _number(name: str, label: str, **kwargs: Any) -> None:
    spec = SPECS[name]
    st.number_input(label, min_value=spec.low, max_value=spec.high, key=WIDGET_PREFIX + name, help=spec.help,
                    **kwargs)


def _integer(name: str, label: str) -> None:
    spec = SPECS[name]
    st.number_input(label, min_value=int(spec.low or 0), max_value=int(spec.high or 0), step=1,
                    key=WIDGET_PREFIX + name, help=spec.help)


def _choice(name: str, label: str, options: list[str] | tuple[str, ...]) -> None:
    st.selectbox(label, options, key=WIDGET_PREFIX + name, help=SPECS[name].help)


def settings_form(state: AppState) -> None:
    """Draw the settings form (only K, epochs and seed in classroom mode) and its messages."""
    sync_widgets(state)
    with st.form("settings", border=False):
        _integer("clusters", "Clusters K")
        if not state.classroom:
            left, right = st.columns(2)
            with left:
                _number("alpha1", "α₁ (GTV)", step=0.05, format="%.3f")
                _number("delta", "δ", step=0.05, format="%.3f")
                _number("lr", "Learning rate", step=1e-4, format="%.1e")
            with right:
                _number("alpha2", "α₂ (balance)", step=0.05, format="%.3f")
                _number("eps", "ε", step=1e-4, format="%.1e")
                _integer("epochs", "Epochs")
            st.text_input("GTVConv widths", key=WIDGET_PREFIX + "hidden", help=SPECS["hidden"].help)
            st.text_input("MLP widths", key=WIDGET_PREFIX + "mlp", help=SPECS["mlp"].help)
            left, right = st.columns(2)
            with left:
                _choice("method", "Method", METHODS)
                _choice("device", "Device", ["auto", *available_devices()])
            with right:
                _choice("init", "Init", INITS)
                _integer("seed", "Seed")
        else:
            _integer("epochs", "Epochs")
            _integer("seed", "Seed")
        st.form_submit_button("Apply", on_click=_apply, type="primary")
    if AREA in state.errors:
        st.error(state.errors[AREA])
    elif state.settings_changed:
        st.warning("Settings changed — press **Reset** to apply them.")
