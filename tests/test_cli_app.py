"""``gtvviz app``: streamlit on the installed app script, with the checkout's settings, the user's options winning.

Starting the app from a wheel installed outside the checkout is tested in ``tests/test_packaging.py``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from gtvviz.cli import main
from gtvviz.cli import app
from gtvviz.cli.app import APP_OPTIONS, app_script, streamlit_command

REPO = Path(__file__).resolve().parents[1]


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def test_the_options_are_the_checkouts_streamlit_config() -> None:
    """The settings `streamlit run app.py` reads from .streamlit/config.toml travel with `gtvviz app`."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert APP_OPTIONS == _flatten(config)


def test_elements_are_never_sent_as_references_to_the_browsers_cache() -> None:
    """A live view rerunning ten times a second can make the browser drop a cached message the server still refers
    to ("Cached ForwardMsg MISS", which stops the page), so Streamlit's cache threshold is above any message."""
    assert float(APP_OPTIONS["global.minCachedMessageSize"]) >= 2**40


def test_the_script_is_the_apps_main() -> None:
    import gtvviz_app

    assert app_script() == Path(gtvviz_app.__file__).parent / "main.py"
    assert (app_script().parent / "pages" / "explore.py").is_file()


def test_user_options_come_last_and_replace_the_defaults() -> None:
    command = streamlit_command(Path("main.py"), ["--server.maxUploadSize=10", "--theme.base", "dark",
                                                  "--server.port", "8600"])
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", "main.py"]
    assert command[-5:] == ["--server.maxUploadSize=10", "--theme.base", "dark", "--server.port", "8600"]
    flags = command[5:-5]
    assert "--server.maxUploadSize" not in flags and "--theme.base" not in flags
    assert flags[flags.index("--client.showErrorDetails") + 1] == "none"
    assert len(flags) == 2 * (len(APP_OPTIONS) - 2)


def test_gtvviz_app_passes_its_options_to_streamlit(monkeypatch) -> None:
    ran = []
    monkeypatch.setattr(app, "launch", lambda command, env: ran.append((command, env)) or 3)
    assert main(["app", "--server.headless", "true", "--server.port", "8600"]) == 3  # streamlit's exit status
    (command, env), = ran
    assert command[4] == str(app_script()) and command[-4:] == ["--server.headless", "true", "--server.port", "8600"]
    assert env["MALLOC_ARENA_MAX"]


@pytest.mark.parametrize("missing", ["streamlit", "gtvviz_app"])
def test_without_the_app_extra_it_says_what_to_install(missing, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    assert main(["app"]) == 2
    err = capsys.readouterr().err.strip()
    assert missing in err and "pip install 'gtvviz[app]'" in err and len(err.splitlines()) == 1


def test_help_says_where_the_options_go(capsys) -> None:
    assert main(["app", "--help"]) == 0
    out = capsys.readouterr().out
    assert "streamlit run" in out and "--server.port" in out
