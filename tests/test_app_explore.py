"""AppTest: the Explore page's transport bar, settings form and collapse remedy."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.app_helpers import assert_clean, click, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SMALL = {"hidden": "16", "mlp": "8", "epochs": "40"}  # a fast model: these tests check the app, not TVGNN


def test_opens_on_the_default_graph_paused_at_epoch_zero() -> None:
    at = start_app()
    assert_clean(at)
    st = state(at)
    assert st.run.config.graph == "karate" and st.run.latest.epoch == 0 and not st.playing
    assert any("Epoch 0" in text for text in texts(at, "markdown"))
    assert at.query_params["graph"] == "karate" and at.query_params["v"] == "1"


def test_step_advances_the_epoch() -> None:
    at = start_app(SMALL)
    click(at, "Step")
    assert state(at).run.latest.epoch == 1
    click(at, "Step 10")
    assert_clean(at)
    assert state(at).run.latest.epoch == 11
    assert any("Epoch 11" in text for text in texts(at, "markdown"))
    assert state(at).run.recorder.epochs() == list(range(12))
    shown = {m.label: m.value for m in at.metric}
    boundary = state(at).shown().metrics["boundary_sharpness"]
    expected = "—" if boundary != boundary else f"{boundary:.3f}"
    assert shown["Boundary sharpness"] == expected and shown["Sharpness"] != "—"


def test_play_trains_a_tick_and_pause_stops() -> None:
    at = start_app({**SMALL, "epochs": "1000"})  # (a tick may train 40 epochs: the run must not end in it)
    click(at, "Play")  # the fragment's first run trains one time-boxed tick
    assert state(at).playing and state(at).run.latest.epoch >= 1
    assert [b.label for b in at.button if b.label in ("Play", "Pause")] == ["Pause"]
    epoch = state(at).run.latest.epoch
    click(at, "Pause")
    assert not state(at).playing
    at.run()
    assert state(at).run.latest.epoch == epoch


def test_a_tick_trains_several_frames_and_hands_each_to_the_graph() -> None:
    from gtvviz_app.player import FRAMES_PER_TICK, frames_of

    at = start_app({**SMALL, "epochs": "1000"})
    click(at, "Step 10")
    click(at, "Step 10")
    snapshots = [state(at).run.recorder.get(epoch) for epoch in range(1, 13)]
    assert [snap.epoch for snap in frames_of(snapshots, 5)] == [3, 6, 9, 12]  # at most 5, ending on the latest
    assert [snap.epoch for snap in frames_of(snapshots, 12)] == list(range(1, 13))
    assert [snap.epoch for snap in frames_of(snapshots[:1], 10)] == [1] and frames_of([], 10) == []
    at.slider(key="speed").set_value(1).run()  # one epoch per frame: two epochs in a tick are two frames
    assert state(at).speed == 1
    click(at, "Play")
    epochs = [state(at).run.latest.epoch]
    for _ in range(3):
        at.run()
        epochs.append(state(at).run.latest.epoch)
    ticks = [b - a for a, b in zip(epochs, epochs[1:])]
    assert all(0 < t <= FRAMES_PER_TICK for t in ticks) and max(ticks) > 1, ticks


def test_settings_take_effect_on_reset_only() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    at.number_input(key="cfg.seed").set_value(5)
    click(at, "Apply")
    st = state(at)
    assert st.pending.seed == 5 and st.run.config.seed == 0 and st.run.latest.epoch == 10
    assert any("Settings changed" in text for text in texts(at, "warning"))
    assert at.query_params["seed"] == "5"
    click(at, "Reset")
    st = state(at)
    assert st.run.config.seed == 5 and st.run.latest.epoch == 0
    assert not any("Settings changed" in text for text in texts(at, "warning"))


def test_k_larger_than_n_gives_a_message_and_keeps_the_run() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    run = state(at).run
    at.number_input(key="cfg.clusters").set_value(35)  # karate has 34 nodes
    click(at, "Apply")
    assert_clean(at)
    assert any("more than the 34 nodes" in text for text in texts(at, "error"))
    st = state(at)
    assert st.run is run and st.pending.clusters == 2 and st.run.latest.epoch == 10


def test_bad_widths_give_a_message() -> None:
    at = start_app(SMALL)
    at.text_input(key="cfg.hidden").set_value("16,abc")
    click(at, "Apply")
    assert any("hidden" in text for text in texts(at, "error"))
    assert state(at).pending.hidden == (16,)


def _collapsed_app(link: dict[str, str]):
    """The app on ``link``, its run marked as collapsed (as the detector would after 50 uniform epochs)."""
    at = start_app(link)
    trainer = state(at).run.trainer
    trainer.last = replace(trainer.last, collapsed=True)
    return at.run()


def test_collapse_says_what_happened_and_offers_a_new_seed() -> None:
    at = _collapsed_app(SMALL)
    assert any("collapsed" in text for text in texts(at, "warning"))
    click(at, "New seed and Reset")
    assert_clean(at)
    st = state(at)
    assert st.run.config.seed == 1 and st.run.latest.epoch == 0 and not st.run.latest.collapsed
    assert not any(b.label.startswith("Adaptive") for b in at.button)  # already adaptive (the default)


def test_a_collapsed_reference_run_is_offered_the_adaptive_balance_weight() -> None:
    at = _collapsed_app({**SMALL, "balance_weight": "fixed", "seed": "3"})
    assert any("α₂ fixed" in text for text in texts(at, "warning"))
    click(at, "Adaptive balance weight and Reset")
    assert_clean(at)
    st = state(at)
    assert st.run.config.balance_weight == "adaptive" and st.run.config.seed == 3 and st.run.latest.epoch == 0
    assert at.query_params["balance_weight"] == "adaptive"


def test_replay_scrubs_recorded_snapshots_and_downloads_follow() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    at.select_slider(key="replay").set_value(3).run()
    assert_clean(at)
    st = state(at)
    assert st.view_epoch == 3 and st.shown().epoch == 3 and st.run.latest.epoch == 10
    assert any("Epoch 3" in text and "replaying" in text for text in texts(at, "markdown"))
    labels = [button.label for button in at.download_button]
    assert labels == ["Assignments CSV", "Configuration JSON", "History CSV", "Figure HTML"]
    click(at, "Step")  # training again returns to the latest epoch
    assert state(at).view_epoch is None and state(at).shown().epoch == 11
