"""gtvviz app: train Total Variation Graph Neural Networks live, compare them, and learn how they work.

:func:`main` sets up the page and hands over to the selected page (``gtvviz_app/pages/``); each page draws the
shared frame (:func:`gtvviz_app.sidebar.page_frame`: sidebar, link, notices). The app holds no model math: it only
calls gtvviz. Streamlit runs this file itself when the app is started with ``gtvviz app``, and the checkout's
``app.py`` calls :func:`main` for ``streamlit run app.py``.
"""

from pathlib import Path

import streamlit as st
import torch

from gtvviz_app.presentation import apply_presentation

HERE = Path(__file__).resolve().parent
#: The tab's icon, shipped with the app (a ``:material/...:`` icon is fetched from the internet).
FAVICON = HERE / "favicon.png"
#: The folder of the page scripts.
PAGES_DIR = HERE / "pages"


def main() -> None:
    """Configure the page and run the page the visitor chose."""
    torch.set_num_threads(1)  # many sessions share one server; one core each keeps them from starving each other
    st.set_page_config(page_title="gtvviz", page_icon=str(FAVICON), layout="wide")
    apply_presentation()
    lesson = "lesson" in st.query_params  # a lesson link (?lesson=NAME) opens the Lessons page
    pages = [
        st.Page(PAGES_DIR / "explore.py", title="Explore", icon=":material/play_circle:", default=not lesson),
        st.Page(PAGES_DIR / "compare.py", title="Compare", icon=":material/compare:"),
        st.Page(PAGES_DIR / "pooling.py", title="Pooling", icon=":material/account_tree:"),
        st.Page(PAGES_DIR / "data.py", title="Data", icon=":material/dataset:"),
        st.Page(PAGES_DIR / "theory.py", title="Theory", icon=":material/function:"),
        st.Page(PAGES_DIR / "lessons.py", title="Lessons", icon=":material/school:", default=lesson),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
