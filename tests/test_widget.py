"""TrainingWidget's kernel side: its model (traitlets) and the messages its buttons send, without a browser."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import numpy as np
import pytest
import traitlets

from gtvviz import RunConfig, build_trainer, load_graph
from gtvviz.errors import ConfigError
from gtvviz.viz.figures import color_values
from gtvviz.viz.live_payload import LIVE_GRAPH_JS
from gtvviz.widgets import TrainingWidget
from gtvviz.widgets.training import WIDGET_JS

SMALL = {"clusters": 2, "hidden": (16,), "mlp": (8,), "lr": 0.01}


@pytest.fixture
def widget() -> TrainingWidget:
    return TrainingWidget("karate", epochs=400, **SMALL)


def press(widget: TrainingWidget, action: str, n: int = 1) -> None:
    """What a click on a button sends (a custom message), handled as the kernel handles it."""
    widget._handle_custom_msg({"action": action, "n": n}, [])


def shown_colors(s: np.ndarray) -> list[float]:
    return np.round(color_values(s).astype(np.float64), 4).tolist()


def test_import_gtvviz_leaves_the_widget_dependencies_alone() -> None:
    code = ("import sys, gtvviz; bad = [m for m in ('anywidget', 'ipywidgets', 'gtvviz.widgets') if m in sys.modules];"
            " print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_module_is_the_drawing_source_followed_by_the_widget_script(widget: TrainingWidget) -> None:
    drawing, script = LIVE_GRAPH_JS.read_text(), WIDGET_JS.read_text()
    assert widget._esm == drawing + "\n" + script
    assert "export function mountLiveGraph" in drawing and "mountLiveGraph(" in script
    assert "function mountLiveGraph" not in script  # not a copy


def test_settings_and_the_first_frame(widget: TrainingWidget) -> None:
    assert widget.config == RunConfig(graph="karate", epochs=400, **SMALL)
    assert widget.epochs == 400 and widget.trainer.epoch == 0 and not widget.playing
    frame = widget._frame
    assert frame["epoch"] == 0 and frame["playing"] is False and "hover" in frame
    assert frame["colors"] == shown_colors(widget.snapshot.s)
    assert '"figure"' in widget._geometry and re.fullmatch(r"[0-9a-f]{24}", widget._geometry_key)
    with pytest.raises(ConfigError, match="Unknown configuration keys"):
        TrainingWidget("karate", clusterz=2)


def test_step_buttons_train_and_the_frame_shows_that_epoch(widget: TrainingWidget) -> None:
    press(widget, "step")
    press(widget, "step", 10)
    assert widget.trainer.epoch == 11 and widget._frame["epoch"] == 11
    # the colours of epoch 11 of the same run trained apart
    reference = build_trainer(load_graph("karate"), RunConfig(graph="karate", epochs=400, **SMALL))
    reference.step(11)
    assert widget._frame["colors"] == shown_colors(reference.last.s)
    assert widget._frame["metrics"]["total"] == pytest.approx(reference.last.losses["total"], rel=1e-6)
    history = widget.history
    assert list(history["epoch"]) == list(range(12))
    assert widget._curve["epoch"] == list(range(12))
    assert widget._curve["total"][-1] == pytest.approx(history["total"].iloc[-1])
    press(widget, "reset")
    assert widget.trainer.epoch == 0 and widget._frame["epoch"] == 0 and len(widget.history) == 1


def test_play_and_pause_buttons_train_in_the_background_and_every_frame_shows_its_epoch(
        widget: TrainingWidget) -> None:
    sent: list[tuple[int, int, bool, bool]] = []

    def record(change: dict) -> None:
        frame = change["new"]
        # the frame's epoch and colours are those of the trainer's state when it is sent
        sent.append((frame["epoch"], widget.trainer.epoch, frame["colors"] == shown_colors(widget.snapshot.s),
                     frame["playing"]))

    widget.speed = 3
    widget.observe(record, "_frame")

    async def session() -> int:
        press(widget, "play")
        assert widget.playing
        others = 0
        while widget.trainer.epoch < 12:  # the loop is free while it plays: this coroutine runs too
            others += 1
            await asyncio.sleep(0.01)
        press(widget, "pause")
        stopped = widget.trainer.epoch
        await asyncio.sleep(0.3)
        assert widget.trainer.epoch == stopped and not widget.playing
        return others

    assert asyncio.run(session()) > 1
    assert all(epoch == trained and same for epoch, trained, same, _ in sent)
    playing = [epoch for epoch, _, _, now_playing in sent if now_playing]
    assert playing[:4] == [3, 6, 9, 12]  # speed: epochs per frame
    assert sent[-1][3] is False and "hover" in widget._frame  # paused: the still frame, with its hover
    with pytest.raises(traitlets.TraitError, match="speed must be between 1 and 50"):
        widget.speed = 0


def test_playing_stops_at_the_end_of_the_run() -> None:
    widget = TrainingWidget("karate", epochs=7, **SMALL)
    widget.speed = 2

    async def session() -> None:
        widget.play()
        while widget.playing:
            await asyncio.sleep(0.01)

    asyncio.run(session())
    assert widget.trainer.epoch == 7 and widget._frame["epoch"] == 7 and widget._frame["playing"] is False
    assert widget.error == ""


def test_play_needs_a_running_event_loop(widget: TrainingWidget) -> None:
    with pytest.raises(RuntimeError):
        widget.play()
    assert not widget.playing


def test_save_html_is_a_static_offline_page(widget: TrainingWidget, tmp_path) -> None:
    widget.step(5)
    page = widget.save_html(tmp_path / "view.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # everything inline, nothing fetched
    assert "export function mountLiveGraph" in page and '"epoch": 5' in page
    assert page.count("</script>") == 2  # plotly.js and the module: nothing inside ends a script early
