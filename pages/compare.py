"""Compare (to be filled): TVGNN next to the smooth baselines on the same graph."""

import streamlit as st

from ui.sidebar import page_frame

page_frame("Compare — TVGNN against the smooth baselines")
st.info(
    "This page will train TVGNN and the baselines (spectral clustering, MinCutPool, DMoN, k-means) on the current "
    "graph side by side, with matched cluster colours, their sharpness histograms and metrics, to show whether "
    "TVGNN's assignments are really sharper. Until then, pick a method in **Model settings** and press Reset "
    "on the Explore page.",
    icon=":material/construction:",
)
