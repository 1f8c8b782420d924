"""Helpers shared by the subcommands: progress bars on stderr, JSON and CSV output, checked paths and safe terminal
text."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from gtvviz.errors import ConfigError, OutputError
from gtvviz.graph import Graph

#: Control characters (C0 but tab, DEL, C1) that would move the cursor, recolour or retitle a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
#: Largest configuration file ``--config`` reads.
MAX_CONFIG_BYTES = 1024**2


def terminal_text(text: str) -> str:
    """``text`` with every control character (ANSI escapes, newlines, carriage returns) written as ``\\xNN``,
    so that a name taken from a file cannot rewrite the terminal and a message stays on one line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def check_output_path(target: str | None, flag: str) -> None:
    """Refuse an output path that cannot take a file, before any work starts (``-`` is stdout).

    Raises:
        OutputError: for a folder, a device or FIFO, a path whose folder does not exist or is not writable.
    """
    if target is None or target == "-":
        return
    path = Path(target)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise OutputError(f"{flag} {_short(target)} cannot be used ({err.strerror}); name a file path.") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"{flag} {_short(target)} is a folder; name a file inside it.")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"{flag} {_short(target)} is not a regular file (a device or FIFO); name a file path.")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            f"{flag} {_short(target)}: the folder {_short(str(folder))} does not exist; create it first."
        )
    if not os.access(path if mode is not None else folder, os.W_OK):
        raise OutputError(f"{flag} {_short(target)} is not writable; check the permissions or name another path.")


def read_config_file(target: str) -> str:
    """The text of a ``--config`` file: a regular UTF-8 file of at most :data:`MAX_CONFIG_BYTES`."""
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise ConfigError(f"--config {_short(target)} cannot be opened ({err.strerror}); name a JSON file.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"--config {_short(target)} is not a regular file; name a JSON file.")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"--config {_short(target)} cannot be read ({err.strerror}); name a JSON file.") from None
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"--config {_short(target)} is larger than {MAX_CONFIG_BYTES // 1024**2} MB; name a JSON file."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"--config {_short(target)} is not UTF-8 text; name a JSON configuration file.") from None


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:38] + "..." + text[-38:]


def progress_bar(total: int, desc: str) -> tqdm:
    """A progress bar on stderr (stdout stays clean for ``--json -``)."""
    return tqdm(total=total, desc=terminal_text(desc), file=sys.stderr, leave=False, dynamic_ncols=True,
                disable=None)  # None: hidden when stderr is not a terminal


def write_json(result: Any, target: str | None) -> None:
    """Write ``result`` as JSON to ``target`` (``-`` is stdout); nothing when ``target`` is ``None``. Undefined
    numbers (NaN, infinities) become ``null``, so that any JSON reader accepts the file."""
    if target is None:
        return
    text = json.dumps(_strict(result), indent=2, default=_jsonable, allow_nan=False)
    if target == "-":
        print(text)
        return
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as err:
        raise OutputError(
            f"Cannot write the result to {_short(target)} ({err.strerror or err}); name another path."
        ) from None


def write_assignments_csv(graph: Graph, s: np.ndarray, target: str) -> None:
    """Write one row per node to ``target`` (``-`` is stdout): ``node`` (index), ``name``, ``label`` (ground truth, empty when
    unknown), ``cluster`` (:math:`\\arg\\max_k s_{ik}`), ``confidence`` (:math:`\\max_k s_{ik}`) and the soft
    assignment ``s_0 .. s_{K-1}``: the columns of the app's "Assignments CSV"."""
    y = graph.y.tolist() if graph.y is not None else [-1] * graph.num_nodes
    header = ["node", "name", "label", "cluster", "confidence", *(f"s_{k}" for k in range(s.shape[1]))]
    rows = ([i, graph.node_name(i), truth if truth >= 0 else "", int(row.argmax()), row.max(), *row]
            for i, (row, truth) in enumerate(zip(s, y)))
    if target == "-":
        csv.writer(sys.stdout, lineterminator="\n").writerows([header, *rows])
        return
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
    except OSError as err:
        raise OutputError(
            f"Cannot write the assignments to {_short(target)} ({err.strerror or err}); name another path."
        ) from None


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
