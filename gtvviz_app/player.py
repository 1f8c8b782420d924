"""Play any :class:`~gtvviz.runner.Runner` in the app: its session state, the time-boxed tick, failures, the bar.

Every page that trains (Explore, Compare, Pooling) keeps one :class:`Player` in ``st.session_state`` and draws
the same transport bar (Reset, Play/Pause, step buttons, pace). While playing, the page's live view is a fragment
that reruns itself every :data:`FRAME_INTERVAL` seconds; each rerun trains for at most :data:`TICK_SECONDS`
(:func:`tick`) and hands the frames it trained to the page. The buttons live outside the fragment, so a click
reruns the whole page and the fragment is redefined with the new ``run_every``; a click is handled as soon as the
running tick ends.

A step that fails never shows a traceback: a divergence stops playing with its own message, any other error stops
playing with one sentence (:func:`fault_message`), and after a device's failure (out of memory, a CUDA error) the
page may offer to go on on the CPU (:func:`run_message`). The run and its history stay.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import streamlit as st
import torch

from gtvviz.devices import is_device_error
from gtvviz.errors import TrainingDivergedError
from gtvviz.runner import Runner

#: Seconds between frames while playing (the live fragment's ``run_every``).
FRAME_INTERVAL = 0.1
#: Seconds between redraws of the charts next to the live view while playing.
CHART_INTERVAL = 0.5
#: Training time box of one rerun of the live view, in seconds.
TICK_SECONDS = 0.15
#: A paced tick may train for up to half the time since the previous tick, but never longer than this (a loaded
#: machine reruns the live view less often; a longer box keeps the pace without delaying a click by much).
PACED_TICK_SECONDS = 0.35
#: Frames one rerun of Explore's live view hands to the graph at most (the live graph plays them at its own pace).
FRAMES_PER_TICK = 14
#: Paces offered by a bar with a pace control, in epochs per second. At or below :data:`SLOW_MOTION` every epoch
#: is drawn (the live graph draws up to 14 frames per second); above it the graph shows evenly spaced epochs.
PACES = (2, 5, 10, 20, 50, 100, 200)
#: The fastest pace at which every epoch is drawn.
SLOW_MOTION = 10
#: The pace a new session starts with.
DEFAULT_PACE = 20
#: Longest gap between two ticks that a paced player makes up for (a stalled tick does not cause a burst after it).
CATCH_UP = 1.0
#: Seconds over which the measured pace (:attr:`Player.measured`) averages the epochs played.
RATE_WINDOW = 2.0
#: Frames per second the live graph draws at most while playing (one every ``PLAYBACK_MS`` = 70 ms of
#: :mod:`gtvviz_app.live_graph`).
DRAWN_PER_SECOND = 14
#: Seconds of play whose epochs every rerun of a live view hands to its graph again (see :func:`epochs_to_draw`):
#: as long as the graph's queue lasts (23 frames, 70 ms apart), since the browser may skip reruns that long.
RESEND_SECONDS = 1.6
#: Epochs every rerun hands again at least (slow motion, where a second of play holds only a few epochs).
RESEND_AT_LEAST = 6
#: The clock that paces play (seconds).
pace_clock = time.monotonic


@dataclass
class Player:
    """The play state of one runner in one session.

    Attributes:
        runner: what is played.
        playing: whether the ticks are running.
        speed: epochs per frame while playing (when ``rate`` is ``None``).
        rate: the pace in epochs per second while playing (see :func:`due_epochs`), or ``None`` to train ``speed``
            epochs per frame, as fast as the tick's time box allows.
        owed: the fraction of an epoch a paced player owes from earlier ticks.
        clock: when the last paced tick ran (:data:`pace_clock`), ``None`` before the first tick of a play.
        measured: the epochs per second a paced player has really played (a moving average over the last few
            seconds, which falls below :attr:`rate` when the model trains slower than the pace), ``None`` before
            its first tick.
        error: the message of the last failed step, if any.
        device_error: whether that failure was the device's (the run can go on on the CPU).
        resume: whether it was playing when it failed.
        on_frames: called with the frames of every advance (e.g. to record them for replay).
        lock: serialises training: with Streamlit's fast reruns a click starts a new script run while the previous
            one may still be inside a step, and two runs stepping one runner at once would corrupt it.
    """

    runner: Runner[Any]
    playing: bool = False
    speed: int = 5
    rate: float | None = None
    owed: float = 0.0
    clock: float | None = None
    measured: float | None = None
    error: str = ""
    device_error: bool = False
    resume: bool = False
    on_frames: Callable[[list[Any]], None] | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> bool:
        return self.runner.done


def advance(player: Player, steps: int, budget: float | None = None) -> list[Any]:
    """Train up to ``steps`` steps of the runner, stopping early once ``budget`` seconds have passed; return the
    frames produced, oldest first (also handed to :attr:`Player.on_frames`).

    A divergence stops playing and keeps its message in :attr:`Player.error`; any other failure also stops playing
    with one sentence (:func:`fault_message`), never a traceback; the runner stays usable. The runner is stepped
    one step at a time, so that the frames trained before a failure are kept.
    """
    player.error, player.device_error = "", False
    begin, frames = time.perf_counter(), []
    with player.lock:
        try:
            for _ in range(steps):
                if player.runner.done:
                    break
                frames.extend(player.runner.step(1))
                if budget is not None and time.perf_counter() - begin > budget:
                    break
        except TrainingDivergedError as err:
            player.error, player.playing = str(err), False
        except Exception as err:  # noqa: BLE001  (any failure of a tick must leave the session usable)
            _fault(player, err)
    if player.on_frames is not None and frames:
        player.on_frames(frames)
    if player.runner.done:
        player.playing = False
    return frames


def due_epochs(rate: float, elapsed: float, owed: float = 0.0) -> tuple[int, float]:
    """The whole epochs due after ``elapsed`` seconds at ``rate`` epochs per second, with the fraction ``owed``
    from before, and the fraction owed after them: ``(floor(d), d - floor(d))`` for
    ``d = owed + rate * min(elapsed, CATCH_UP)``."""
    due = owed + rate * min(max(elapsed, 0.0), CATCH_UP)
    whole = int(due)
    return whole, due - whole


def tick(player: Player, frames_per_tick: int = 1) -> list[Any]:
    """While playing, train and return the frames, oldest first; when the run ends or fails, rerun the app to stop
    the timers.

    A paced player (:attr:`Player.rate`) trains the epochs due since its previous tick (:func:`due_epochs`), so
    that it plays ``rate`` epochs per second whenever one epoch takes less than ``1 / rate`` seconds; a slower
    model plays as fast as it trains (what it could not train is not owed); its tick trains for at most half the
    time since the previous tick, between :data:`TICK_SECONDS` and :data:`PACED_TICK_SECONDS`. Otherwise it trains
    at most ``speed`` x ``frames_per_tick`` epochs, for at most :data:`TICK_SECONDS` seconds.
    """
    if not player.playing:
        return []
    budget = TICK_SECONDS
    if player.rate is None:
        epochs = player.speed * frames_per_tick
    else:
        now = pace_clock()
        elapsed = FRAME_INTERVAL if player.clock is None else now - player.clock
        player.clock = now
        epochs, player.owed = due_epochs(player.rate, elapsed, player.owed)
        budget = min(max(TICK_SECONDS, elapsed / 2), PACED_TICK_SECONDS)
        if epochs == 0:
            _measure(player, 0.0, elapsed)
            return []
    trained = advance(player, epochs * player.runner.steps_per_epoch, budget)
    if len(trained) < epochs * player.runner.steps_per_epoch:
        player.owed = 0.0  # the time box or the run's end cut the tick short: nothing more is owed
    if player.rate is not None:
        _measure(player, len(trained) / player.runner.steps_per_epoch, elapsed)
    if not player.playing:
        st.rerun()
    return trained


#: While playing, the status gives the epochs per second really played once they fall below this share of the pace.
SLOWER_THAN_PACE = 0.8


def pace_text(player: Player) -> str:
    """The pace while playing, for a status line: the chosen one, or what is really played when the model trains
    slower than that (below :data:`SLOWER_THAN_PACE` of it, :attr:`Player.measured`)."""
    pace = player.rate if player.rate is not None else DEFAULT_PACE
    if player.measured is not None and player.measured < SLOWER_THAN_PACE * pace:
        return f"{player.measured:.1f} epochs/s (slower than the {pace:g}/s pace: training is no faster here)"
    return f"{pace:g} epochs/s"


def _measure(player: Player, epochs: float, elapsed: float) -> None:
    """Fold a paced tick that played ``epochs`` epochs in ``elapsed`` seconds into :attr:`Player.measured`: an
    average over the last :data:`RATE_WINDOW` seconds or so (each epoch counts :math:`e^{-t/\tau}/\tau` after
    :math:`t` seconds), starting from the pace itself, so that a slow pace, whose ticks mostly play no epoch, reads
    steadily as that pace."""
    decay = math.exp(-max(elapsed, 0.0) / RATE_WINDOW)
    before = player.rate if player.measured is None else player.measured
    player.measured = (before or 0.0) * decay + epochs / RATE_WINDOW


def frames_of(frames: list[Any], most: int) -> list[Any]:
    """At most ``most`` of the frames trained in a row, evenly spaced (every ``ceil(n / most)``-th) and ending on
    the last one (the latest state), oldest first."""
    every = max(-(-len(frames) // most), 1)
    return frames[len(frames) - 1::-every][::-1]


def epochs_to_draw(recorded: list[int], rate: float) -> list[int]:
    """The recorded epochs a rerun of a live view hands to its graph while playing at ``rate`` epochs per second,
    oldest first, ending on the latest.

    Streamlit delivers only the latest of several reruns that reach the browser together, so frames handed only
    once are lost whenever reruns bunch up (the graph then jumps, e.g. 7 → 14). Every rerun therefore hands the
    epochs of the last :data:`RESEND_SECONDS` of play again (at least :data:`RESEND_AT_LEAST`); the graph skips
    those it has drawn. Above :data:`DRAWN_PER_SECOND` epochs per second only every ``ceil(rate / 14)``-th epoch
    is handed, counted from epoch 0, so that every rerun picks the same epochs and the drawn ones are evenly spaced.
    """
    if not recorded:
        return []
    latest = recorded[-1]
    span = max(RESEND_AT_LEAST, math.ceil(rate * RESEND_SECONDS))
    every = max(math.ceil(rate / DRAWN_PER_SECOND), 1)
    return [epoch for epoch in recorded[:-1] if epoch > latest - span and epoch % every == 0] + [latest]


def first_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an error's message, at most ``limit`` characters, without a final full stop (or the
    error's type when it has no message): for a one-sentence message on the page."""
    text = str(err).strip().splitlines()[0].strip() if str(err).strip() else ""
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
    return text.rstrip(".") or type(err).__name__


def fault_message(err: BaseException, epoch: int, device: torch.device | None = None) -> str:
    """The one sentence for a failed step: the device's failure (then the run can go on on the CPU) when
    ``device`` is given, else the run's."""
    if device is not None:
        return (f"Training paused at epoch {epoch}: the step failed on the {device.type.upper()} ({first_line(err)}); "
                "the graph, the run and its history are kept, so you can continue on the CPU.")
    return (f"Training paused at epoch {epoch}: the step failed ({type(err).__name__}: {first_line(err)}); the "
            "graph, the run and its history are kept: press Step to try again or Reset to start over.")


def _fault(player: Player, err: Exception) -> None:
    """Record a failed step as one sentence, stop playing and log the traceback for the server."""
    runner, device = player.runner, player.runner.torch_device
    logging.getLogger(__name__).exception("training step failed on %s at epoch %d", device, runner.epoch)
    player.device_error, player.resume = is_device_error(err, device), player.playing
    player.playing = False
    if player.device_error:
        try:
            if device.type == "cuda":
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001  (a broken CUDA context must not hide the message)
            pass
    player.error = fault_message(err, runner.epoch, device if player.device_error else None)


# ---------------------------------------------------------------- the transport bar
@dataclass(frozen=True)
class StepButton:
    """One step button: its label, the epochs it trains, its help, and whether it is disabled once done."""

    label: str
    epochs: int
    help: str = ""
    key: str | None = None
    disabled_when_done: bool = False


@dataclass(frozen=True)
class Transport:
    """How one page draws its transport bar.

    Attributes:
        key: the bar's container key.
        reset_help: help of the Reset button.
        steps: the step buttons.
        pace_key: the key of the pace control (epochs per second, :data:`PACES`; ``None``: none).
        pace_help: its help.
        button_keys: give Reset and Play/Pause the keys ``<key>.reset`` and ``<key>.play``.
    """

    key: str
    reset_help: str = ""
    steps: tuple[StepButton, ...] = (StepButton("Step", 1, "Train one epoch"),
                                     StepButton("Step 10", 10, "Train ten epochs"))
    pace_key: str | None = None
    pace_help: str | None = None
    button_keys: bool = False


PlayerOf = Callable[[], "Player | None"]


def _play_or_pause(player_of: PlayerOf, play: bool, before: Callable[[], None] | None,
                   on_pause: Callable[[], None] | None = None) -> None:
    """Play (``play``) or pause, as the clicked button said: a second click on a button whose page has not redrawn
    yet, or a click delayed behind a busy browser, repeats what it asked for instead of undoing it."""
    player = player_of()
    if before is not None:
        before()
    if player is None or player.playing == (play and not player.done):
        return
    if not play and on_pause is not None:
        on_pause()
    player.playing = play and not player.done
    player.clock, player.owed, player.measured = None, 0.0, None


def _step(player_of: PlayerOf, epochs: int, before: Callable[[], None] | None) -> None:
    player = player_of()
    if before is not None:
        before()
    if player is not None:
        player.playing = False
        advance(player, epochs * player.runner.steps_per_epoch)


def _pace(player_of: PlayerOf, key: str) -> None:
    player = player_of()
    if player is not None:
        player.rate, player.owed = float(st.session_state[key]), 0.0


def pace_label(rate: float) -> str:
    """How the pace control names a pace: ``"5/s · slow motion"`` up to :data:`SLOW_MOTION`, else ``"50/s"``."""
    return f"{rate:g}/s · slow motion" if rate <= SLOW_MOTION else f"{rate:g}/s"


def transport_bar(player: Player | None, spec: Transport, player_of: PlayerOf, reset: Callable[[], None],
                  before: Callable[[], None] | None = None, on_pause: Callable[[], None] | None = None) -> None:
    """Draw Reset, Play/Pause, the step buttons, and the pace control (when the page has one).

    Args:
        player: the player drawn (``None``: nothing to play, Play is disabled).
        spec: the page's labels and keys.
        player_of: finds the session's player when a button is clicked (callbacks run before the page).
        reset: what Reset does (e.g. start a fresh run from the applied settings).
        before: called first by Play/Pause and the step buttons (e.g. to leave a replay).
        on_pause: called by Pause after ``before`` (e.g. to stop on the frame drawn).
    """
    done = player is None or player.done
    playing = player is not None and player.playing
    keys = (f"{spec.key}.reset", f"{spec.key}.play") if spec.button_keys else (None, None)
    with st.container(horizontal=True, vertical_alignment="bottom", key=spec.key):
        st.button("Reset", key=keys[0], on_click=reset, icon=":material/replay:", help=spec.reset_help or None)
        st.button("Pause" if playing else "Play", key=keys[1], on_click=_play_or_pause,
                  args=(player_of, not playing, before, on_pause),
                  type="primary", disabled=done, icon=":material/pause:" if playing else ":material/play_arrow:")
        for button in spec.steps:
            st.button(button.label, key=button.key, on_click=_step, args=(player_of, button.epochs, before),
                      disabled=button.disabled_when_done and done, help=button.help or None,
                      icon=":material/skip_next:" if button.epochs == 1 else ":material/fast_forward:")
        if spec.pace_key is not None:
            st.session_state.setdefault(spec.pace_key, _pace_of(player))
            st.select_slider("Pace (epochs/s)", options=PACES, key=spec.pace_key, width=200,
                             format_func=pace_label, on_change=_pace, args=(player_of, spec.pace_key),
                             help=spec.pace_help)


def _pace_of(player: Player | None) -> int:
    """The offered pace nearest the player's (the default pace when it has none)."""
    rate = player.rate if player is not None and player.rate is not None else DEFAULT_PACE
    return min(PACES, key=lambda pace: abs(pace - rate))


def run_message(player: Player, on_cpu: Callable[[], None] | None = None) -> None:
    """Show the message of the last failed step, if any; after a device error, and when the page can move its run
    (``on_cpu``), offer to continue on the CPU (then rerun the whole page)."""
    if not player.error:
        return
    st.error(player.error, icon=":material/error:")
    if player.device_error and on_cpu is not None and st.button(
            "Continue on CPU", key="remedy.cpu", icon=":material/memory:",
            help="Move the model and its optimiser to the CPU and go on from this epoch"):
        on_cpu()
        st.rerun()  # the whole page: the transport bar, the settings form and the link follow the new device
