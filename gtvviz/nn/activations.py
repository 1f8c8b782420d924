"""Activation functions by name, shared by every layer that lets the user choose one."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "relu": torch.relu,
    "elu": torch.nn.functional.elu,
    "tanh": torch.tanh,
    "identity": lambda t: t,
}


def resolve_activation(act: str | Callable[[Tensor], Tensor] | None) -> Callable[[Tensor], Tensor]:
    """Return the activation called ``act`` (``None`` is the identity) or ``act`` itself if callable."""
    if act is None:
        return ACTIVATIONS["identity"]
    if callable(act):
        return act
    try:
        return ACTIVATIONS[act.lower()]
    except KeyError:
        raise ValueError(f"Unknown activation {act!r}; choose one of {sorted(ACTIVATIONS)} or None.") from None
