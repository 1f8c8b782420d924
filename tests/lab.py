"""A real JupyterLab server for the widget's browser test and benchmark: ``jupyter lab --no-browser`` on a free
port with a token chosen here, serving a temporary notebook folder, with temporary Jupyter config, data, runtime
and IPython folders (so nothing global is read or written); kernels are this interpreter with this checkout first
on ``PYTHONPATH``. Also: open a notebook in Chromium and run its cells with the keyboard, as a user would.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser import REPO, free_port, serving

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass
class Lab:
    """A running JupyterLab: base URL, token and notebook folder."""

    url: str
    token: str
    notebooks: Path

    def notebook(self, name: str, cells: Sequence[str]) -> str:
        """Write a notebook of these code cells into the served folder; return its URL (with the token)."""
        notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": source} for source in cells],
                    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                    "nbformat": 4, "nbformat_minor": 5}
        (self.notebooks / name).write_text(json.dumps(notebook))
        return f"{self.url}/lab/tree/{name}?token={self.token}"


@contextmanager
def lab_server(timeout: float = 180.0) -> Iterator[Lab]:
    """Run JupyterLab in a subprocess; yield it once its API answers with the token."""
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="gtvviz-lab-") as scratch:
        root = Path(scratch)
        notebooks, config = root / "notebooks", root / "config"
        notebooks.mkdir()
        (config / "labconfig").mkdir(parents=True)
        # no announcements or news toasts over the notebook (and no request for them)
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # the notebook's kernel starts without asking
        tracker = config / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"autoStartDefaultKernel": True}))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(root / "data"),
               "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "IPYTHONDIR": str(root / "ipython"),
               "JUPYTER_PLATFORM_DIRS": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        log = root / "lab.log"
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                   f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
                   "--ServerApp.port_retries=0", "--allow-root", "--LabApp.extension_manager=readonly",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        url = f"http://127.0.0.1:{port}"
        with serving(command, notebooks, env, log, f"{url}/api/status?token={token}", lambda body: True,
                     "jupyter lab", timeout):
            yield Lab(url, token, notebooks)


def wait_for_kernel(page: Page, timeout: float = 180.0) -> None:
    """Wait until the open notebook's kernel is started and idle (the status bar says so)."""
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=timeout * 1000)


def run_cell(page: Page, index: int) -> None:
    """Run the notebook's cell ``index`` (0-based) as a user does: click into it, press Shift+Enter; wait until its
    prompt shows it queued or run (a key press can be lost while JupyterLab is still settling: pressed again)."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(3):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function("p => p.textContent.trim() !== '[ ]:'", arg=prompt.element_handle(),
                                   timeout=10_000)
            return
        except Exception:
            if attempt == 2:
                raise


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
