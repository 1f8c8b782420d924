"""Theory: the equations of GTVConv and of the AsymCheegerCut loss, each drawn on the current graph and run.

The Γ edge weights come from the first GTVConv layer of the current model; the loss terms from the assignment on
screen (the Explore page's latest or replayed snapshot).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from gtvviz.objective import AsymCheegerCutObjective, cut_ratio
from gtvviz.viz import (balance_quantiles, edge_values_figure, first_gtv_layer, graph_figure, layer_gamma,
                        legend_html, quantile_figure)
from gtvviz_app.sidebar import page_frame
from gtvviz_app.state import AppState

GTVCONV = r"""
\tilde{\mathbf{X}} = \mathbf{X}\boldsymbol{\Theta}, \qquad
\Gamma_{ij} = \frac{a_{ij}}{\max\big(\lVert \tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j \rVert_1,\ \epsilon\big)},
\qquad
\mathbf{x}'_i = \sigma\Big(\tilde{\mathbf{x}}_i - \delta \sum_{j \in \mathcal{N}(i)} \Gamma_{ij}\,
(\tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j) + \mathbf{b}\Big)
"""
MATRIX_FORM = r"""
\mathbf{X}' = \sigma\big((\mathbf{I} - \delta\,\mathbf{L}_\Gamma)\,\tilde{\mathbf{X}} + \mathbf{b}\big), \qquad
\mathbf{L}_\Gamma = \mathbf{D}_\Gamma - \boldsymbol{\Gamma}
"""
ASSIGNMENT = r"\mathbf{S} = \operatorname{softmax}\big(\mathrm{MLP}(\mathbf{H})\big), \qquad " \
             r"\mathcal{L} = \alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}"
GTV_LOSS = r"""
\mathcal{L}_{GTV} = \frac{1}{2\,\mathrm{nnz}(\mathbf{A})} \sum_{(i,j):\,a_{ij} \neq 0} a_{ij}\,
\lVert \mathbf{s}_i - \mathbf{s}_j \rVert_1
"""
AN_LOSS = r"""
\mathcal{L}_{AN} = 1 - \frac{\sum_{i,k} \lvert s_{ik} - q_k \rvert_\rho}{N (K - 1)}, \qquad
\lvert d \rvert_\rho = \begin{cases} \rho\, d & d \ge 0 \\ -d & d < 0 \end{cases}, \qquad \rho = K - 1
"""

TRAP = r"""
\mathbf{S} = \tfrac{1}{K} + t\,\mathbf{D}: \quad
\mathcal{L} = \alpha_2 + t\,\big(\alpha_1\, g(\mathbf{D}) - \alpha_2\, b(\mathbf{D})\big), \qquad
G = \mathcal{L}_{GTV} = t\,g, \quad B = 1 - \mathcal{L}_{AN} = t\,b
"""
REMEDY = r"""
\tilde\alpha_2 = \max\Big(\alpha_2,\ 1.1\,\alpha_1 \frac{G}{B}\Big) \quad\Rightarrow\quad
\frac{d}{dt}\big(\alpha_1 G + \tilde\alpha_2 (1 - B)\big) \le -0.1\,\alpha_1\, g < 0
"""


def _trap_section(state: AppState) -> None:
    """The current snapshot's cut ratio G/B and the balance weight the gradient uses there."""
    run, shown = state.run, state.shown()
    objective = run.trainer.objective
    if not isinstance(objective, AsymCheegerCutObjective) or "gtv" not in shown.losses:
        st.info(f"The {run.config.method} model is not trained with the AsymCheegerCut loss; choose method tvgnn.")
        return
    gtv, balance = shown.losses["gtv"], shown.losses["balance"]
    ratio = cut_ratio(gtv, balance)
    columns = st.columns(4)
    columns[0].metric("G (GTV)", f"{gtv:.3g}", border=True)
    columns[1].metric("B (1 − balance loss)", f"{1.0 - balance:.3g}", border=True)
    columns[2].metric("cut ratio G/B", "undefined" if ratio is None else f"{ratio:.3g}", border=True)
    engaged = objective.engaged_at
    columns[3].metric(f"balance weight ({run.config.balance_weight})",
                      f"{objective.balance_weight_for(gtv, balance, shown.epoch):.3g}", border=True,
                      help=f"α₂ = {run.config.alpha2:g}; "
                           f"α₂/α₁ = {run.config.alpha2 / max(run.config.alpha1, 1e-12):.3g}; "
                           + ("the remedy has not engaged in this run" if engaged is None
                              else f"the remedy engaged at epoch {engaged}"))


def _gamma_section(state: AppState) -> None:
    run = state.run
    layer = first_gtv_layer(run.trainer.model)
    if layer is None:
        st.info(f"The {run.config.method} model has no GTVConv layer; choose method tvgnn and Reset to see Γ here.")
        return
    gamma = layer_gamma(layer, run.graph, run.trainer.features)
    if len(gamma) == 0:
        st.info("The graph has no edges, so there is no Γ to draw.")
        return
    left, right = st.columns([3, 1])
    with left:
        st.plotly_chart(edge_values_figure(run.graph, run.layout, gamma, name="Γ<sub>ij</sub>", log=True),
                        key="theory.gamma", config={"displaylogo": False})
    with right:
        st.metric("smallest Γ", f"{gamma.min():.3g}", border=True)
        st.metric("median Γ", f"{np.median(gamma):.3g}", border=True)
        st.metric("largest Γ", f"{gamma.max():.3g}", help=f"At most a_ij/ε = {1 / layer.eps:.3g}·a_ij", border=True)
    st.caption(
        f"Γ of the first GTVConv layer of the current model (epoch {run.latest.epoch}). Bright, thick edges join "
        "neighbours whose transformed features are close: the layer pulls them together. Dark, thin edges cross a "
        "boundary: their features differ, Γ is small, and the layer leaves them apart — the boundary stays sharp, "
        "unlike the uniform averaging of a GCN. Press Play on the Explore page and come back to see Γ change."
    )


def _loss_section(state: AppState) -> None:
    run, shown = state.run, state.shown()
    with st.container(horizontal=True):
        for name, value in shown.losses.items():
            st.metric(f"{name} (epoch {shown.epoch})", f"{value:.4f}", border=True)
    left, right = st.columns(2)
    with left:
        st.markdown("**The GTV term, edge by edge:** ‖sᵢ − sⱼ‖₁ is 0 inside a cluster and 2 on a sharp cut; each "
                    "edge is drawn as dark as its share ½‖sᵢ − sⱼ‖₁ (no line: 0, inside a cluster).")
        st.html(legend_html(shown.s.shape[1]))
        st.plotly_chart(graph_figure(run.graph, run.layout, shown.s, height=460), key="theory.tv",
                        config={"displaylogo": False})
    with right:
        st.markdown("**The balance term, column by column:** each column of S sorted, with its quantile q_k.")
        st.plotly_chart(quantile_figure(shown.s, balance_quantiles(shown.s)), key="theory.quantiles",
                        config={"displaylogo": False})
    st.caption(
        "q_k is the entry at index ⌊N/K⌋ of column k sorted in descending order. Entries above q_k count ρ = K−1 "
        "times, entries below once, so L_AN is 0 for K equal one-hot clusters and 1 for a uniform S or a single "
        "cluster: it stops the GTV term from putting every node in one cluster."
    )


state = page_frame("Theory — TVGNN's equations, drawn on this graph")
st.markdown("##### 1. GTVConv: one gradient step on the total variation of the features")
st.latex(GTVCONV)
st.latex(MATRIX_FORM)
st.markdown(
    f"This model: δ = {state.run.config.delta:g} (`delta_coeff`, which is 2δ of the paper), ε = "
    f"{state.run.config.eps:g}, widths {', '.join(map(str, state.run.config.hidden))}. Γ is computed on the "
    "transformed features, edge by edge, and gradients flow through it."
)
_gamma_section(state)
st.markdown("##### 2. The AsymCheegerCut loss")
st.latex(ASSIGNMENT)
st.latex(GTV_LOSS)
st.latex(AN_LOSS)
st.markdown(
    f"This run: α₁ = {state.run.config.alpha1:g}, α₂ = {state.run.config.alpha2:g}, K = {state.run.config.clusters}."
)
_loss_section(state)
st.markdown("##### 3. The uniform trap, and gtvviz's adaptive balance weight")
st.latex(TRAP)
st.markdown(
    "Both terms grow linearly with the distance t from the uniform assignment, so S = 1/K is a local minimum "
    "along every direction D whose cut ratio g/b is above α₂/α₁. Early in training the model can reach little "
    "more than random partitions, whose cut ratio is about 1 − 1/K: above α₂/α₁ = 0.655 from K = 4 on, which is "
    "why the reference configuration can stay grey with 4 or more clusters. A healthy run also waits near uniform "
    "for a while, turning the direction towards smooth partitions. gtvviz's default waits for the collapse "
    "detector (50 epochs near uniform), then raises the balance weight of the gradient just enough that moving "
    "away from uniform always pays, and uses exactly α₂ whenever the cut ratio is below α₂/(1.1·α₁) "
    "(`balance_weight = fixed` is the reference):"
)
st.latex(REMEDY)
_trap_section(state)
