"""``gtvviz app``: start the Streamlit app (the package :mod:`gtvviz_app`, installed by ``gtvviz[app]``).

Runs ``streamlit run`` on the installed ``gtvviz_app/main.py`` as a new program (gtvviz itself never imports
streamlit), from any folder. A checkout's ``.streamlit/config.toml`` is only read when Streamlit starts inside the
checkout, so its settings travel as command-line options (:data:`APP_OPTIONS`, kept equal to that file by
``tests/test_cli_app.py``); every option after ``gtvviz app`` goes to Streamlit and overrides them, e.g.
``gtvviz app --server.port 8600 --server.headless true``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from gtvviz.errors import ConfigError

#: The settings of the checkout's ``.streamlit/config.toml`` as ``streamlit run`` options (see that file for why).
APP_OPTIONS: dict[str, str] = {
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.maxUploadSize": "50",
    "server.disconnectedSessionTTL": "30",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "theme.base": "light",
    "global.minCachedMessageSize": "1000000000000000",
}

#: Two malloc arenas keep a server of many sessions (one thread each) from growing without bound
#: (docs/RELIABILITY.md); set unless the environment already chooses.
ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "app", help="start the Streamlit app (needs gtvviz[app])", usage="gtvviz app [-h] [STREAMLIT OPTION ...]",
        description="Start the gtvviz app: train TVGNN live, compare it with smooth methods, learn how it works. "
                    "Every option after 'app' goes to 'streamlit run' (see 'streamlit run --help'), e.g. "
                    "--server.port 8600 or --server.headless true; the app's own settings "
                    f"({', '.join(f'--{k} {v}' for k, v in APP_OPTIONS.items())}) are passed first, so yours win.",
        epilog="Installed with: pip install 'gtvviz[app]'.",
    )
    parser.set_defaults(func=run, passes_options=True)


def streamlit_command(main_script: Path, options: Sequence[str]) -> list[str]:
    """The ``streamlit run`` command line: this interpreter (with ``-S`` when this process runs without ``site``),
    the app's settings unless ``options`` sets them, then ``options``."""
    given = {option[2:].split("=", 1)[0] for option in options if option.startswith("--")}
    defaults = [part for name, value in APP_OPTIONS.items() if name not in given for part in (f"--{name}", value)]
    interpreter = [sys.executable, *(["-S"] if sys.flags.no_site else [])]
    return [*interpreter, "-m", "streamlit", "run", str(main_script), *defaults, *options]


def app_script() -> Path:
    """The installed app's entry script, ``gtvviz_app/main.py``, found without importing the app.

    Raises:
        ConfigError: if the app or Streamlit is not installed.
    """
    missing = [name for name in ("gtvviz_app", "streamlit", "plotly") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"The app needs {' and '.join(missing)}, not installed here; install the app with "
                          "pip install 'gtvviz[app]'.")
    spec = importlib.util.find_spec("gtvviz_app")
    script = Path(next(iter(spec.submodule_search_locations or ()), "")) / "main.py"  # type: ignore[union-attr]
    if not script.is_file():
        raise ConfigError(f"The app's script {script} is missing; reinstall gtvviz with pip install 'gtvviz[app]'.")
    return script


def launch(command: list[str], env: dict[str, str]) -> int:
    """Run ``command``: on POSIX it replaces this process (so that signals reach Streamlit itself and nothing is
    left behind when it is stopped); elsewhere it runs as a child, whose exit status is returned."""
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(command[0], command, env)
    return subprocess.call(command, env=env)


def run(args: argparse.Namespace) -> int:
    return launch(streamlit_command(app_script(), args.passed_options), {**ENVIRONMENT, **os.environ})
