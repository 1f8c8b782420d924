"""Helpers shared by the subcommands: progress bars on stderr and JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm


def progress_bar(total: int, desc: str) -> tqdm:
    """A progress bar on stderr (stdout stays clean for ``--json -``)."""
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True,
                disable=None)  # None: hidden when stderr is not a terminal


def write_json(result: Any, target: str | None) -> None:
    """Write ``result`` as JSON to ``target`` (``-`` is stdout); nothing when ``target`` is ``None``."""
    if target is None:
        return
    text = json.dumps(result, indent=2, default=_jsonable)
    if target == "-":
        print(text)
    else:
        Path(target).write_text(text + "\n")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
