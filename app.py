"""gtvviz app: train Total Variation Graph Neural Networks live, compare them, and learn how they work.

Run with ``streamlit run app.py``. The entry point sets up the page and hands over to the selected page
(``pages/``); each page draws the shared frame (:func:`ui.sidebar.page_frame`: sidebar, link, notices). The app holds
no model math: it only calls gtvviz.
"""

from pathlib import Path

import streamlit as st
import torch

from ui.presentation import apply_presentation

#: The tab's icon, shipped with the app (a ``:material/...:`` icon is fetched from the internet).
FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.png"

torch.set_num_threads(1)  # many sessions share one server; one core each keeps them from starving each other

st.set_page_config(page_title="gtvviz", page_icon=str(FAVICON), layout="wide")
apply_presentation()

PAGES = [
    st.Page("pages/explore.py", title="Explore", icon=":material/play_circle:", default=True),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("pages/pooling.py", title="Pooling", icon=":material/account_tree:"),
    st.Page("pages/data.py", title="Data", icon=":material/dataset:"),
    st.Page("pages/theory.py", title="Theory", icon=":material/function:"),
]

st.navigation(PAGES).run()
