"""The Lessons page (gtvviz_app/pages/lessons.py) in Streamlit's AppTest: a lesson link opens it, Next and Back move
through the steps and play each step's run towards its epoch, the link follows, bad links say why."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from gtvviz_app.lessons import LESSONS
from gtvviz_app.pages.lessons import KEY as LESSON_KEY
from tests.app_helpers import assert_clean, click, start_app, texts


def _walk(at: AppTest):
    return at.session_state[LESSON_KEY].walk


def _status(at: AppTest) -> str:
    return next(m for m in texts(at, "markdown") if m.startswith("**Epoch "))


def _labels(at: AppTest) -> dict[str, bool]:
    """Every button's label and whether it is disabled."""
    return {b.label: b.disabled for b in at.button}


def test_a_lesson_link_opens_its_first_step_with_back_disabled() -> None:
    at = start_app({"lesson": "gamma", "present": "1"})
    assert_clean(at)
    lesson = LESSONS["gamma"]
    shown = texts(at, "markdown")
    assert f"#### {lesson.title}" in shown
    assert any(lesson.steps[0].text in m and "Step 1 of 3" in m for m in shown)
    assert _labels(at)["Back"] is True and _labels(at)["Next"] is False
    assert _status(at).startswith("**Epoch 0** · paused")
    assert at.query_params["lesson"] == "gamma" and at.query_params["step"] == "1"
    assert at.query_params["present"] == "1"  # presentation mode stays in the link


def test_next_plays_towards_the_step_epoch_and_back_returns() -> None:
    at = start_app({"lesson": "gamma"})
    at = click(at, "Next")
    assert_clean(at)
    walk = _walk(at)
    assert walk.index == 1 and at.query_params["step"] == "2"
    assert any(LESSONS["gamma"].steps[1].text in m for m in texts(at, "markdown"))
    first = walk.runner.epoch
    assert 0 < first <= 60 and "playing to epoch 60" in _status(at)  # one tick per script run in AppTest
    for _ in range(20):  # AppTest does not rerun fragments on their timer: each run is one tick
        if walk.arrived:
            break
        at.run()
    assert walk.runner.epoch == 60 and walk.arrived
    at.run()
    assert _status(at).startswith("**Epoch 60** · paused")
    at = click(at, "Back")
    assert _walk(at).index == 0 and _walk(at).runner.epoch == 0 and at.query_params["step"] == "1"
    assert _status(at).startswith("**Epoch 0** · paused")


def test_a_link_to_a_later_step_opens_it_and_the_last_step_disables_next() -> None:
    at = start_app({"lesson": "sharp-vs-smooth", "step": "3"})
    assert_clean(at)
    assert _walk(at).index == 2 and _labels(at)["Next"] is True and _labels(at)["Back"] is False
    assert "playing to epoch 150" in _status(at)


def test_the_lesson_list_and_a_bad_link() -> None:
    at = start_app({"lesson": "no-such-lesson"})
    assert_clean(at)
    assert any("There is no lesson 'no-such-lesson'" in w for w in texts(at, "warning"))
    assert [b.label for b in at.button].count("Start") == len(LESSONS)
    at = at.button(key="lesson.start.uniform-trap").click().run()
    assert _walk(at).lesson.name == "uniform-trap" and at.query_params["lesson"] == "uniform-trap"
    at = click(at, "All lessons")
    assert LESSON_KEY not in at.session_state and at.query_params["lesson"] == ""
    assert [b.label for b in at.button].count("Start") == len(LESSONS)


def test_without_a_lesson_link_the_app_opens_explore() -> None:
    at = start_app()
    assert_clean(at)
    assert LESSON_KEY not in at.session_state
    assert any(m.startswith("#### Explore") for m in texts(at, "markdown"))
