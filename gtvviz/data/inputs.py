"""Read the bytes of one input (a path, bytes or a file-like object) within the size limits.

Inputs are read into memory and parsed from there, so an upload is never written to disk at all. Only the path
the caller names is read: no reader follows a path found inside a file.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import IO, Iterator, Union

from gtvviz.data.limits import MAX_FILE_BYTES, MAX_UPLOAD_BYTES, check_byte_size
from gtvviz.data.records import Origin
from gtvviz.errors import GraphFormatError

#: What :func:`read_input` accepts: a path, the bytes of a file, or an open binary or text file.
Input = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], IO[str]]


def is_path(source: object) -> bool:
    """Whether ``source`` names a file (rather than holding its contents)."""
    return isinstance(source, (str, os.PathLike))


def read_input(source: Input, filename: str | None = None) -> tuple[bytes, Origin]:
    """Return the contents of ``source`` and where they came from.

    Args:
        source: a path, bytes, or a file-like object with ``read()``.
        filename: the file name of bytes or a file-like object (e.g. an upload's name), used in messages and
            to infer the format; ignored for paths.
    """
    if is_path(source):
        return _read_path(Path(source))  # type: ignore[arg-type]
    name = filename or str(getattr(source, "name", "") or "upload")
    name = Path(name).name or "upload"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        try:
            data = source.read(MAX_UPLOAD_BYTES + 1)  # type: ignore[union-attr]
        except (OSError, ValueError) as err:
            raise GraphFormatError(f"{name}: the upload could not be read ({err}); upload the file again.") from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes):
            raise GraphFormatError(f"{name}: reading the upload gave {type(data).__name__}, not bytes.")
    else:
        raise GraphFormatError(
            f"Cannot read a graph from a {type(source).__name__}; pass a file path, bytes or an open file."
        )
    check_byte_size(len(data), MAX_UPLOAD_BYTES, f"upload {name}")
    return data, Origin(name, f"upload {name}")


def _read_path(path: Path) -> tuple[bytes, Origin]:
    """Read a regular file, at most :data:`MAX_FILE_BYTES` + 1 bytes whatever ``stat`` reports.

    The file is opened without blocking and checked on its open descriptor, so a FIFO, a device or a folder is
    refused before a byte is read (and cannot be swapped in after the check).
    """
    shown = _shown_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise GraphFormatError(f"{shown}: no such file; check the path and the working directory.") from None
    except IsADirectoryError:
        raise GraphFormatError(f"{shown} is a folder, not a graph file; name one file inside it.") from None
    except OSError as err:
        raise GraphFormatError(f"{shown}: the file could not be opened ({err.strerror}); check the path.") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise GraphFormatError(f"{shown} is a folder, not a graph file; name one file inside it.")
        if not stat.S_ISREG(mode):
            raise GraphFormatError(
                f"{shown} is not a regular file (a device, FIFO or socket), so it is not read; name a graph file."
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise GraphFormatError(
            f"{shown}: the file could not be read ({err.strerror}); check its permissions."
        ) from None
    finally:
        os.close(fd)
    check_byte_size(len(data), MAX_FILE_BYTES, f"file {path.name[:60]}")
    return data, Origin(path.name, f"file {path.resolve()}")


def _shown_path(path: Path) -> str:
    """The path for a message, shortened to 80 characters."""
    text = str(path)
    return text if len(text) <= 80 else text[:38] + "..." + text[-38:]


def text_lines(data: bytes, chunk_bytes: int = 1 << 22) -> Iterator[str]:
    """The lines of a UTF-8 file (each ending in its ``\\n``, as a text file iterates), decoded a chunk of
    about ``chunk_bytes`` at a time so that a large file is never held a second time as text; the errors of
    :func:`decode_text`, raised when the reader reaches the offending chunk (an empty file: at the end)."""
    start, lines_before, seen_text = 0, 0, False
    while start < len(data):
        cut = data.find(b"\n", start + chunk_bytes)
        end = len(data) if cut < 0 else cut + 1
        chunk = data[start:end]  # a newline byte never occurs inside a UTF-8 sequence, so chunks decode alone
        try:
            text = chunk.decode("utf-8-sig" if start == 0 else "utf-8")
        except UnicodeDecodeError as err:
            line = lines_before + chunk[: err.start].count(b"\n") + 1
            raise GraphFormatError(
                f"it is not UTF-8 text (undecodable byte at line {line}); save it as UTF-8 or pick the right format."
            ) from None
        if "\x00" in text:
            raise GraphFormatError("it contains NUL bytes, so it is binary, not text; pick the right format.")
        seen_text = seen_text or bool(text.strip())
        yield from io.StringIO(text)
        lines_before += chunk.count(b"\n")
        start = end
    if not seen_text:
        raise GraphFormatError("the file is empty; it must contain a graph.")


def decode_text(data: bytes) -> str:
    """The text of a UTF-8 file (a byte-order mark is allowed); an empty or binary file is an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise GraphFormatError(
            f"it is not UTF-8 text (undecodable byte at line {line}); save it as UTF-8 or pick the right format."
        ) from None
    if "\x00" in text:
        raise GraphFormatError("it contains NUL bytes, so it is binary, not text; pick the right format.")
    if not text.strip():
        raise GraphFormatError("the file is empty; it must contain a graph.")
    return text
