"""The one-entry cache of values derived from a layer's inputs."""

import copy
import gc
import pickle

import torch

from gtvviz.nn.input_cache import LastInputCache


class CountingCache(LastInputCache[float]):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def compute(self, tensor: torch.Tensor, scale: float | None) -> float:
        self.calls += 1
        return float(tensor.sum()) * (1.0 if scale is None else scale)


def test_the_same_inputs_are_computed_once() -> None:
    cache, t = CountingCache(), torch.ones(3)
    assert cache.get(t, None) == 3.0 and cache.get(t, None) == 3.0
    assert cache.calls == 1


def test_new_inputs_are_computed_again() -> None:
    cache, t = CountingCache(), torch.ones(3)
    cache.get(t, None)
    assert cache.get(t.clone(), None) == 3.0 and cache.calls == 2  # equal values, another tensor
    u = t.clone()
    cache.get(u, None)
    assert cache.get(u, 2.0) == 6.0 and cache.calls == 4  # another non-tensor input
    u[0] = 5.0  # changed in place: its version moves on
    assert cache.get(u, 2.0) == 14.0 and cache.calls == 5


def test_a_freed_tensor_is_not_mistaken_for_a_new_one() -> None:
    cache = CountingCache()
    cache.get(torch.ones(3), None)
    gc.collect()  # the first tensor is gone; a new one may take its address
    assert cache.get(torch.full((3,), 2.0), None) == 6.0 and cache.calls == 2


def test_it_is_copied_and_pickled_empty() -> None:
    cache, t = CountingCache(), torch.ones(3)
    cache.get(t, None)
    for twin in (copy.deepcopy(cache), pickle.loads(pickle.dumps(cache))):
        assert twin.get(t, None) == 3.0 and twin.calls == 2  # computed again: the copy kept no entry
