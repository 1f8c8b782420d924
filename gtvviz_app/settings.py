"""The model settings: each change restarts the run with it at once (playing on if it was playing).

So the settings on screen, the run and the link never disagree, and nothing typed is lost (a value typed and then
left by clicking elsewhere, Reset included, is applied first). Impossible settings (out of range, K > N) show one
message under the settings, keep the typed value in its field and leave the run as it was. There is one widget per
:class:`~gtvviz.RunConfig` field that the chosen method reads (:data:`METHOD_FIELDS`; the graph has its own
picker), chosen from the field's type and range in :data:`gtvviz.config.SPECS`, so a new setting appears without
changes here.
"""

from __future__ import annotations

from dataclasses import Field, fields

import streamlit as st

from gtvviz import RunConfig
from gtvviz.config import SPECS
from gtvviz.devices import available_devices
from gtvviz_app.state import WIDGET_PREFIX, AppState, apply_settings, get_state, sync_widgets, typed_settings

AREA = "settings"
#: Fields that the form does not edit (the graph has its own picker).
NOT_IN_FORM = ("graph", "batch_nodes")
#: The only fields shown in classroom mode (those the method reads).
CLASSROOM = ("clusters", "method", "epochs", "seed")
_TRAINED = ("clusters", "method", "hidden", "mlp", "lr", "epochs", "seed", "device", "normalize")
#: The fields each method reads (:func:`gtvviz.methods.build_trainer` and the method's builder): TVGNN all of them;
#: MinCutPool and DMoN (a GCSNet with TVGNN's widths) neither the AsymCheegerCut weights nor GTVConv's δ and ε;
#: spectral clustering, computed once, only K and the seed; k-means also the features' scaling.
METHOD_FIELDS = {
    "tvgnn": tuple(f.name for f in fields(RunConfig) if f.name not in NOT_IN_FORM),
    "mincut": _TRAINED,
    "dmon": _TRAINED,
    "spectral": ("clusters", "method", "seed"),
    "kmeans": ("clusters", "method", "seed", "normalize"),
}
LABELS = {"clusters": "Clusters K", "alpha1": "α₁ (GTV)", "alpha2": "α₂ (balance)", "delta": "δ", "eps": "ε",
          "hidden": "GTVConv widths", "mlp": "MLP widths", "lr": "Learning rate", "epochs": "Epochs",
          "seed": "Seed", "device": "Device", "method": "Method",
          "warmup": "GTV warm-up (epochs)", "balance_weight": "Balance weight",
          "normalize": "Feature scaling", "init": "Start"}
FORMATS = {"eps": "%.1e", "lr": "%.1e"}
#: Dropdowns with an option longer than this many characters take the sidebar's whole width.
WIDE_CHOICE = 6


def _changed() -> None:
    """A settings widget changed: restart the run with its value (a widget callback).

    Every other settings widget's value goes with it: when two fields are left in quick succession Streamlit may
    call back for the last one only, and the restart would then put the first one back to the applied value."""
    apply_settings(get_state(), AREA, **typed_settings())


def shown_fields(state: AppState) -> list[Field]:
    """The settings drawn: those the running method reads (only :data:`CLASSROOM`'s in classroom mode)."""
    names = METHOD_FIELDS.get(state.pending.method, METHOD_FIELDS["tvgnn"])
    return [f for f in fields(RunConfig) if f.name in names and (not state.classroom or f.name in CLASSROOM)]


def _widget(field: Field) -> None:
    """The widget of one setting, from its type and its range or choices."""
    name, spec = field.name, SPECS[field.name]
    label, key = LABELS.get(name, name.replace("_", " ").capitalize()), WIDGET_PREFIX + name
    if spec.choices is not None:
        options = ["auto", *available_devices()] if name == "device" else list(spec.choices)
        st.selectbox(label, options, key=key, help=spec.help, on_change=_changed, persist_state="session")
    elif field.type == "tuple[int, ...]":
        st.text_input(label, key=key, help=spec.help, on_change=_changed, persist_state="session")
    elif field.type == "int":
        st.number_input(label, min_value=int(spec.low or 0), max_value=int(spec.high or 0), step=1, key=key,
                        help=spec.help, on_change=_changed, persist_state="session")
    else:
        st.number_input(label, min_value=spec.low, max_value=spec.high, step=0.05 if name not in FORMATS else 1e-4,
                        format=FORMATS.get(name, "%.3f"), key=key, help=spec.help, on_change=_changed,
                        persist_state="session")


def _long_choices(field: Field) -> bool:
    """Whether a dropdown's options are too long for half the sidebar (they would be cut off, "adaptiv")."""
    choices = SPECS[field.name].choices
    return choices is not None and max(map(len, choices)) > WIDE_CHOICE


def settings_form(state: AppState) -> None:
    """Draw the settings the running method reads (fewer in classroom mode) and their message."""
    sync_widgets(state)
    shown = shown_fields(state)
    # K and the method on their own lines, then the numbers two to a line, then the other wide fields
    first = [f for f in shown if f.name in ("clusters", "method")]
    wide = [f for f in shown if f not in first and (f.type == "tuple[int, ...]" or _long_choices(f))]
    for field in first:
        _widget(field)
    columns = st.columns(2)
    for i, field in enumerate(f for f in shown if f not in first and f not in wide):
        with columns[i % 2]:
            _widget(field)
    for field in wide:
        _widget(field)
    if AREA in state.errors:
        st.error(state.errors[AREA])
    st.caption("Each change restarts the run with it.")
