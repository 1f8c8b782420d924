"""Presentation mode (``present=1`` in the URL, combinable with ``classroom=1``): the app on a 1280x720 projector.

No sidebar, larger text (chart ticks 18 px, metric values 32 px, near-black ticks: 15.9:1 on white), less empty
space above the title, a transport bar big enough to hit from a lectern, and a live graph short enough that the graph
and the assignment simplex sit above the fold. :func:`apply_presentation` is called once per run, by ``app.py``,
before the first element is drawn; pages read :func:`present_mode` and pass :func:`figure_style` to the figure
functions of :mod:`gtvviz.viz`.
"""

from __future__ import annotations

import streamlit as st

from gtvviz.viz.live_payload import TEXT_PX
from gtvviz.viz.style import PRESENTATION, FigureStyle

#: The URL parameter.
PRESENT = "present"
#: Session-state key remembering the flag (the URL is rewritten by ``gtvviz_app.urlsync``, which keeps it).
KEY = "gtvviz_present"
#: Height of the live graph (and the simplex beside it) in presentation mode, in pixels.
GRAPH_HEIGHT = 330
#: Text size of the colour keys in presentation mode, in pixels (the page's text is 19 px).
PRESENT_KEY_TEXT_PX = 17
#: The page's style sheet in presentation mode.
CSS = """
<style>
  section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
  [data-testid="stExpandSidebarButton"] { display: none !important; }
  .stMainBlockContainer, .block-container { padding-top: 0.75rem !important; max-width: 100% !important;
    padding-left: 1.25rem !important; padding-right: 1.25rem !important; }
  header[data-testid="stHeader"] { height: 0 !important; min-height: 0 !important; }
  html, body, [data-testid="stMarkdownContainer"] p { font-size: 19px; }
  [data-testid="stMarkdownContainer"] h4 { font-size: 26px; padding: 0 0 0.35rem; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 32px !important; line-height: 1.2; }
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { font-size: 18px !important; color: #222 !important; }
  [data-testid="stVerticalBlock"] { gap: 0.5rem; }
  .stButton button, .stButton button p { min-height: 52px; min-width: 64px; font-size: 21px !important; }
  [data-testid="stExpander"] summary p { font-size: 18px; }
</style>
"""


def present_mode() -> bool:
    """Whether presentation mode is on: ``present=1`` (or true, yes) in the URL the session started with."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(PRESENT, "").lower() in ("1", "true", "yes")
    return bool(st.session_state[KEY])


#: The page's style sheet otherwise: Streamlit's 6rem above the title cut to 2.5rem, so that more of the live graph
#: sits above the fold of a 1280x720 screen.
COMPACT_CSS = """
<style>
  .stMainBlockContainer, .block-container { padding-top: 2.5rem !important; }
</style>
"""


#: In every mode: Streamlit fades an element to a third of its opacity when a run has not redrawn it for half a
#: second; a live view redraws its figures every tick, so on a loaded machine they would flicker while playing.
#: Whether the app is busy is still shown by Streamlit's running indicator.
NO_FADE_CSS = """
<style>
  [data-testid="stElementContainer"][data-stale="true"] { opacity: 1 !important; }
</style>
"""


def apply_presentation() -> None:
    """Add the presentation style sheet to the page when presentation mode is on, the compact one otherwise, and
    keep elements waiting to be redrawn at full opacity."""
    st.html((CSS if present_mode() else COMPACT_CSS) + NO_FADE_CSS)


def figure_style() -> FigureStyle | None:
    """The figure text sizes of the mode: :data:`~gtvviz.viz.style.PRESENTATION`, or ``None`` (plotly's)."""
    return PRESENTATION if present_mode() else None


def key_text_px() -> int:
    """Text size of the colour keys (and of the live graph's simplex title): :data:`PRESENT_KEY_TEXT_PX` in
    presentation mode, else :data:`~gtvviz.viz.live_payload.TEXT_PX`."""
    return PRESENT_KEY_TEXT_PX if present_mode() else TEXT_PX


def graph_height(default: int) -> int:
    """The live graph's height: :data:`GRAPH_HEIGHT` in presentation mode, else ``default``."""
    return GRAPH_HEIGHT if present_mode() else default
