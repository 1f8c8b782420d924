"""The named graph generators: their parameters (for the app and the CLI) and their source strings.

Every generator is described by a :class:`GeneratorSpec` in :data:`GENERATORS` (its parameters with type,
default and range), built by :func:`generate`, and can be named by a *source string* usable in URLs and on the
command line::

    sbm:sizes=100-100-100,p_in=0.1,p_out=0.01,snr=1,seed=0

that is ``KIND`` or ``KIND:key=value,key=value`` with only the characters ``A-Za-z0-9_:.,=-``; list values are
joined with ``-``; left-out parameters take their defaults. :func:`generator_source` writes the canonical string
(all parameters), which generated graphs carry as their ``source``.

The graphs themselves are built by :mod:`gtvviz.data.synthetic`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from gtvviz.data.limits import MAX_GENERATED_NODES
from gtvviz.data.synthetic import (PALETTE, blobs, bridged, circles, csbm, grid, lfr, moons, planted_partition,
                                   ring_of_cliques, sbm, word_sbm)
from gtvviz.errors import ConfigError
from gtvviz.graph import Graph
from gtvviz.params import ParamSpec as Param

_SAFE_SOURCE = re.compile(r"^[A-Za-z0-9_:.,=\-]{1,200}$")


@dataclass(frozen=True)
class GeneratorSpec:
    """A generator: its name, a one-line description, its parameters and the function that builds it."""

    name: str
    description: str
    params: tuple[Param, ...]
    build: Callable[..., Graph] = field(repr=False)

    def defaults(self) -> dict[str, Any]:
        """Every parameter's default value."""
        return {p.name: p.default for p in self.params}


def generate(kind: str, **params: Any) -> Graph:
    """Build the graph of generator ``kind`` (see :data:`GENERATORS`) with ``params`` (others: defaults).

    Raises:
        ConfigError: for an unknown kind or parameter, a value of the wrong type or out of range, or a
            combination that cannot be built (e.g. an LFR graph that does not converge).
    """
    spec = _spec(kind)
    values = {**spec.defaults(), **{k: _check(spec, k, v) for k, v in params.items()}}
    graph = spec.build(**values)
    graph.name = kind
    graph.source = generator_source(kind, **values)
    return graph


def generator_source(kind: str, **params: Any) -> str:
    """The canonical source string of ``kind`` with ``params`` (defaults filled in)."""
    spec = _spec(kind)
    values = {**spec.defaults(), **{k: _check(spec, k, v) for k, v in params.items()}}
    return f"{kind}:" + ",".join(f"{p.name}={_format(values[p.name])}" for p in spec.params)


def parse_source(text: str) -> tuple[str, dict[str, Any]]:
    """Split a source string ``KIND:key=value,...`` into the kind and its (typed, checked) parameters."""
    if not _SAFE_SOURCE.match(text):
        raise ConfigError(
            f"The generator source {text[:40]!r} may only use letters, digits and _:.,=- (at most 200 characters)."
        )
    kind, _, rest = text.partition(":")
    spec = _spec(kind)
    params: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, eq, raw = item.partition("=")
        if not eq:
            raise ConfigError(f"{item!r} in {text!r} is not key=value; write e.g. {kind}:seed=1.")
        if key in params:
            raise ConfigError(f"{kind} parameter {key!r} is given twice in {text!r}; give it once.")
        params[key] = _check(spec, key, _parse(_param(spec, key), raw))
    return kind, params


def generate_from_source(text: str) -> Graph:
    """Build the graph named by a source string (see :func:`parse_source`)."""
    kind, params = parse_source(text)
    return generate(kind, **params)


# ---------------------------------------------------------------------- checking
def _spec(kind: str) -> GeneratorSpec:
    if kind not in GENERATORS:
        raise ConfigError(f"Unknown generator {kind!r}; use one of {', '.join(GENERATORS)}.")
    return GENERATORS[kind]


def _param(spec: GeneratorSpec, key: str) -> Param:
    for p in spec.params:
        if p.name == key:
            return p
    raise ConfigError(f"{spec.name} has no parameter {key!r}; its parameters are {', '.join(spec.defaults())}.")


def _parse(param: Param, raw: str) -> Any:
    try:
        if param.type == "ints":
            return tuple(int(v) for v in raw.split("-"))
        return int(raw) if param.type == "int" else float(raw)
    except ValueError:
        expected = {"ints": "integers joined by -", "int": "an integer", "float": "a number"}[param.type]
        raise ConfigError(f"{param.name} must be {expected}, got {raw[:40]!r}.") from None


def _check(spec: GeneratorSpec, key: str, value: Any) -> Any:
    """Return ``value`` as the parameter's type, or raise ConfigError for a wrong type or an out-of-range value."""
    param = _param(spec, key)
    items = value if param.type == "ints" and isinstance(value, (list, tuple)) else (value,)
    if param.type == "ints" and not isinstance(value, (list, tuple)) or not items:
        raise ConfigError(f"{key} must be a non-empty list of integers, e.g. 100-100-100, got {value!r:.40}.")
    out = []
    for item in items:
        number = item.item() if isinstance(item, np.generic) else item
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ConfigError(f"{key} must be a number, got {item!r:.40}.")
        if not math.isfinite(number):
            raise ConfigError(f"{key} must be a finite number, got {number}.")
        if param.type != "float":
            if number != int(number):
                raise ConfigError(f"{key} must be an integer, got {item!r:.40}.")
            number = int(number)
        if not param.low <= number <= param.high:
            raise ConfigError(f"{key} must be between {param.low:g} and {param.high:g}, got {number:g}.")
        out.append(float(number) if param.type == "float" else number)
    return tuple(out) if param.type == "ints" else out[0]


def _format(value: Any) -> str:
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


_SEED = Param("seed", "int", 0, 0, 2**31 - 1, "random seed")
_SNR = Param("snr", "float", 1.0, 0.0, 50.0, "feature signal-to-noise ratio (0 = pure noise)")
_FEATURES = Param("features", "int", 16, 0, 1024, "feature dimension (0 = no features)")
_K = Param("k", "int", 8, 1, 50, "neighbours per point")
_N = Param("n", "int", 300, 10, MAX_GENERATED_NODES, "number of points")

#: Every generator by name.
GENERATORS: dict[str, GeneratorSpec] = {g.name: g for g in (
    GeneratorSpec("sbm", "Stochastic block model with Gaussian block features", (
        Param("sizes", "ints", (100, 100, 100), 2, MAX_GENERATED_NODES, "block sizes, e.g. 100-100-100"),
        Param("p_in", "float", 0.1, 0.0, 1.0, "edge probability inside a block"),
        Param("p_out", "float", 0.01, 0.0, 1.0, "edge probability between blocks"),
        _SNR, _FEATURES, _SEED), sbm),
    GeneratorSpec("planted_partition", "Planted partition: equal blocks, dense inside, sparse across", (
        Param("groups", "int", 4, 1, 50, "number of groups"),
        Param("group_size", "int", 50, 2, 20_000, "nodes per group"),
        Param("p_in", "float", 0.3, 0.0, 1.0, "edge probability inside a group"),
        Param("p_out", "float", 0.02, 0.0, 1.0, "edge probability between groups"),
        _SNR, _FEATURES, _SEED), planted_partition),
    GeneratorSpec("csbm", "Contextual SBM: average degree, homophily and feature SNR as knobs", (
        Param("n", "int", 300, 4, MAX_GENERATED_NODES, "number of nodes"),
        Param("blocks", "int", 3, 2, 50, "number of blocks"),
        Param("degree", "float", 8.0, 0.5, 200.0, "expected average degree"),
        Param("homophily", "float", 0.8, 0.0, 1.0, "expected share of a node's edges inside its block"),
        Param("snr", "float", 1.0, 0.0, 50.0, "feature signal-to-noise ratio (0 = pure noise)"),
        _FEATURES, _SEED), csbm),
    GeneratorSpec("word_sbm", "SBM with bag-of-words count features (weak signal: the uniform trap)", (
        Param("blocks", "int", 4, 2, 50, "number of blocks"),
        Param("size", "int", 100, 2, MAX_GENERATED_NODES // 2, "nodes per block"),
        Param("p_in", "float", 0.05, 0.0, 1.0, "edge probability inside a block"),
        Param("p_out", "float", 0.01, 0.0, 1.0, "edge probability between blocks"),
        Param("words", "int", 16, 2, 1024, "vocabulary size (feature dimension)"),
        Param("signal", "float", 0.3, 0.0, 50.0, "extra word rate on a block's own words, times 2"),
        _SEED), word_sbm),
    GeneratorSpec("bridged", "Two dense communities joined by a few bridge edges, noisy features", (
        Param("size", "int", 40, 3, 20_000, "nodes per community"),
        Param("p_in", "float", 0.25, 0.0, 1.0, "edge probability inside a community"),
        Param("bridges", "int", 3, 0, 10_000, "number of bridge edges between the communities"),
        _SNR, Param("features", "int", 8, 0, 1024, "feature dimension (0 = no features)"), _SEED), bridged),
    GeneratorSpec("lfr", "LFR benchmark: power-law degrees and community sizes (may fail to converge)", (
        Param("n", "int", 250, 20, 2_000, "number of nodes"),
        Param("tau1", "float", 3.0, 1.5, 10.0, "power-law exponent of the degrees"),
        Param("tau2", "float", 1.5, 1.1, 10.0, "power-law exponent of the community sizes"),
        Param("mu", "float", 0.1, 0.0, 1.0, "share of each node's edges leaving its community"),
        Param("average_degree", "float", 5.0, 1.0, 200.0, "average degree"),
        Param("min_community", "int", 20, 1, 10_000, "smallest community size"),
        _SEED), lfr),
    GeneratorSpec("moons", "kNN graph of two interleaving half moons (scikit-learn)", (
        _N, Param("noise", "float", 0.1, 0.0, 1.0, "standard deviation of the point noise"), _K, _SEED), moons),
    GeneratorSpec("circles", "kNN graph of two concentric circles (scikit-learn)", (
        _N, Param("noise", "float", 0.05, 0.0, 1.0, "standard deviation of the point noise"),
        Param("factor", "float", 0.5, 0.05, 0.95, "radius of the inner circle"), _K, _SEED), circles),
    GeneratorSpec("blobs", "kNN graph of Gaussian blobs (scikit-learn)", (
        _N, Param("centers", "int", 3, 2, 20, "number of blobs"),
        Param("spread", "float", 1.0, 0.05, 10.0, "standard deviation of each blob"), _K, _SEED), blobs),
    GeneratorSpec("grid", "Pixel image as a 4-neighbour grid graph, noisy RGB features", (
        Param("width", "int", 24, 4, 300, "image width in pixels"),
        Param("height", "int", 24, 4, 300, "image height in pixels"),
        Param("shapes", "int", 3, 1, len(PALETTE) - 1, "number of shapes on the background"),
        Param("noise", "float", 0.15, 0.0, 2.0, "standard deviation of the colour noise"), _SEED), grid),
    GeneratorSpec("ring_of_cliques", "Cliques in a ring, neighbouring cliques joined by one edge", (
        Param("cliques", "int", 6, 2, 200, "number of cliques"),
        Param("clique_size", "int", 5, 2, 50, "nodes per clique"),
    ), ring_of_cliques),
)}
