"""One dataclass for a clustering run that round-trips through JSON, command-line flags and URL queries.

A run is reproducible from its :class:`RunConfig` alone (the seed included). Every field has a declared range;
values from outside (a URL, a JSON file, the command line) are validated against it, and a URL can never name a
file on the server (the graph source must be a sample, generator or dataset name).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from gtvviz.errors import ConfigError
from gtvviz.nn.losses import BALANCE_WEIGHTS

#: Version of the URL query schema written by :meth:`RunConfig.to_query`.
QUERY_VERSION = "1"
DEVICES = ("auto", "cpu", "cuda", "mps")
METHODS = ("tvgnn", "mincut", "dmon", "spectral", "kmeans")
#: A graph a link may name: a sample (``karate``), or a generator or dataset (``sbm:sizes=50-50``, ``pyg:Cora``).
_LINK_SOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}(:[A-Za-z0-9_.,=\-]{0,200})?$")


@dataclass(frozen=True)
class FieldSpec:
    """Allowed values of one configuration field."""

    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""


SPECS: dict[str, FieldSpec] = {
    "graph": FieldSpec(help="graph source: a sample name, generator spec or pyg:NAME"),
    "clusters": FieldSpec(2, 1000, help="number of clusters K (>= 2)"),
    "method": FieldSpec(choices=METHODS, help="clustering method"),
    "alpha1": FieldSpec(0.0, 100.0, help="weight of the GTV term"),
    "alpha2": FieldSpec(0.0, 100.0, help="weight of the asymmetric-norm balance term"),
    "delta": FieldSpec(0.0, 10.0, help="GTVConv delta_coeff (= 2 delta of the paper)"),
    "eps": FieldSpec(1e-8, 1.0, help="GTVConv lower bound of the l1 distance"),
    "hidden": FieldSpec(1, 4096, help="GTVConv widths, comma separated"),
    "mlp": FieldSpec(1, 4096, help="hidden widths of the assignment MLP, comma separated (may be empty)"),
    "lr": FieldSpec(1e-6, 1.0, help="Adam learning rate"),
    "epochs": FieldSpec(1, 100_000, help="number of training epochs"),
    "seed": FieldSpec(0, 2**31 - 1, help="random seed"),
    "device": FieldSpec(choices=DEVICES, help="device: auto, cpu, cuda or mps"),
    "warmup": FieldSpec(0, 100_000, help="epochs over which the GTV weight ramps up from 0 (0 = reference)"),
    "balance_weight": FieldSpec(choices=BALANCE_WEIGHTS, help="balance weight for the gradient: adaptive (raised "
                                "once a run has sat at the uniform assignment for 50 epochs, so that it leaves it) "
                                "or fixed (alpha2, the reference)"),
    "batch_nodes": FieldSpec(2.0, 1e8, help="train on mini-batches of about this many nodes (None = full "
                             "batch; see gtvviz.scale)"),
}


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one clustering run. Defaults: the authors' Cora configuration on the karate club, with
    the adaptive balance weight of :class:`~gtvviz.nn.losses.AsymCheegerCutObjective` (``balance_weight="fixed"``
    is exactly the reference)."""

    graph: str = "karate"
    clusters: int = 2
    method: str = "tvgnn"
    alpha1: float = 0.785
    alpha2: float = 0.514
    delta: float = 0.311
    eps: float = 1e-3
    hidden: tuple[int, ...] = (512, 512)
    mlp: tuple[int, ...] = (256,)
    lr: float = 1e-3
    epochs: int = 500
    seed: int = 0
    device: str = "auto"
    warmup: int = 0
    balance_weight: str = "adaptive"
    batch_nodes: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name))

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
        """URL query parameters (strings), with the schema version ``v``."""
        query = {"v": QUERY_VERSION}
        for name, value in self.to_dict().items():
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
        names = {f.name for f in fields(cls)}
        for key, raw in query.items():
            value = raw[-1] if isinstance(raw, (list, tuple)) else raw
            if key in ("v", "classroom", "page"):
                continue
            if key not in names:
                messages.append(f"Ignored the unknown link parameter {key!r}.")
                continue
            try:
                good[key] = _parse(key, value)
                _check(key, good[key])
                if key == "graph":
                    _check_link_source(good[key])
            except ConfigError as err:
                good.pop(key, None)
                messages.append(f"Ignored the link parameter {key}={str(value)[:40]!r}: {err}")
        try:
            return config.replace(**good), messages
        except ConfigError as err:  # a combination that is invalid as a whole
            return config, [*messages, f"Ignored the link's settings: {err}"]

    # ---------------------------------------------------------------- command line
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
        """Add one ``--flag`` per field (``--clusters``, ``--alpha1``, ...) with the defaults of this class."""
        default = cls()
        for f in fields(cls):
            if f.name in skip:
                continue
            spec = SPECS[f.name]
            dashed = [f"--{f.name.replace('_', '-')}"] if "_" in f.name else []  # --batch-nodes as --batch_nodes
            parser.add_argument(
                f"--{f.name}", *dashed, dest=f.name, default=None, metavar=f.name.upper(),
                help=f"{spec.help} (default: {_format(getattr(default, f.name))})",
            )

    @classmethod
    def from_args(cls, args: argparse.Namespace, base: "RunConfig | None" = None) -> "RunConfig":
        """Build from parsed flags; flags left out keep the value of ``base`` (or the default)."""
        base = base or cls()
        changes = {f.name: getattr(args, f.name) for f in fields(cls) if getattr(args, f.name, None) is not None}
        return base.replace(**{k: _parse(k, v) for k, v in changes.items()})


def _format(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _parse(name: str, value: Any) -> Any:
    """Convert a value (possibly a string from a URL or the command line) to the field's type."""
    kind = {f.name: f.type for f in fields(RunConfig)}[name]
    try:
        if kind == "int | None":  # None, or "None" from a URL, is the field's default
            if value is None or isinstance(value, str) and value.strip().lower() in ("", "none"):
                return None
            kind = "int"
        if kind == "tuple[int, ...]":
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
    if spec.choices is not None and value not in spec.choices:
        raise ConfigError(f"{name} must be one of {', '.join(spec.choices)}, got {value!r}.")
    if name == "graph" and not value:
        raise ConfigError("graph must name a graph source, e.g. karate.")
    numbers = value if isinstance(value, tuple) else (value,) if isinstance(value, (int, float)) else ()
    if name == "hidden" and not value:
        raise ConfigError("hidden needs at least one GTVConv layer width, e.g. 512,512.")
    if isinstance(value, tuple) and len(value) > 8:
        raise ConfigError(f"{name} allows at most 8 layers, got {len(value)}.")
    for number in numbers:
        if number != number or number in (float("inf"), float("-inf")):
            raise ConfigError(f"{name} must be a finite number, got {number}.")
        if spec.low is not None and number < spec.low or spec.high is not None and number > spec.high:
            raise ConfigError(f"{name} must be between {spec.low:g} and {spec.high:g}, got {number:g}.")
