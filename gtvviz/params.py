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
    """

    name: str
    type: str
    default: Any
    low: float | None = None
    high: float | None = None
    help: str = ""
    choices: tuple[str, ...] | None = None
    open_bounds: bool = False

    def check_number(self, number: float) -> None:
        """Raise :class:`ConfigError` unless ``number`` is finite and in range."""
        if not math.isfinite(number):
            raise ConfigError(f"{self.name} must be a finite number, got {number}.")
        low, high = self.low, self.high
        if self.open_bounds:
            below, above = low is not None and number <= low, high is not None and number >= high
        else:
            below, above = low is not None and number < low, high is not None and number > high
        if not (below or above):
            return
        if low is not None and high is not None:
            interval = f"in ({low:g}, {high:g})" if self.open_bounds else f"between {low:g} and {high:g}"
            raise ConfigError(f"{self.name} must be {interval}, got {number:g}.")
        if low is not None:
            bound = f"greater than {low:g}" if self.open_bounds else f"at least {low:g}"
        else:
            bound = f"less than {high:g}" if self.open_bounds else f"at most {high:g}"
        raise ConfigError(f"{self.name} must be {bound}, got {number:g}.")

    def check_choice(self, value: Any) -> None:
        """Raise :class:`ConfigError` unless ``value`` is one of :attr:`choices` (when there are choices)."""
        if self.choices is not None and value not in self.choices:
            raise ConfigError(f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}.")
