"""The README's library example runs as written, and its two commands are the Makefile's targets."""

import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.slow
def test_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: shown.append(self))
    code = re.search(r"## Library in ten lines\n\n```python\n(.*?)```", README, re.S).group(1)
    assert len(code.strip().splitlines()) <= 11
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["model"].labels_.shape == (80,) and namespace["snapshot"].epoch == 50
    assert len(shown) == 1


def test_two_commands_come_first_and_ci_runs_the_test_command() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["make app", "make test"]
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci
