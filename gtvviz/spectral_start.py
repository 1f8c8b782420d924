r"""A start from spectral clustering's partition (``init="spectral"``): the network first follows it, then the
AsymCheegerCut loss.

**Why.** A TVGNN run decides how many clusters it will use in its first epochs, while :math:`\mathbf{S}` is still
nearly uniform, and keeps that number (:mod:`gtvviz.partial_collapse`): on graphs of several communities of
comparable size a random start often merges two of them and leaves a cluster empty, and further random starts
(:mod:`gtvviz.starts`) often do the same. The spectral relaxation of the normalised cut
(:func:`gtvviz.baselines.spectral_clustering`), the cut that the GTV and balance terms relax too, proposes a
partition in which every cluster holds nodes.

**How.** For its first epochs the gradient is the cross-entropy
:math:`-\frac{1}{N}\sum_i \log s_{i, t_i}` towards the proposal :math:`t` (all layers, as the escape of
:mod:`gtvviz.escape` trains them), until :data:`~gtvviz.escape.AGREEMENT` of the nodes have it as their argmax or
:data:`~gtvviz.escape.STEPS` epochs have passed; from then on it is the AsymCheegerCut loss, so the features and
the loss move the partition where they disagree with the graph alone. The reference loss ``total`` is reported
throughout. Adam starts afresh when the following ends (the trainer treats it as an escape:
:attr:`~gtvviz.objective.AsymCheegerCutObjective.escaping`).

The proposal reads only the graph. Where the graph alone misleads (a graph of many connected components, such as
Cora, whose spectral partition separates small components), a spectral start ends with a higher loss than random
starts, and the starts kept by the loss (:func:`gtvviz.starts.best_start`) drop it.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor

from gtvviz.escape import AGREEMENT, STEPS, agreement, cross_entropy_to


@dataclass
class ProposalStart:
    """The following of a proposed partition from epoch 0 (see the module docstring); fed once per epoch by
    :meth:`update`.

    Attributes:
        target: the proposal :math:`(N,)`, labels in ``0 .. K-1``.
        following: whether the gradient follows the proposal this epoch.
    """

    target: Tensor
    following: bool = True

    def update(self, epoch: int, s: Tensor) -> bool:
        """Given epoch ``epoch``'s assignment ``s``, stop following once :data:`AGREEMENT` of the nodes hold the
        proposal or :data:`STEPS` epochs have passed; return whether the gradient follows it this epoch."""
        if self.following and (epoch >= STEPS or agreement(s, self.target) >= AGREEMENT):
            self.following = False
        return self.following

    def loss(self, s: Tensor) -> Tensor:
        """The cross-entropy towards the proposal (:func:`gtvviz.escape.cross_entropy_to`)."""
        return cross_entropy_to(s, self.target)

    def reset(self) -> None:
        """Follow the proposal again (a run that starts again)."""
        self.following = True
