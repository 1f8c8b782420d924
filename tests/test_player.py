"""The app's player: advancing any runner within a budget, failures as one message, the frames handed on."""

from __future__ import annotations

import pytest
import torch

from gtvviz import RunConfig, TrainingDivergedError, build_trainer
from gtvviz.compare import Comparison
from gtvviz.data import load_graph
from gtvviz_app.player import Player, advance, epochs_to_draw, fault_message, frames_of

SMALL = RunConfig(clusters=2, hidden=(8,), mlp=(4,), lr=1e-2, epochs=5, device="cpu")


@pytest.fixture(scope="module")
def graph():
    return load_graph("karate")


def test_advance_trains_hands_the_frames_on_and_stops_playing_at_the_end(graph) -> None:
    seen = []
    player = Player(build_trainer(graph, SMALL), playing=True, on_frames=seen.extend)
    frames = advance(player, 3)
    assert [f.epoch for f in frames] == [1, 2, 3] and seen == frames and player.playing
    assert [f.epoch for f in advance(player, 10)] == [4, 5] and not player.playing and player.done


def test_advance_plays_a_comparison_one_frame_per_epoch(graph) -> None:
    player = Player(Comparison(graph, SMALL, ("tvgnn", "kmeans")))
    assert [f.epoch for f in advance(player, 2)] == [1, 2]


def test_a_failed_step_keeps_the_frames_before_it_and_gives_one_sentence(graph) -> None:
    trainer = build_trainer(graph, SMALL)
    real, calls = trainer.step, []

    def fail_on_third(n: int = 1, budget: float | None = None) -> list:
        calls.append(n)
        if len(calls) == 3:
            raise ValueError("boom\nsecond line")
        return real(n, budget)

    trainer.step = fail_on_third  # type: ignore[method-assign]
    player = Player(trainer, playing=True)
    frames = advance(player, 5)
    assert [f.epoch for f in frames] == [1, 2] and not player.playing and player.resume
    assert not player.device_error
    assert player.error == fault_message(ValueError("boom"), 2)
    assert "ValueError: boom)" in player.error and "\n" not in player.error


def test_a_divergence_keeps_its_own_message(graph) -> None:
    trainer = build_trainer(graph, SMALL)

    def diverge(n: int = 1, budget: float | None = None) -> list:
        raise TrainingDivergedError("Training diverged at epoch 1: a loss became NaN.")

    trainer.step = diverge  # type: ignore[method-assign]
    player = Player(trainer, playing=True)
    assert advance(player, 3) == [] and player.error.startswith("Training diverged") and not player.playing


def test_an_out_of_memory_error_is_the_device_s(graph) -> None:
    trainer = build_trainer(graph, SMALL)

    def oom(n: int = 1, budget: float | None = None) -> list:
        raise torch.OutOfMemoryError("out of memory")

    trainer.step = oom  # type: ignore[method-assign]
    player = Player(trainer)
    advance(player, 1)
    assert player.device_error and "failed on the CPU" in player.error and "continue on the CPU" in player.error


def test_epochs_to_draw_resends_the_last_moments_of_play_on_a_stride_fixed_by_the_pace() -> None:
    recorded = list(range(0, 101))
    # slow motion: at least the last six epochs, every one of them
    assert epochs_to_draw(recorded, 2) == [95, 96, 97, 98, 99, 100]
    assert epochs_to_draw(recorded, 10) == list(range(85, 101))  # 1.6 s of play at 10/s
    # 20/s: the last 32 epochs, every second one (counted from epoch 0), and the latest
    assert epochs_to_draw(recorded, 20) == list(range(70, 99, 2)) + [100]
    assert epochs_to_draw(recorded[:-1], 20) == list(range(68, 99, 2)) + [99]
    # the same epochs from every rerun: a later call repeats the earlier one's stride
    assert set(epochs_to_draw(recorded[:96], 20)[:-1]) <= set(range(0, 101, 2))
    assert epochs_to_draw(recorded, 200) == [0, 15, 30, 45, 60, 75, 90, 100]  # every 15th (14 frames a second)
    assert epochs_to_draw([0], 20) == [0] and epochs_to_draw([], 20) == []


def test_frames_of_spaces_the_frames_evenly_and_ends_on_the_last() -> None:
    assert frames_of(list(range(1, 13)), 5) == [3, 6, 9, 12]
    assert frames_of([7], 10) == [7] and frames_of([], 3) == []


def test_due_epochs_carries_the_fraction_and_caps_a_stall() -> None:
    from gtvviz_app.player import CATCH_UP, due_epochs

    assert due_epochs(10, 0.35) == (3, pytest.approx(0.5))
    whole, owed = due_epochs(10, 0.35, 0.5)  # the half epoch owed from before completes a fourth
    assert whole == 4 and owed == pytest.approx(0.0, abs=1e-9)
    assert due_epochs(2, 0.1) == (0, pytest.approx(0.2))
    assert due_epochs(20, 30.0)[0] == int(20 * CATCH_UP) < 30 * 20  # a long stall is not made up in one burst
    assert due_epochs(5, -1.0) == (0, 0.0)


def test_a_paced_tick_trains_the_epochs_due_since_the_previous_one(graph, monkeypatch) -> None:
    import gtvviz_app.player as player_module

    times = iter([100.0, 100.25, 100.3125, 100.8125])  # (binary fractions: exact sums)
    monkeypatch.setattr(player_module, "pace_clock", lambda: next(times))
    player = Player(build_trainer(graph, SMALL.replace(epochs=100)), playing=True, rate=10.0)
    player.clock = 99.75  # the previous tick, 0.25 s before this one
    trained = [len(player_module.tick(player))]  # 2.5 epochs due: 2, half an epoch owed
    trained.append(len(player_module.tick(player)))  # 0.25 s later: 2.5 + 0.5 = 3
    trained.append(len(player_module.tick(player)))  # 0.0625 s later: 0.625 owed, none trained
    trained.append(len(player_module.tick(player)))  # 0.5 s later: 5.625: 5
    assert trained == [2, 3, 0, 5] and player.runner.epoch == 10 and player.owed == pytest.approx(0.625)


def test_a_slow_pace_reads_steadily_as_itself(graph, monkeypatch) -> None:
    import gtvviz_app.player as player_module

    times = iter(100.0 + 0.1 * i for i in range(200))  # ticks every 0.1 s at 2 epochs per second: mostly none
    monkeypatch.setattr(player_module, "pace_clock", lambda: next(times))
    player = Player(build_trainer(graph, SMALL.replace(epochs=1000)), playing=True, rate=2.0)
    player.clock = 99.9
    readings = []
    for _ in range(199):
        player_module.tick(player)
        readings.append(player.measured)
    assert min(readings) > 0.8 * 2.0 and max(readings) < 1.25 * 2.0, (min(readings), max(readings))


def test_a_paced_player_measures_the_epochs_per_second_it_really_plays(graph, monkeypatch) -> None:
    import gtvviz_app.player as player_module

    times = iter(100.0 + 0.5 * i for i in range(60))
    monkeypatch.setattr(player_module, "pace_clock", lambda: next(times))
    monkeypatch.setattr(player_module, "advance", lambda player, steps, budget=None: [None] * min(steps, 2))
    player = Player(build_trainer(graph, SMALL.replace(epochs=1000)), playing=True, rate=20.0)
    player.clock = 99.5  # every tick is due 10 epochs, but the model trains only 2 in its time box
    player_module.tick(player)
    assert 4.0 < player.measured < 20.0  # it starts from the pace and falls towards what is played
    for _ in range(59):
        player_module.tick(player)
    # 2 epochs every 0.5 s: 4 per second, read within the ripple of the average (an epoch adds 1/RATE_WINDOW)
    assert player.measured == pytest.approx(4.0, abs=0.6)
    player_module._play_or_pause(lambda: player, False, None)  # Pause: a new play measures afresh
    assert player.measured is None and not player.playing


def test_play_and_pause_do_what_the_clicked_button_says_however_often_it_arrives(graph) -> None:
    """A click repeated before the page redraws its button (or delayed behind a busy browser) must not undo the
    first one: Pause twice stays paused and holds the frame once, Play twice stays playing."""
    import gtvviz_app.player as player_module

    player, holds = Player(build_trainer(graph, SMALL.replace(epochs=100))), []
    for _ in range(2):
        player_module._play_or_pause(lambda: player, True, None, on_pause=lambda: holds.append(1))
        assert player.playing and holds == []
    for _ in range(2):
        player_module._play_or_pause(lambda: player, False, None, on_pause=lambda: holds.append(1))
        assert not player.playing
    assert holds == [1]
    player.playing = False
    advance(player, 100)
    assert player.done
    player_module._play_or_pause(lambda: player, True, None)  # a finished run does not play
    assert not player.playing


def test_the_pace_text_gives_what_is_really_played_once_it_falls_behind(graph) -> None:
    from gtvviz_app.player import SLOWER_THAN_PACE, pace_text

    player = Player(build_trainer(graph, SMALL), rate=20.0)
    assert pace_text(player) == "20 epochs/s"  # nothing measured yet
    player.measured = 20.0 * SLOWER_THAN_PACE + 0.1
    assert pace_text(player) == "20 epochs/s"  # within the ripple of the pace
    player.measured = 4.56
    assert pace_text(player) == "4.6 epochs/s (slower than the 20/s pace: training is no faster here)"
