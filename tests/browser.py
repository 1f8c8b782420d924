"""Drive the real app in headless Chromium: start ``streamlit run app.py`` on a free port and open it with Playwright.

:func:`app_server` runs the server (with extra options, its own ``TMPDIR`` and a memory reading when a test needs
them), :func:`streamlit_server` is its short form that yields only the URL, and :func:`chromium_browser` launches
the browser.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@dataclass
class Server:
    """A running ``streamlit run app.py``: its base URL, process, ``TMPDIR`` (its own empty folder, or ``None``
    when it inherits the environment's) and log file."""

    url: str
    process: subprocess.Popen[bytes]
    tmpdir: Path | None
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the server process (and any children), in MB."""
        import psutil

        proc = psutil.Process(self.process.pid)
        return (proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))) / 2**20


@contextmanager
def app_server(timeout: float = 120.0, options: Mapping[str, str] | None = None,
               own_tmpdir: bool = False, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Run the app in a subprocess on a free port; yield it once ``/_stcore/health`` answers ``ok``.

    Args:
        timeout: seconds to wait for the server to become healthy.
        options: more ``streamlit run`` options, e.g. ``{"server.disconnectedSessionTTL": "3"}``.
        own_tmpdir: give the server an empty ``TMPDIR`` of its own (:attr:`Server.tmpdir`), so that any temporary
            file it leaves behind is seen.
        env: more environment variables for the server process.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="gtvviz-streamlit-") as scratch:
        log = Path(scratch) / "server.log"
        tmpdir = Path(scratch) / "server-tmp" if own_tmpdir else None
        server_env = {**os.environ, "GTVVIZ_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
        if tmpdir is not None:
            tmpdir.mkdir()
            server_env["TMPDIR"] = str(tmpdir)
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        for name, value in (options or {}).items():
            command += [f"--{name}", str(value)]
        url = f"http://127.0.0.1:{port}"
        with serving(command, REPO, server_env, log, f"{url}/_stcore/health", lambda body: body.strip() == b"ok",
                     "streamlit", timeout) as process:
            yield Server(url, process, tmpdir, log)


@contextmanager
def serving(command: list[str], cwd: Path, env: Mapping[str, str], log: Path, probe: str,
            healthy: Callable[[bytes], bool], name: str, timeout: float) -> Iterator[subprocess.Popen]:
    """Start a server process (output to ``log``); yield it once ``probe`` answers a body that is ``healthy``;
    terminate it afterwards. A process that exits, or no healthy answer in ``timeout`` seconds, raises with the
    log's tail."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as answer:
                    if answer.status == 200 and healthy(answer.read()):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not answer in {timeout:.0f} s:\n{_tail(log)}")
            time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def streamlit_server(timeout: float = 120.0) -> Iterator[str]:
    """Run the app in a subprocess; yield its base URL once ``/_stcore/health`` answers ``ok``."""
    with app_server(timeout) as server:
        yield server.url


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (a missing Chromium fails; it is never skipped or downloaded)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def epoch_of(text: str) -> int:
    """The epoch number in the text of the epoch counter ("Epoch 12 / 500 · ...")."""
    match = re.search(r"Epoch (\d+)", text)
    if match is None:
        raise ValueError(f"no epoch counter in {text!r}")
    return int(match.group(1))


def settled(page: Page) -> None:
    """Wait until the page holds no element Streamlit keeps from a previous run while the current one redraws it
    (``data-retained``): a value typed into such a copy is lost when the new element replaces it."""
    from playwright.sync_api import expect

    expect(page.locator('[data-retained="true"]')).to_have_count(0, timeout=60_000)


#: The boxes of the current, visible elements a selector matches, measured in one go (a rerun may replace an
#: element between two Playwright calls; a copy kept from the previous run is ``data-stale``).
_VISIBLE_BOXES = """selector => [...document.querySelectorAll(selector)]
  .filter(e => e.dataset.stale !== 'true' && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
  .map(r => ({y: r.y, height: r.height}))"""


def visible_boxes(page: Page, selector: str, timeout: float = 60.0) -> list[dict[str, float]]:
    """The ``y`` and ``height`` of every current, visible element ``selector`` matches, once the page has
    :func:`settled` and at least one is current (a rerun in progress marks the elements it has not redrawn yet as
    stale), or whatever is current after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        settled(page)
        boxes = page.evaluate(_VISIBLE_BOXES, selector)
        if boxes or time.monotonic() > deadline:
            return boxes
        page.wait_for_timeout(250)


def graph_of(page: Page, ready: str = "window.gtvvizLiveGraph.newPlots > 0", timeout: float = 60.0):  # noqa: ANN201
    """The app's live graph frame (its document), once the JavaScript condition ``ready`` holds in it (by default:
    it has drawn).

    Streamlit can replace the graph's iframe by a new one: a rerun drops the copy it kept of the previous run's
    element, and rapid reruns (a slider moved key by key) can mount the component again. A frame that goes away
    while waited on is not waited on to the end: the wait goes on in the iframe that replaced it."""
    from playwright.sync_api import Error

    iframe = page.locator('iframe[title$="gtvviz_live_graph"]')
    deadline = time.monotonic() + timeout
    problem = "no single live graph iframe"
    while True:
        left = deadline - time.monotonic()
        try:
            frame = iframe.element_handle(timeout=5_000).content_frame() if iframe.count() == 1 else None
            if frame is not None:
                frame.wait_for_function(f"window.gtvvizLiveGraph && ({ready})", timeout=max(min(left, 5.0), 0.1) * 1000)
                return frame
        except Error as err:  # a timeout, a detached frame, or two iframes for a moment
            problem = str(err).splitlines()[0]
        if left <= 0:
            raise AssertionError(f"the live graph never had {ready} in {timeout:.0f} s: {problem}")
        time.sleep(0.2)


def live_evaluate(page: Page, script: str):  # noqa: ANN201
    """The value of ``script`` (a JavaScript function) in the live graph's frame, evaluated again in the new frame
    if Streamlit replaces the iframe meanwhile (see :func:`graph_of`)."""
    from playwright.sync_api import Error

    for _ in range(2):
        try:
            return graph_of(page).evaluate(script)
        except Error:
            pass  # the frame went away during the evaluation
    return graph_of(page).evaluate(script)


def live_counter(page: Page) -> int:
    """The epoch of the counter drawn over the live graph (the drawn frame's; the status line names the epoch only
    while paused)."""
    return epoch_of(live_evaluate(page, "() => document.getElementById('counter').innerText"))


def address(page: Page) -> str:
    """The address bar's URL as the page sees it (``location.href``): Playwright's ``page.url`` can lag a
    ``history.pushState`` by one change, and the app rewrites its link that way."""
    return page.evaluate("location.href")
