"""Shared helpers of the AppTest tests: start the app, click buttons by label, read the session's state."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from streamlit.testing.v1 import AppTest

from gtvviz_app.state import KEY, AppState

APP = Path(__file__).resolve().parents[1] / "app.py"


def start_app(query: Mapping[str, str] | None = None) -> AppTest:
    """Run the app once (a fresh session), optionally opened from a link with ``query``."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query or {})
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    """Click the button (or form submit button) labelled ``label`` and rerun."""
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0].click().run()


def state(at: AppTest) -> AppState:
    """The session's :class:`AppState`."""
    return at.session_state[KEY]


def texts(at: AppTest, kind: str) -> list[str]:
    """The bodies of every element of one kind (``error``, ``warning``, ``markdown``, ...)."""
    return [element.value for element in getattr(at, kind)]


def assert_clean(at: AppTest) -> None:
    """The run raised no exception."""
    assert not at.exception, [e.value for e in at.exception]
