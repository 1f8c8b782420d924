"""Drive the real app in headless Chromium: start ``streamlit run app.py`` on a free port and open it with Playwright.

Used by the browser tests (``tests/test_browser_*.py``) and the scripts in ``benchmarks/``. Chromium is Debian's
(``/usr/bin/chromium``); nothing is ever downloaded (no ``playwright install``), and a missing Chromium is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: A small, fast model for browser checks (the app's look and behaviour, not TVGNN's quality).
SMALL_MODEL = "hidden=16&mlp=8"


def chromium_path() -> str:
    """The Chromium executable; raises ``FileNotFoundError`` when there is none."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        raise FileNotFoundError("Chromium is missing: install Debian's chromium (apt-get install chromium).")
    return path


def free_port() -> int:
    """A TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(timeout: float = 120.0) -> Iterator[str]:
    """Run the app in a subprocess; yield its base URL once ``/_stcore/health`` answers ``ok``."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="gtvviz-streamlit-", suffix=".log", delete=False)
    env = {**os.environ, "GTVVIZ_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {process.returncode}:\n{_tail(log.name)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not become healthy in {timeout:.0f} s:\n{_tail(log.name)}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


def _tail(path: str, lines: int = 30) -> str:
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


def epoch_of(text: str) -> int:
    """The epoch number in the text of the epoch counter ("Epoch 12 / 500 · ...")."""
    match = re.search(r"Epoch (\d+)", text)
    if match is None:
        raise ValueError(f"no epoch counter in {text!r}")
    return int(match.group(1))
