"""Pooling (to be filled): TVGNN as a pooling layer for graph classification."""

import streamlit as st

from ui.sidebar import page_frame

page_frame("Pooling — TVGNN as a pooling layer")
st.info(
    "This page will show TVGNN pooling on graph-classification datasets (MUTAG, PROTEINS, ...): how each graph is "
    "coarsened into K supernodes (X_pool = SᵀX, A_pool = SᵀAS), the auxiliary loss, and the classification "
    "accuracy against other pooling methods.",
    icon=":material/construction:",
)
