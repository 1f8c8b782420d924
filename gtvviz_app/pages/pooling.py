"""Pooling: TVGNN as a pooling layer for graph classification, trained live, then every pooling level of a graph.

The page's run (a classifier and its trainer on the first fold of a stratified 5-fold split) lives in
``st.session_state`` (per session). While playing, the live fragment reruns itself every ``FRAME_INTERVAL``
seconds and trains for at most ``TICK_SECONDS`` (a few mini-batches), like the Explore page, so Pause answers at
once; the curves and the pooling levels are redrawn less often. When early stopping ends the run, the best
weights are restored and scored on the held-out fold. The TU datasets are read from the sidebar's data root.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st
from torch_geometric.data import Data

from gtvviz import Graph
from gtvviz.classification import (SETTINGS, SYNTHETIC, TU_DATASETS, ClassifierTrainer, ClassifyConfig,
                                   GraphDataset, fold_trainer, load_dataset, pooling_setting)
from gtvviz.errors import GtvvizError
from gtvviz.viz import accuracy_figure, apply_style, loss_figure, pooling_figures
from gtvviz_app.loading import graph_layout
from gtvviz_app.player import CHART_INTERVAL, FRAME_INTERVAL, Player, StepButton, Transport, run_message, tick, transport_bar
from gtvviz_app.presentation import figure_style, present_mode
from gtvviz_app.sidebar import page_frame
from gtvviz_app.state import get_state

KEY = "gtvviz_pooling"
DATASETS = (SYNTHETIC, *TU_DATASETS)
#: The setting a new visitor gets: level 1 sharpens within the epochs of 30 s of Play (the paper's stays grey).
DEFAULT_SETTING = "teaching"
POOLS = {"tvgnn": "TVGNN (AsymCheegerCut)", "mincut": "MinCutPool", "dmon": "DMoN", "none": "No pooling"}
#: Seconds between redraws of the pooling levels while playing (the curves follow ``CHART_INTERVAL``).
LEVELS_INTERVAL = 2.0
#: Height of the pooling level figures (outside presentation mode, in it), in pixels: layouts are drawn wider than
#: tall, so three levels side by side need no more; in presentation mode the transport bar, the counter and the
#: three levels fit a 1280x720 screen.
LEVEL_HEIGHT, PRESENT_LEVEL_HEIGHT = 300, 280
#: Largest number of epochs of a page run (early stopping with patience 20 usually ends it sooner).
EPOCHS = 100
TRANSPORT = Transport("pooling.transport", button_keys=True,
                      steps=(StepButton("Step epoch", 1, key="pooling.step", disabled_when_done=True),))
ABOUT = (
    "Each pooling level maps a graph to K supernodes with a soft assignment S (softmax of an MLP): pooled "
    "features SᵀX, pooled adjacency SᵀAS. TVGNN trains S with the AsymCheegerCut loss (GTV of S + asymmetric-norm "
    "balance) added to the cross-entropy, so its clusters are sharp and balanced; MinCutPool and DMoN use their "
    "own smooth losses. The network is GTVConv(32) → pool to K1 → GTVConv(32) → pool to K2 → GTVConv(32) → mean → "
    "linear. The synthetic dataset has no node features (the model sees one-hot degrees): its class is the "
    "number of communities (2, 3 or 4) of each graph.\n\n"
    "**Settings.** *Paper* is the reference: K1, K2 half and a quarter of the largest graph (20 and 10 "
    "clusters for graphs of 16–40 nodes), α₁ = α₂ = 0.5, Adam 5e-4. There the first level stays grey: with so "
    "many clusters no reachable assignment lowers the auxiliary loss below its value at the uniform one (the "
    "uniform trap), and nodes that look alike (same degrees) always get the same assignment. *Teaching* (the "
    "default) uses few clusters (an eighth and a sixteenth of the mean graph), balance weight α₂ = 1, Adam 1e-2 "
    "and two Laplacian eigenvectors as extra node features, which tell the regions of a graph apart: level 1 "
    "is decided within about 20 epochs and its supernodes sit on the graph's communities."
)


@dataclass
class PoolingRun:
    """The page's run: dataset, settings, trainer, held-out graphs, its player and, once done, its score."""

    dataset: GraphDataset
    setting: str
    config: ClassifyConfig
    trainer: ClassifierTrainer
    test: list[Data]
    player: Player = field(init=False)
    test_accuracy: float | None = None

    def __post_init__(self) -> None:
        self.player = Player(self.trainer, speed=1)

    @property
    def playing(self) -> bool:
        return self.player.playing

    def score(self) -> None:
        """Score the held-out fold once the run has ended (early stopping restores the best weights first)."""
        if self.trainer.done and self.test_accuracy is None:
            self.test_accuracy = self.trainer.test_accuracy(self.test)


@st.cache_resource(max_entries=6, show_spinner="Loading the dataset…")
def _dataset(name: str, data_root: str, positional: int) -> GraphDataset:
    """A prepared dataset; read-only, so one copy serves every session (models live in each session)."""
    return load_dataset(name, data_root=data_root or None, positional=positional)


def _new_run(name: str, pool: str, setting: str, seed: int) -> PoolingRun:
    chosen = pooling_setting(setting)
    dataset = _dataset(name, "" if name == SYNTHETIC else get_state().data_root, chosen.positional)
    config = chosen.config(pool=pool, seed=seed, epochs=EPOCHS)
    return PoolingRun(dataset, setting, config, *fold_trainer(dataset, config))


def _run() -> PoolingRun:
    if KEY not in st.session_state:
        st.session_state[KEY] = _new_run(SYNTHETIC, "tvgnn", DEFAULT_SETTING, 0)
    return st.session_state[KEY]


def _restart(name: str, pool: str, setting: str, seed: int) -> None:
    try:
        st.session_state[KEY] = _new_run(name, pool, setting, seed)
        st.session_state.pop("pooling.error", None)
        st.session_state.pop("pooling.graph", None)  # the new dataset may have fewer graphs
    except GtvvizError as err:
        st.session_state["pooling.error"] = str(err)


def _apply() -> None:
    _restart(*(st.session_state[f"pooling.{name}"] for name in ("dataset", "pool", "setting", "seed")))


def _reset() -> None:
    run = _run()
    _restart(run.dataset.name, run.config.pool, run.setting, run.config.seed)


def _controls(run: PoolingRun) -> None:
    """The page's settings in the sidebar (full width, so no label is cut off), the transport bar in the page."""
    with st.sidebar, st.expander("Pooling run", expanded=True, icon=":material/account_tree:"):
        with st.form("pooling.settings", border=False):
            st.selectbox("Dataset", DATASETS, key="pooling.dataset",
                         index=DATASETS.index(run.dataset.name) if run.dataset.name in DATASETS else 0)
            st.selectbox("Pooling", list(POOLS), format_func=POOLS.get, key="pooling.pool",
                         index=list(POOLS).index(run.config.pool))
            st.selectbox("Setting", list(SETTINGS), format_func=lambda name: SETTINGS[name].label,
                         key="pooling.setting", index=list(SETTINGS).index(run.setting),
                         help="\n\n".join(f"**{s.label}**: {s.summary}." for s in SETTINGS.values()))
            st.number_input("Seed", 0, 2**31 - 1, run.config.seed, key="pooling.seed")
            st.form_submit_button("Apply and reset", on_click=_apply, icon=":material/restart_alt:")
        st.caption("This page trains its own graph classifier; the Explore run and its link stay as they are.")
    if "pooling.error" in st.session_state:
        st.error(st.session_state["pooling.error"])
    transport_bar(run.player, TRANSPORT, lambda: _run().player, _reset)


@st.fragment(run_every=FRAME_INTERVAL if _run().playing else None)
def live_status() -> None:
    """One frame: a time-boxed training tick while playing, then the epoch counter."""
    run = _run()
    tick(run.player)
    run.score()
    trainer = run.trainer
    last = trainer.history[-1] if trainer.history else None
    mode = "training" if run.playing else "done (early stopping)" if trainer.done else "paused"
    text = f"**Epoch {trainer.epoch}** / {run.config.epochs} · {mode}"
    if last is not None:
        text += (f" · validation accuracy {last.val_accuracy:.3f} · best epoch {trainer.best_epoch} · "
                 f"{last.elapsed:.1f} s of compute")
    if run.test_accuracy is not None:  # (in the line: a metric would push the levels below the fold)
        text += f" · **test accuracy {run.test_accuracy:.3f}** (held-out fold, best epoch)"
    with st.container(key="pooling.counter"):
        st.markdown(text)
    st.progress(min(trainer.epoch / run.config.epochs, 1.0))
    run_message(run.player)


@st.fragment(run_every=CHART_INTERVAL if _run().playing else None)
def curves() -> None:
    """Loss and accuracy curves."""
    run = _run()
    rows = [record.record() for record in run.trainer.history]
    names = list(run.trainer.history[-1].losses) if rows else ["total"]
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(rows, names, style=figure_style()), key="pooling.loss")
    right.plotly_chart(apply_style(accuracy_figure(rows), figure_style()), key="pooling.accuracy")


@st.fragment(run_every=LEVELS_INTERVAL if _run().playing else None)
def levels() -> None:
    """Every pooling level of the chosen graph under the current model."""
    run = _run()
    graphs = run.dataset.graphs
    index = st.number_input("Graph", 0, len(graphs) - 1, 0, key="pooling.graph", width=160,
                            help="Which graph of the dataset to show through the pooling levels.")
    data = graphs[index]
    graph = Graph.from_pyg(data, name=f"{run.dataset.name} #{index}")
    pos = graph_layout(f"pooling|{run.dataset.name}|{index}", graph)
    caption = (f"Graph {index}: class {int(data.y)}, {graph.num_nodes} nodes, {graph.num_edges} edges. The input "
               "is coloured by S1 and each pooled graph by the next level's assignment (pale = undecided); "
               "supernode area = mass (the share of the input nodes it stands for), edge width = pooled weight "
               "(heaviest edges).")
    height = PRESENT_LEVEL_HEIGHT if present_mode() else LEVEL_HEIGHT
    figures = pooling_figures(graph, pos, run.trainer.model.pooling_levels(data), height=height)
    for column, (depth, figure) in zip(st.columns(len(figures)), enumerate(figures)):
        column.plotly_chart(apply_style(figure, figure_style()), key=f"pooling.level{depth}")
    st.caption(caption)  # under the pictures, which come first at 1280x720


page_frame("Pooling — TVGNN as a pooling layer for graph classification", run_sidebar=False)
run = _run()
sizes = "no pooling" if run.config.pool == "none" else "K1, K2 = " + ", ".join(map(str, run.trainer.model.pool_sizes))
setting = SETTINGS[run.setting]
where = "the sidebar (outside presentation mode)" if present_mode() else "the sidebar"
other = "" if run.setting == "paper" else f" The paper's setting: “{SETTINGS['paper'].label}” in {where}."
about_run = (f"**{setting.label}** ({setting.summary}).{other} {run.dataset.name}: {len(run.dataset.graphs)} graphs, "
             f"{run.dataset.num_classes} classes, features: {run.dataset.features}; {sizes}. Training on fold 1 of "
             f"{run.config.folds} (batch {run.config.batch_size}, early stopping on the validation loss).")
with st.expander("What this page shows"):  # (this run's setting too: the levels need the screen)
    st.markdown(ABOUT)
    st.caption(about_run)
_controls(run)
live_status()
levels()  # the pooling levels first: they are the page's picture; the curves below
curves()
