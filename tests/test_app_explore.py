"""AppTest: the Explore page's transport bar, settings, pace, sharpening replay, method awareness and collapse remedy."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import numpy as np
import pytest

from gtvviz.data.samples import LANDING_SAMPLE, SAMPLES
from tests.app_helpers import assert_clean, click, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
#: A fast model on karate: these tests check the app, not TVGNN.
SMALL = {"graph": "karate", "hidden": "16", "mlp": "8", "epochs": "40"}


def test_opens_on_the_landing_sample_at_its_preset_paused_at_epoch_zero() -> None:
    at = start_app()
    assert_clean(at)
    st = state(at)
    sample = SAMPLES[LANDING_SAMPLE]
    assert st.run.config.graph == LANDING_SAMPLE == "bridged_communities"
    assert st.run.config.clusters == sample.suggested_k
    assert all(getattr(st.run.config, name) == value for name, value in sample.preset.items())
    assert st.run.latest.epoch == 0 and not st.playing
    assert any("Epoch 0" in text for text in texts(at, "markdown"))
    assert at.query_params["graph"] == LANDING_SAMPLE and at.query_params["delta"] == "1.0"
    assert at.query_params["v"] == "1"


def _play_ticks(at, reruns: int) -> list[int]:
    """Press Play, rerun ``reruns`` times 0.1 s apart (the live view's ticks), and return the epochs each trained."""
    click(at, "Play")
    epochs = [state(at).run.latest.epoch]
    for _ in range(reruns):
        time.sleep(0.1)
        at.run()
        epochs.append(state(at).run.latest.epoch)
    return [b - a for a, b in zip(epochs, epochs[1:])]


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


def test_the_pace_sets_the_epochs_per_tick_and_slow_motion_hands_over_every_epoch() -> None:
    from gtvviz_app.player import epochs_to_draw

    at = start_app({**SMALL, "epochs": "1000"})
    click(at, "Step 10")
    click(at, "Step 10")
    recorded = state(at).run.recorder.epochs()
    assert recorded == list(range(21))  # every epoch is recorded, so every epoch can be handed to the graph
    assert epochs_to_draw(recorded, 2) == [15, 16, 17, 18, 19, 20]  # slow motion: the last six, each of them
    assert epochs_to_draw(recorded, 50) == [0, 4, 8, 12, 16, 20]  # the last moments of play, every fourth epoch
    at.select_slider(key="pace").set_value(200).run()
    assert state(at).rate == 200
    ticks = _play_ticks(at, 3)
    assert all(0 < t <= 200 * 0.5 for t in ticks) and max(ticks) > 1, ticks  # 200/s: several epochs a tick
    click(at, "Pause")
    at.select_slider(key="pace").set_value(2).run()  # slow motion: at most one epoch in a tick, each drawn
    assert state(at).rate == 2
    ticks = _play_ticks(at, 6)
    assert all(0 <= t <= 1 for t in ticks) and sum(ticks) >= 1, ticks


def test_a_changed_setting_restarts_the_run_with_it_and_the_link_follows() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    at.number_input(key="cfg.clusters").set_value(3).run()  # a typed K reaches the running model at once
    assert_clean(at)
    st = state(at)
    assert st.run.config.clusters == 3 and st.run.latest.epoch == 0 and st.run.latest.s.shape == (34, 3)
    assert st.run.trainer.model(st.run.trainer.features, st.run.trainer._edge_index, None).shape[1] == 3
    assert at.query_params["clusters"] == "3" and st.pending == st.run.config
    assert not any("Settings changed" in text for text in texts(at, "warning"))
    click(at, "Play")  # a change while playing restarts the run playing
    at.number_input(key="cfg.seed").set_value(5).run()
    st = state(at)
    assert st.run.config.seed == 5 and st.playing and at.query_params["seed"] == "5"
    click(at, "Pause")


def test_k_larger_than_n_gives_a_message_keeps_the_run_and_the_typed_value() -> None:
    at = start_app(SMALL)
    click(at, "Step 10")
    run = state(at).run
    at.number_input(key="cfg.clusters").set_value(35).run()  # karate has 34 nodes
    assert_clean(at)
    assert any("more than the 34 nodes" in text for text in texts(at, "error"))
    st = state(at)
    assert st.run is run and st.pending.clusters == 2 and st.run.latest.epoch == 10
    assert at.number_input(key="cfg.clusters").value == 35  # what was typed stays, to be corrected
    assert at.query_params["clusters"] == "2"  # the link describes the run on screen


def test_bad_widths_give_a_message() -> None:
    at = start_app(SMALL)
    at.text_input(key="cfg.hidden").set_value("16,abc").run()
    assert any("hidden" in text for text in texts(at, "error"))
    assert state(at).pending.hidden == (16,) and state(at).run.config.hidden == (16,)


def _collapsed_app(link: dict[str, str]):
    """The app on ``link``, its run marked as collapsed (as the detector would after 50 uniform epochs)."""
    at = start_app(link)
    trainer = state(at).run.trainer
    trainer.last = replace(trainer.last, collapsed=True)
    return at.run()


def test_a_collapsed_dmon_run_speaks_of_dmon_not_of_the_balance_weight() -> None:
    at = _collapsed_app({**SMALL, "method": "dmon"})
    warning = " ".join(texts(at, "warning"))
    assert "collapsed" in warning and "DMoN" in warning and "balance weight" not in warning
    click(at, "Switch to TVGNN")
    assert_clean(at)
    assert state(at).run.config.method == "tvgnn" and at.query_params["method"] == "tvgnn"


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


def _chart(at, key: str) -> dict:
    """The plotly figure of the chart ``key``, as a dict."""
    charts = [c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id or getattr(c, "key", None) == key]
    return json.loads(charts[0].proto.spec)


def test_the_page_follows_the_method() -> None:
    at = start_app(SMALL)
    assert "watch TVGNN" in texts(at, "markdown")[0]
    keys = {w.key for w in at.number_input}
    assert {"cfg.alpha1", "cfg.alpha2", "cfg.delta"} <= keys
    at.selectbox(key="cfg.method").set_value("mincut").run()
    assert_clean(at)
    assert "watch MinCutPool" in texts(at, "markdown")[0]
    keys = {w.key for w in at.number_input} | {w.key for w in at.selectbox}
    assert not keys & {"cfg.alpha1", "cfg.alpha2", "cfg.delta", "cfg.eps", "cfg.warmup", "cfg.balance_weight"}
    click(at, "Step 10")
    legend = [trace["name"] for trace in _chart(at, "loss")["data"]]
    assert legend == ["total (cut + orthogonality)", "cut term", "orthogonality term"]
    at.selectbox(key="cfg.method").set_value("spectral").run()
    assert_clean(at)
    assert "spectral clustering" in texts(at, "markdown")[0] and "no training" in texts(at, "markdown")[0]
    assert not any(b.label in ("Play", "Step", "Step 10") for b in at.button)  # no epochs, no transport bar
    assert any("no epochs" in text for text in texts(at, "info"))
    relaxed = _chart(at, "relaxed")
    assert [panel["text"] for panel in relaxed["layout"]["annotations"]][:2] == [
        "relaxed solution (eigenvector)", "rounded clusters"]
    assert {w.key for w in at.number_input} == {"cfg.clusters", "cfg.seed"}


def test_tvgnn_loss_chart_names_its_terms_and_never_plots_train_total() -> None:
    at = start_app({**SMALL, "alpha2": "0"})
    click(at, "Step 10")
    names = [trace["name"] for trace in _chart(at, "loss")["data"]]
    assert names == ["total (α₁ GTV + α₂ balance)", "GTV term", "balance term"]


def test_the_sharpening_is_shaded_and_replayed_in_slow_motion_with_its_epoch_marked() -> None:
    from gtvviz_app.player import CATCH_UP
    from gtvviz_app.state import REPLAY_PACE

    at = start_app({**SMALL, "lr": "0.01", "epochs": "60"})
    for _ in range(6):
        click(at, "Step 10")
    st = state(at)
    window = st.sharpening()
    assert window is not None and 0 < window.start < window.end < 60  # karate at lr 0.01 sharpens in between
    shapes = _chart(at, "loss")["layout"]["shapes"]
    assert [(shape["x0"], shape["x1"]) for shape in shapes] == [(window.start, window.end)]
    begin = time.perf_counter()  # the replay's clock starts in the click's rerun
    click(at, "Replay sharpening")
    st = state(at)
    assert st.view_epoch is not None and window.start <= st.view_epoch <= window.start + 1
    assert any("Stop replay" == b.label for b in at.button)
    seen = [(begin, begin, st.view_epoch)]  # (rerun started, rerun ended, epoch shown)
    while state(at).replay is not None and time.perf_counter() - begin < 60:
        time.sleep(0.05)
        started = time.perf_counter()
        at.run()
        seen.append((started, time.perf_counter(), state(at).view_epoch))
    assert_clean(at)
    assert state(at).replay is None and state(at).view_epoch == window.end
    # slow motion: each rerun moves on by the epochs due at REPLAY_PACE since the tick of the one before (one or
    # two on an idle machine; a loaded one reruns less often), never a jump
    steps = [(b - a, end - start) for (start, _, a), (_, end, b) in zip(seen, seen[1:]) if b != a]
    assert steps and all(step <= REPLAY_PACE * min(span, CATCH_UP) + 1 for step, span in steps), seen
    assert time.perf_counter() - begin >= (window.end - window.start - 2) / REPLAY_PACE
    marks = _chart(at, "loss")["layout"]["shapes"]
    assert marks[-1]["x0"] == marks[-1]["x1"] == window.end  # the replayed epoch is marked on the loss chart
    assert any(f"Epoch {window.end}**" in text for text in texts(at, "markdown"))


def test_pause_holds_the_epoch_the_graph_reports() -> None:
    from gtvviz_app.state import take_held

    at = start_app({**SMALL, "epochs": "1000"})
    click(at, "Play")
    at.run()
    click(at, "Pause")
    st = state(at)
    assert not st.playing and st.hold > 0  # the live graph is asked to stay on its drawn frame
    assert any("Pausing" in text for text in texts(at, "markdown"))
    drawn = max(st.run.latest.epoch - 3, 1)  # the graph's answer: it had drawn an earlier epoch
    assert take_held(st, drawn)
    assert st.hold == 0 and st.shown().epoch == drawn
    at.run()
    assert any(f"Epoch {drawn}**" in text for text in texts(at, "markdown"))


def test_a_finished_run_that_leaves_a_cluster_empty_says_so() -> None:
    at = start_app({**SMALL, "clusters": "3"})
    trainer = state(at).run.trainer
    trainer.step(40)
    assert trainer.done
    labels = np.array([0] * 20 + [1] * 14)  # karate's 34 nodes in two of the three clusters
    trainer.last = replace(trainer.last, s=np.eye(3, dtype=np.float32)[labels])
    at.run()
    assert_clean(at)
    info = " ".join(texts(at, "info"))
    assert "2 of 3 clusters used" in info and "one cluster ended (almost) empty" in info
    graph_column, right_column = at.main.columns[-2:]  # the note sits on the right: the graph keeps its place
    assert [i for i in right_column.info if "clusters used" in i.value] and not list(graph_column.info)
    assert [b.label for b in at.button if "and Reset" in b.label] == ["Escape and Reset", "Spectral start and Reset",
                                                                      "New seed and Reset"]
    labels = np.arange(34) % 3  # every cluster used, none above 90%
    trainer.last = replace(trainer.last, s=np.eye(3, dtype=np.float32)[labels])
    at.run()
    assert "clusters used" not in " ".join(texts(at, "info"))
    assert not [b for b in at.button if b.label == "Escape and Reset"]


def test_a_partial_collapse_offers_the_escape_and_a_new_seed() -> None:
    at = start_app({**SMALL, "clusters": "3"})
    trainer = state(at).run.trainer
    trainer.step(40)
    trainer.last = replace(trainer.last, s=np.eye(3, dtype=np.float32)[np.array([0] * 20 + [1] * 14)])
    at.run()
    click(at, "Escape and Reset")
    assert_clean(at)
    assert texts(at, "toast") == ["Restarted at epoch 0 with Balance weight = escape. Press Play to train."]
    run = state(at).run
    assert run.config.balance_weight == "escape" and run.config.clusters == 3 and run.latest.epoch == 0
    assert at.query_params.get("balance_weight") in ("escape", ["escape"])
    run.trainer.step(40)
    run.trainer.last = replace(run.trainer.last, s=np.eye(3, dtype=np.float32)[np.array([0] * 20 + [1] * 14)])
    at.run()
    info = " ".join(texts(at, "info"))
    assert "The escape did not mend it" in info and not [b for b in at.button if b.label == "Escape and Reset"]
    click(at, "New seed and Reset")
    assert state(at).run.config.seed == run.config.seed + 1 and state(at).run.config.balance_weight == "escape"
    assert texts(at, "toast") == [f"Restarted at epoch 0 with Seed = {run.config.seed + 1}. Press Play to train."]
    again = state(at).run.trainer
    again.step(40)
    again.last = replace(again.last, s=np.eye(3, dtype=np.float32)[np.array([0] * 20 + [1] * 14)])
    at.run()
    click(at, "Spectral start and Reset")
    assert state(at).run.config.init == "spectral" and state(at).run.latest.epoch == 0
    assert texts(at, "toast") == ["Restarted at epoch 0 with Start = spectral. Press Play to train."]
    at.run()
    assert texts(at, "toast") == []  # shown once
