"""The wheel is complete: built from this checkout and installed into a folder outside it, it runs the README's
library example, ``gtvviz cluster`` on a sample, ``gtvviz app --help`` and the app itself, from another folder.

The installed copy runs under ``python -S`` with ``PYTHONPATH`` holding only the install folder and this
environment's site-packages: without ``site`` no ``.pth`` file (an editable install of the checkout) is read,
so the checkout cannot be what gets imported. Importing gtvviz imports no part of the app's extra.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import gtvviz
from tests.browser import free_port

#: One worker builds and installs the wheel once for every test of this file.
pytestmark = pytest.mark.xdist_group("wheel")

REPO = Path(__file__).resolve().parents[1]
#: What the app's extra brings; importing gtvviz (or its CLI) must import none of it.
APP_ONLY = ("streamlit", "plotly", "pyvis")
#: A tiny model: these runs check the installed package, not TVGNN's quality.
SMALL = ["--epochs", "20", "--hidden", "16", "--mlp", "8", "--device", "cpu"]


@dataclass(frozen=True)
class Installed:
    """A wheel installed with ``pip install --target`` and how to run Python against it."""

    wheel: Path
    target: Path
    cwd: Path
    env: dict[str, str]

    def python(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-S", *args], cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def gtvviz(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """The console script pip wrote from ``[project.scripts]``."""
        return self.python(str(self.target / "bin" / "gtvviz"), *args, timeout=timeout)


def _source_files() -> list[str]:
    """The checkout's files as git sees them (tracked, and new files not ignored): what a fresh clone would build."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source, dist, target, cwd = root / "source", root / "dist", root / "target", root / "elsewhere"
    for name in _source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist),
                    str(source)], check=True, capture_output=True, timeout=300)
    wheel, = dist.glob("gtvviz-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    cwd.mkdir()
    site_packages = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(PYTHONPATH=os.pathsep.join([str(target), *site_packages]), GTVVIZ_OFFLINE="1", PYTHONUNBUFFERED="1",
               OMP_NUM_THREADS="1")  # one torch thread, as in conftest: two test workers share two cores
    return Installed(wheel, target, cwd, env)


@pytest.mark.slow
def test_the_wheel_holds_the_samples_and_the_app(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    samples = {f"gtvviz/data/sample_graphs/{name}.json" for name in gtvviz.data.SAMPLES}
    pages = {f"gtvviz_app/pages/{page.name}" for page in (REPO / "gtvviz_app" / "pages").glob("*.py")}
    assert samples <= names and pages <= names and "gtvviz_app/pages/explore.py" in pages
    assert {"gtvviz_app/main.py", "gtvviz_app/favicon.png", "gtvviz_app/live_graph/frontend/index.html",
            "gtvviz/viz/static/live_graph.js", "gtvviz/widgets/training_widget.js",
            "gtvviz/widgets/training_widget.css"} <= names
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/", "sample_graphs/"))]
    metadata = zipfile.ZipFile(installed.wheel).read(
        f"gtvviz-{gtvviz.__version__}.dist-info/METADATA").decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    core = [line for line in requires if "extra ==" not in line]
    assert not [line for line in core if any(name in line for name in (*APP_ONLY, "pillow", "pandas"))]
    assert any("streamlit>=1.56" in line and 'extra == "app"' in line for line in requires)


@pytest.mark.slow
def test_the_readme_example_runs_from_the_installed_wheel(installed: Installed) -> None:
    script = installed.cwd / "readme_example.py"
    script.write_text(
        "import json, re, sys\n"
        "import plotly.graph_objects as go\n"
        "shown = []\n"
        "go.Figure.show = lambda self, *a, **k: shown.append(self)  # no browser in a test\n"
        "readme = open(sys.argv[1], encoding='utf-8').read()\n"
        "code = re.search(r'## Library in ten lines\\n\\n```python\\n(.*?)```', readme, re.S).group(1)\n"
        "namespace = {}\n"
        "exec(compile(code, 'README.md', 'exec'), namespace)\n"
        "import gtvviz\n"
        "print(json.dumps({'module': gtvviz.__file__, 'nodes': len(namespace['model'].labels_),\n"
        "                  'epoch': namespace['snapshot'].epoch, 'shown': len(shown), 'path': sys.path}))\n"
    )
    done = installed.python(str(script), str(REPO / "README.md"))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["module"]).is_relative_to(installed.target)
    assert not [entry for entry in result["path"] if entry and Path(entry).resolve() == REPO]
    assert (result["nodes"], result["epoch"], result["shown"]) == (80, 50, 1)


@pytest.mark.slow
def test_gtvviz_cluster_on_a_sample_from_the_installed_wheel(installed: Installed) -> None:
    done = installed.gtvviz("cluster", "--graph", "karate", "--clusters", "2", *SMALL, "--json", "-",
                            "--labels-out", "labels.csv")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert len(result["labels"]) == 34 and result["graph"] == "karate" and result["epochs"] == 20
    assert len((installed.cwd / "labels.csv").read_text().splitlines()) == 35
    version = installed.gtvviz("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"gtvviz {gtvviz.__version__}"


@pytest.mark.slow
def test_gtvviz_app_help_from_the_installed_wheel(installed: Installed) -> None:
    done = installed.gtvviz("app", "--help", timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "streamlit run" in done.stdout and "--server.port" in done.stdout


@pytest.mark.slow
def test_the_installed_app_runs_its_pages(installed: Installed) -> None:
    """The installed ``gtvviz_app/main.py`` runs (pages, favicon and the default page from the wheel)."""
    script = installed.cwd / "run_app.py"
    script.write_text(
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(sys.argv[1], default_timeout=120).run()\n"
        "import gtvviz_app\n"
        "print(json.dumps({'module': gtvviz_app.__file__, 'exceptions': [e.value for e in at.exception],\n"
        "                  'title': [t.value for t in at.title]}))\n"
    )
    done = installed.python(str(script), str(installed.target / "gtvviz_app" / "main.py"))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["module"]).is_relative_to(installed.target) and result["exceptions"] == []


@pytest.mark.slow
def test_gtvviz_app_serves_from_another_folder(installed: Installed) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-S", str(installed.target / "bin" / "gtvviz"), "app", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=installed.cwd, env=installed.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline, health = time.monotonic() + 120, ""
        while health != "ok" and process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    health = answer.read().decode().strip()
            except OSError:
                time.sleep(0.5)
        assert health == "ok", f"exit status {process.poll()}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert answer.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the process group started above (gtvviz became streamlit)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def test_importing_gtvviz_imports_no_part_of_the_app() -> None:
    code = ("import sys, gtvviz, gtvviz.cli, gtvviz.data, gtvviz.nn; "
            f"print([m for m in {APP_ONLY!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_library_and_cli_work_without_the_app_extra(tmp_path: Path) -> None:
    """With streamlit, plotly, pyvis, pandas and pillow absent, the core install clusters a sample."""
    absent = ("streamlit", "plotly", "pyvis", "pandas", "pil")  # PIL/, pillow-*.dist-info
    site = tmp_path / "site-packages"  # this environment's packages, less the app extra's (as if not installed)
    site.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(absent) and entry.suffix != ".pth":
            (site / entry.name).symlink_to(entry)
    code = ("import importlib.util, sys\n"
            "assert not any(importlib.util.find_spec(m) for m in ('streamlit', 'plotly', 'pyvis', 'pandas', 'PIL'))\n"
            "from gtvviz.cli import main\n"
            f"sys.exit(main(['cluster', '--graph', 'karate', '--clusters', '2', {', '.join(map(repr, SMALL))}, "
            "'--json', '-']))\n")
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": f"{REPO}{os.pathsep}{site}"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(json.loads(done.stdout)["labels"]) == 34
