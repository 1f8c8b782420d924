"""The model settings form. Apply stores the settings; they take effect on Reset, never in the middle of a run.

While the applied settings differ from the running ones the form says so ("settings changed — press Reset to
apply"). Impossible settings (out of range, K > N) show one message under the form and change nothing. The form
has one widget per :class:`~gtvviz.RunConfig` field (but the graph, which has its own picker), chosen from the
field's type and range in :data:`gtvviz.config.SPECS`, so a new setting appears without changes here.
"""

from __future__ import annotations

from dataclasses import Field, fields

import streamlit as st

from gtvviz import RunConfig
from gtvviz.config import SPECS
from gtvviz.errors import GtvvizError
from gtvviz.methods import check_clusters
from gtvviz.devices import available_devices
from gtvviz_app.state import WIDGET_PREFIX, AppState, get_state, sync_widgets

AREA = "settings"
#: Fields that the form does not edit (the graph has its own picker).
NOT_IN_FORM = ("graph", "batch_nodes")
#: The only fields shown in classroom mode.
CLASSROOM = ("clusters", "epochs", "seed")
LABELS = {"clusters": "Clusters K", "alpha1": "α₁ (GTV)", "alpha2": "α₂ (balance)", "delta": "δ", "eps": "ε",
          "hidden": "GTVConv widths", "mlp": "MLP widths", "lr": "Learning rate", "epochs": "Epochs",
          "seed": "Seed", "device": "Device", "method": "Method",
          "warmup": "GTV warm-up (epochs)", "balance_weight": "Balance weight"}
FORMATS = {"eps": "%.1e", "lr": "%.1e"}


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


def _widget(field: Field) -> None:
    """The widget of one setting, from its type and its range or choices."""
    name, spec = field.name, SPECS[field.name]
    label, key = LABELS.get(name, name.replace("_", " ").capitalize()), WIDGET_PREFIX + name
    if spec.choices is not None:
        options = ["auto", *available_devices()] if name == "device" else list(spec.choices)
        st.selectbox(label, options, key=key, help=spec.help, persist_state="session")
    elif field.type == "tuple[int, ...]":
        st.text_input(label, key=key, help=spec.help, persist_state="session")
    elif field.type == "int":
        st.number_input(label, min_value=int(spec.low or 0), max_value=int(spec.high or 0), step=1, key=key,
                        help=spec.help, persist_state="session")
    else:
        st.number_input(label, min_value=spec.low, max_value=spec.high, step=0.05 if name not in FORMATS else 1e-4,
                        format=FORMATS.get(name, "%.3f"), key=key, help=spec.help, persist_state="session")


def settings_form(state: AppState) -> None:
    """Draw the settings form (only K, epochs and seed in classroom mode) and its messages."""
    sync_widgets(state)
    shown = [f for f in fields(RunConfig)
             if f.name not in NOT_IN_FORM and (not state.classroom or f.name in CLASSROOM)]
    wide = [f for f in shown if f.type == "tuple[int, ...]"]
    narrow = [f for f in shown if f not in wide]
    with st.form("settings", border=False):
        _widget(narrow[0])  # K, on its own line
        columns = st.columns(2)
        for i, field in enumerate(narrow[1:]):
            with columns[i % 2]:
                _widget(field)
        for field in wide:
            _widget(field)
        st.form_submit_button("Apply", on_click=_apply, type="primary")
    if AREA in state.errors:
        st.error(state.errors[AREA])
    elif state.settings_changed:
        st.warning("Settings changed — press **Reset** to apply them.")
