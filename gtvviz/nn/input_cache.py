"""A one-entry cache of something derived from a layer's inputs, for layers called every epoch on the same graph.

A training loop passes the same ``edge_index`` and feature tensors to a layer at every epoch; what a layer derives
from them alone (the undirected pairs of the edge list, the compressed rows of sparse features) is computed on the first
call and reused until the layer sees other tensors.
"""

from __future__ import annotations

import weakref
from typing import Any, Generic, TypeVar

import torch

Value = TypeVar("Value")


class LastInputCache(Generic[Value]):
    """Remembers the value :meth:`compute` gave for the last inputs seen.

    Tensor inputs are recognised by object and by in-place version (``Tensor._version``), so a tensor changed in
    place, or another tensor with the same values, is computed again; other inputs by equality. The cache holds
    only weak references to the inputs. It is pickled empty (``torch.save`` of a model, ``copy.deepcopy``): weak
    references cannot be pickled, and the value is recomputed on the next call anyway.
    """

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._value: Value | None = None

    def compute(self, *inputs: Any) -> Value:
        """The value for ``inputs``; subclasses say what it is."""
        raise NotImplementedError

    @torch.compiler.disable  # data-dependent Python: never traced by torch.compile (no graph-break warnings)
    def get(self, *inputs: Any) -> Value:
        """The value for ``inputs``: the remembered one when they are the last inputs seen, else computed now."""
        key = tuple(_TensorKey(item) if isinstance(item, torch.Tensor) else item for item in inputs)
        if self._key is None or self._key != key:
            self._key, self._value = key, self.compute(*inputs)
        return self._value  # type: ignore[return-value]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_key": None, "_value": None}


class _TensorKey:
    """A tensor in a cache key: equal to another key of the same live tensor at the same in-place version."""

    __slots__ = ("ref", "version")

    def __init__(self, tensor: torch.Tensor) -> None:
        self.ref = weakref.ref(tensor)
        self.version = tensor._version

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _TensorKey):
            return NotImplemented
        tensor = self.ref()
        return tensor is not None and tensor is other.ref() and self.version == other.version

    __hash__ = None  # type: ignore[assignment]
