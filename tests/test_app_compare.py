"""AppTest: the Compare page trains every method in step, matches colours, and runs the multi-seed table."""

from __future__ import annotations

import time

import pytest

from tests.app_helpers import assert_clean, click, start_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SMALL = {"hidden": "8", "mlp": "4", "epochs": "12"}  # a fast model: these tests check the page, not the methods
COMPARE_KEY = "gtvviz_compare"


def open_compare(query: dict[str, str] | None = None):  # noqa: ANN201
    at = start_app(query or SMALL)
    at.switch_page("gtvviz_app/pages/compare.py").run()
    assert_clean(at)
    return at


def epochs(at) -> dict[str, int]:  # noqa: ANN001
    return {m: t.epoch for m, t in at.session_state[COMPARE_KEY].comparison.trainers.items()}


def test_step_advances_every_method_together() -> None:
    at = open_compare()
    assert epochs(at) == {"tvgnn": 0, "mincut": 0, "dmon": 0, "spectral": 0, "kmeans": 0}
    click(at, "Step")
    assert_clean(at)
    assert epochs(at) == {"tvgnn": 1, "mincut": 1, "dmon": 1, "spectral": 0, "kmeans": 0}
    click(at, "Step 10")
    assert epochs(at)["tvgnn"] == 11 and epochs(at)["dmon"] == 11
    assert any("Epoch 11" in m.value for m in at.markdown)
    click(at, "Step 10")  # never past the configured epochs
    assert set(epochs(at).values()) == {12, 0} and at.session_state[COMPARE_KEY].comparison.done
    click(at, "Reset")
    assert set(epochs(at).values()) == {0}


def test_play_trains_a_tick_and_pause_stops() -> None:
    at = open_compare()
    click(at, "Play")
    assert at.session_state[COMPARE_KEY].playing and epochs(at)["tvgnn"] >= 1
    at.session_state[COMPARE_KEY].player.measured = 3.0  # five methods that train slower than the pace, say so
    at.run()  # (the tick folds its own epochs into the measure)
    assert any("epochs/s (slower than the 20/s pace" in m.value for m in at.markdown)
    click(at, "Pause")
    assert not at.session_state[COMPARE_KEY].playing


def test_views_follow_the_choices() -> None:
    at = open_compare()
    click(at, "Step 10")
    at.radio(key="compare.reference").set_value("ground truth").run()
    at.toggle(key="compare.boundary").set_value(True).run()
    assert_clean(at)
    at.multiselect(key="compare.methods").set_value(["dmon", "spectral"]).run()
    assert_clean(at)
    assert list(epochs(at)) == ["dmon", "spectral"] and epochs(at)["dmon"] == 0
    assert any("Choose tvgnn and spectral" in c.value for c in at.caption)
    at.multiselect(key="compare.methods").set_value([]).run()
    assert any("at least one method" in e.value for e in at.error)


def test_multi_seed_table_runs_in_the_background_and_fills_in() -> None:
    at = open_compare()
    at.multiselect(key="compare.methods").set_value(["tvgnn", "kmeans"]).run()
    at.number_input(key="compare.seeds").set_value(2)
    click(at, "Run over seeds")
    assert_clean(at)
    job = at.session_state[COMPARE_KEY].seed_job
    job.join(timeout=120)
    assert not job.running and not job.error
    assert [(r["method"], r["seed"]) for r in job.rows] == [("tvgnn", 0), ("tvgnn", 1), ("kmeans", 0), ("kmeans", 1)]
    at.run()
    assert_clean(at)
    assert any("| tvgnn |" in m.value for m in at.markdown)
    assert "Seeds JSON" in [b.label for b in at.get("download_button")]


def test_multi_seed_runs_stop_on_request_and_keep_the_finished_runs() -> None:
    at = open_compare({**SMALL, "epochs": "100000"})  # far longer than the test: only Stop ends it
    at.multiselect(key="compare.methods").set_value(["kmeans", "tvgnn"]).run()
    at.number_input(key="compare.seeds").set_value(2)
    click(at, "Run over seeds")
    job = at.session_state[COMPARE_KEY].seed_job
    assert job.running and "Stop" in [b.label for b in at.button]  # the page is back while the runs go on
    deadline = time.monotonic() + 60
    while len(job.rows) < 2 and time.monotonic() < deadline:  # both k-means fits (milliseconds, unless loaded)
        time.sleep(0.05)
    click(at, "Stop")
    job.join(timeout=60)
    assert not job.running and job.stopped
    assert [r["method"] for r in job.rows] == ["kmeans", "kmeans"]  # k-means finished before Stop, TVGNN did not
    at.run()
    assert_clean(at)
    assert any("Stopped: 2 runs finished" in c.value for c in at.caption)
