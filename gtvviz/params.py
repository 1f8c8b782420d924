"""The one parameter-spec type: a named setting's type, default, range or choices and help.

:data:`gtvviz.config.SPECS` (the clustering run), the graph generators of :mod:`gtvviz.data.generators` and
:class:`gtvviz.classification.ClassifyConfig` declare their settings with it; the app's forms, the command line
and the link reader are generated from these declarations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gtvviz.errors import ConfigError


@dataclass(frozen=True)
class ParamSpec:
    """One setting.

    Attributes:
        name: the setting's name.
        type: ``"int"``, ``"float"``, ``"ints"`` (a tuple of ints) or ``"str"``.
        default: its default value.
        low, high: the allowed range of a number (``None``: unbounded on that side); with ``open_bounds`` the
            bounds themselves are excluded.
        help: one line for forms and ``--help``.
        choices: the allowed values of a ``"str"`` setting (``None``: any).
        open_bounds: exclude ``low`` and ``high`` themselves.
        optional: ``None`` is allowed too (the setting is off).
    """

    name: str
    type: str
    default: Any
    low: float | None = None
    high: float | None = None
    help: str = ""
    choices: tuple[str, ...] | None = None
    open_bounds: bool = False
    optional: bool = False

    def check_number(self, number: float) -> None:
        """Raise :class:`ConfigError` unless ``number`` is finite and in range."""
        if not math.isfinite(number):
            raise ConfigError(f"{self.name} must be a finite number, got {number}.")
        shown = _number(number)
        low, high = self.low, self.high
        if self.open_bounds:
            below, above = low is not None and number <= low, high is not None and number >= high
        else:
            below, above = low is not None and number < low, high is not None and number > high
        if not (below or above):
            return
        if low is not None and high is not None:
            interval = (f"in ({_number(low)}, {_number(high)})" if self.open_bounds
                        else f"between {_number(low)} and {_number(high)}")
            raise ConfigError(f"{self.name} must be {interval}, got {shown}.")
        if low is not None:
            bound = f"greater than {_number(low)}" if self.open_bounds else f"at least {_number(low)}"
        else:
            bound = f"less than {_number(high)}" if self.open_bounds else f"at most {_number(high)}"
        raise ConfigError(f"{self.name} must be {bound}, got {shown}.")

    def check_type(self, value: Any) -> None:
        """Raise :class:`ConfigError` unless ``value`` has this setting's Python type (``bool`` is not a number; an
        ``int`` is a valid float)."""
        if value is None and self.optional:
            ok = True
        elif self.type == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.type == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif self.type == "ints":
            ok = isinstance(value, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        else:
            ok = isinstance(value, str)
        if not ok:
            example = " such as (512, 512)" if self.type == "ints" else ""
            raise ConfigError(f"{self.name} must be {_KINDS[self.type]}{example}, got {str(value)[:40]!r} "
                              f"of type {type(value).__name__}.")

    def check_choice(self, value: Any) -> None:
        """Raise :class:`ConfigError` unless ``value`` is one of :attr:`choices` (when there are choices)."""
        if self.choices is not None and value not in self.choices:
            raise ConfigError(f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}.")


_KINDS = {"int": "an integer", "float": "a number", "str": "text", "ints": "a tuple of integers"}


def _number(value: float) -> str:
    """A bound or value for a message: integers in full with thousands separators, other numbers short."""
    if isinstance(value, int) or isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"
