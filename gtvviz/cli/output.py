"""Helpers shared by the subcommands: progress bars on stderr and JSON output."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm


def progress_bar(total: int, desc: str) -> tqdm:
    """A progress bar on stderr (stdout stays clean for ``--json -``)."""
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True,
                disable=None)  # None: hidden when stderr is not a terminal


def write_json(result: Any, target: str | None) -> None:
    """Write ``result`` as JSON to ``target`` (``-`` is stdout); nothing when ``target`` is ``None``. Undefined
    numbers (NaN, infinities) become ``null``, so that any JSON reader accepts the file."""
    if target is None:
        return
    text = json.dumps(_strict(result), indent=2, default=_jsonable, allow_nan=False)
    if target == "-":
        print(text)
    else:
        Path(target).write_text(text + "\n")


def _strict(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    return value


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy and torch scalars and arrays
        return _strict(value.tolist())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
