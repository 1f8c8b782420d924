"""One dataclass for a clustering run that round-trips through JSON, command-line flags and URL queries.

A run is reproducible from its :class:`RunConfig` alone (the seed included). Every field has a declared range;
values from outside (a URL, a JSON file, the command line) are validated against it, and a URL can never name a
file on the server (the graph source must be a sample, generator or dataset name).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from gtvviz import defaults
from gtvviz.budget import check_model_budget
from gtvviz.defaults import BALANCE_WEIGHTS, DEVICES, INITS, MIN_CLUSTERS, NORMALIZATIONS, STOP_RULES
from gtvviz.errors import ConfigError
from gtvviz.params import ParamSpec
from gtvviz.registry import METHODS

#: Version of the URL query schema written by :meth:`RunConfig.to_query`.
QUERY_VERSION = "1"
#: A graph a link may name: a sample (``karate``), or a generator or dataset (``sbm:sizes=50-50``, ``pyg:Cora``).
_LINK_SOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}(:[A-Za-z0-9_.,=\-]{0,200})?$")


def _spec(name: str, low: float | None = None, high: float | None = None, help: str = "",
          choices: tuple[str, ...] | None = None) -> ParamSpec:
    """The spec of one RunConfig field: its type and default are the dataclass field's."""
    return ParamSpec(name, "", None, low, high, help, choices)


_DECLARED: tuple[ParamSpec, ...] = (
    _spec("graph", help="graph source: a sample name, generator spec or pyg:NAME"),
    _spec("clusters", MIN_CLUSTERS, 1000, help="number of clusters K (>= 2)"),
    _spec("method", choices=METHODS, help="clustering method"),
    _spec("alpha1", 0.0, 100.0, help="weight of the GTV term"),
    _spec("alpha2", 0.0, 100.0, help="weight of the asymmetric-norm balance term"),
    _spec("delta", 0.0, 10.0, help="GTVConv delta_coeff (= 2 delta of the paper)"),
    _spec("eps", 1e-8, 1.0, help="GTVConv lower bound of the l1 distance"),
    _spec("hidden", 1, 4096, help="GTVConv widths, comma separated"),
    _spec("mlp", 1, 4096, help="hidden widths of the assignment MLP, comma separated (may be empty)"),
    _spec("lr", 1e-6, 1.0, help="Adam learning rate per epoch (with batch_nodes, each of an epoch's S mini-batch "
          "steps uses lr / S, so an epoch travels as far as a full-batch one)"),
    _spec("epochs", 1, 100_000, help="number of training epochs"),
    _spec("seed", 0, 2**31 - 1, help="random seed"),
    _spec("device", choices=DEVICES, help="device: auto, cpu, cuda or mps"),
    _spec("warmup", 0, 100_000, help="epochs over which the GTV weight ramps up from 0 (0 = reference)"),
    _spec("balance_weight", choices=BALANCE_WEIGHTS, help="balance weight for the gradient: adaptive (raised once "
          "a run has sat at the uniform assignment for 50 epochs, so that it leaves it), escape (adaptive, and "
          "clusters lost to partial collapse are re-seeded; full batch) or fixed (alpha2, the reference)"),
    _spec("batch_nodes", 2, 100_000_000, help="train on mini-batches of about this many nodes (empty = full batch; "
          "an epoch is one pass over the nodes, at lr / steps per step; see gtvviz.scale)"),
    _spec("stop", choices=STOP_RULES, help="when to stop: epochs (train all of them) or plateau (stop earlier once "
          "the loss has plateaued at an assignment that uses every cluster; epochs is then the limit)"),
    _spec("normalize", choices=NORMALIZATIONS, help="how node features are scaled before training: auto divides "
          "counts (no negative value) by their row's total, as the paper does, and standardises measurements "
          "(features with negative values) column by column; row divides every graph's rows by their totals (the "
          "paper's setting), standard standardises every graph, none keeps the features as given"),
    _spec("init", choices=INITS, help="how the run starts: random (the seeded initialisation) or spectral (first "
          "follow spectral clustering's partition, then the loss; try it when a run leaves a cluster empty; TVGNN, "
          "full batch)"),
)


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one clustering run. Defaults: the authors' Cora configuration on the karate club, with
    the adaptive balance weight of :class:`~gtvviz.objective.AsymCheegerCutObjective` (``balance_weight="fixed"``
    is exactly the reference) and features scaled by :func:`gtvviz.features.node_features` (``normalize="auto"``
    is the reference's row normalisation on non-negative features; ``normalize="row"`` is it on every graph)."""

    graph: str = "karate"
    clusters: int = 2
    method: str = "tvgnn"
    alpha1: float = defaults.ALPHA1
    alpha2: float = defaults.ALPHA2
    delta: float = defaults.DELTA
    eps: float = defaults.EPS
    hidden: tuple[int, ...] = defaults.HIDDEN
    mlp: tuple[int, ...] = defaults.MLP
    lr: float = defaults.LR
    epochs: int = defaults.EPOCHS
    seed: int = 0
    device: str = "auto"
    warmup: int = 0
    balance_weight: str = "adaptive"
    batch_nodes: int | None = None
    stop: str = "epochs"
    normalize: str = "auto"
    init: str = "random"

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name))
        if self.stop == "plateau" and self.batch_nodes is not None:
            raise ConfigError("stop=plateau needs full-batch training (a mini-batch loss is too noisy to plateau); "
                              "leave batch_nodes empty or use stop=epochs.")
        if self.init == "spectral" and self.batch_nodes is not None:
            raise ConfigError("init=spectral needs full-batch training (the start follows a partition of the whole "
                              "graph); leave batch_nodes empty or use init=random.")


    # ---------------------------------------------------------------- dict / JSON
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        out = asdict(self)
        out["hidden"], out["mlp"] = list(self.hidden), list(self.mlp)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RunConfig":
        """Build from a dict, rejecting unknown keys and values of the wrong type or range."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"Unknown configuration keys {sorted(unknown)}; remove them.")
        values = {name: _parse(name, value) for name, value in data.items()}
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> "RunConfig":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"The configuration is not valid JSON ({err.msg} at line {err.lineno}).") from None
        if not isinstance(data, dict):
            raise ConfigError("The configuration JSON must be an object of settings.")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "RunConfig":
        """A copy with some settings changed (validated)."""
        return RunConfig.from_dict({**self.to_dict(), **changes})

    # ---------------------------------------------------------------- URL query
    def to_query(self) -> dict[str, str]:
        """URL query parameters (strings), with the schema version ``v``; an optional field left at ``None`` is left
        out (a link without it reads it as its default, ``None``)."""
        query = {"v": QUERY_VERSION}
        for name, value in self.to_dict().items():
            if value is None:
                continue
            query[name] = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, Any], base: "RunConfig | None" = None) -> tuple["RunConfig", list[str]]:
        """Read URL query parameters leniently: each bad or unknown value falls back to its default.

        Returns the configuration and one message per ignored parameter. A graph source that looks like a path
        is always rejected, so that a link can never make the server read a file.
        """
        config = base or cls()
        messages: list[str] = []
        good: dict[str, Any] = {}
        unknown: list[str] = []
        names = {f.name for f in fields(cls)}
        for key, raw in query.items():
            value = raw[-1] if isinstance(raw, (list, tuple)) else raw
            if key in ("v", "classroom", "page"):
                continue
            if key not in names:
                unknown.append(str(key))
                continue
            try:
                good[key] = _parse(key, value)
                _check(key, good[key])
                if key == "graph":
                    _check_link_source(good[key])
            except ConfigError as err:
                good.pop(key, None)
                messages.append(f"Ignored the link parameter {key}={str(value)[:40]!r}: {err}")
        if unknown:  # one message however many: a link cannot flood the page
            shown = ", ".join(repr(k[:20]) for k in unknown[:3]) + (", ..." if len(unknown) > 3 else "")
            messages.append(f"Ignored {len(unknown):,} unknown link parameter(s): {shown}.")
        try:
            check_model_budget(good.get("hidden", config.hidden), good.get("mlp", config.mlp),
                               good.get("clusters", config.clusters))
        except ConfigError as err:  # the widths a link asks for would not fit in memory: keep the defaults
            dropped = [key for key in ("hidden", "mlp") if good.pop(key, None) is not None]
            messages.append(f"Ignored the link parameters {' and '.join(dropped) or 'hidden'}: {err}")
        try:
            return config.replace(**good), messages
        except ConfigError as err:  # a combination that is invalid as a whole
            return config, [*messages, f"Ignored the link's settings: {err}"]

    # ---------------------------------------------------------------- command line
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
        """Add one ``--flag`` per field (``--clusters``, ``--balance-weight``, ...) with the defaults of this class and
        the choices of its spec; a field with an underscore is also accepted as ``--balance_weight`` (not listed)."""
        default = cls()
        for f in fields(cls):
            if f.name in skip:
                continue
            spec = SPECS[f.name]
            options: dict[str, Any] = dict(dest=f.name, default=None, choices=spec.choices)
            parser.add_argument(
                f"--{f.name.replace('_', '-')}", metavar=None if spec.choices else f.name.upper(), **options,
                help=f"{spec.help} (default: {_format(getattr(default, f.name))})",
            )
            if "_" in f.name:
                parser.add_argument(f"--{f.name}", help=argparse.SUPPRESS, **options)

    @classmethod
    def from_args(cls, args: argparse.Namespace, base: "RunConfig | None" = None) -> "RunConfig":
        """Build from parsed flags; flags left out keep the value of ``base`` (or the default)."""
        base = base or cls()
        changes = {f.name: getattr(args, f.name) for f in fields(cls) if getattr(args, f.name, None) is not None}
        return base.replace(**{k: _parse(k, v) for k, v in changes.items()})


_KINDS = {"int": "int", "float": "float", "tuple[int, ...]": "ints"}
#: Every field's spec (type, default, range or choices, help), in field order.
SPECS: dict[str, ParamSpec] = {
    f.name: replace(declared, type=_KINDS.get(str(f.type).removesuffix(" | None"), "str"), default=f.default,
                    optional=str(f.type).endswith(" | None"))
    for f, declared in zip(fields(RunConfig), _DECLARED)
}


def _format(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _parse(name: str, value: Any) -> Any:
    """Convert a value (possibly a string from a URL or the command line) to the field's type."""
    kind = SPECS[name].type
    try:
        if value is None or isinstance(value, str) and value.strip().lower() in ("", "none"):
            if SPECS[name].optional:  # None, or "None" from a URL, is an optional field's "not set"
                return None
        if kind == "ints":
            if isinstance(value, str):
                parts = [p for p in value.split(",") if p.strip()]
                return tuple(int(p) for p in parts)
            return tuple(int(v) for v in value)
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if number != int(number):
                raise ValueError
            return int(number)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if not isinstance(value, str):
            raise ValueError
        return value
    except (TypeError, ValueError, OverflowError):
        expected = {"tuple[int, ...]": "comma-separated integers", "int": "an integer", "float": "a number"}
        raise ConfigError(f"{name} must be {expected.get(str(kind), 'text')}, got {str(value)[:40]!r}.") from None


def _check_link_source(source: str) -> None:
    """A graph named by a link must be a sample, generator or dataset name, never a path on the server."""
    if not _LINK_SOURCE.match(source) or ".." in source:
        raise ConfigError("a link may name only a sample, generator or dataset (e.g. karate, sbm:..., pyg:Cora), "
                          "never a file.")


def _check(name: str, value: Any) -> None:
    spec = SPECS[name]
    spec.check_type(value)
    spec.check_choice(value)
    if name == "graph" and not value:
        raise ConfigError("graph must name a graph source, e.g. karate.")
    numbers = value if isinstance(value, tuple) else (value,) if isinstance(value, (int, float)) else ()
    if name == "hidden" and not value:
        raise ConfigError("hidden needs at least one GTVConv layer width, e.g. 512,512.")
    if isinstance(value, tuple) and len(value) > 8:
        raise ConfigError(f"{name} allows at most 8 layers, got {len(value)}.")
    for number in numbers:
        spec.check_number(number)
