"""The ``gtvviz`` command: headless runs, benchmarks and the app.

Each subcommand lives in its own module with ``register(subparsers)``, which adds its parser and sets
``func(args) -> int`` (and ``passes_options=True`` when the options it does not know go on to another program,
as ``gtvviz app`` passes them to Streamlit, in ``args.passed_options``). Flags are spelled with hyphens
(``--balance-weight``); the underscore spelling of a configuration field (``--balance_weight``) is accepted too.
Every input error (a :class:`gtvviz.errors.GtvvizError`, and the operating system's
refusals of a file or of memory) ends the command with exit status 2 and one line on stderr, never a traceback:
Python's and PyG's warnings are silenced, and control characters in a message are escaped
(:func:`gtvviz.cli.output.terminal_text`).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Sequence

from gtvviz import __version__
from gtvviz.cli import app, classify, cluster, compare
from gtvviz.cli.output import terminal_text
from gtvviz.errors import GtvvizError

SUBCOMMANDS = (cluster, compare, classify, app)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (exit 2) instead of the full usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"gtvviz: error: {terminal_text(message)} (see 'gtvviz --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gtvviz", description="Total Variation Graph Neural Networks: cluster, compare, classify, "
                                                 "and the app.")
    parser.add_argument("--version", action="version", version=f"gtvviz {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gtvviz`` console script and of ``python -m gtvviz``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # library remarks (PyG, torch, scipy) would break the one-line promise
        parser = build_parser()
        try:
            args, unknown = parser.parse_known_args(argv)
            if unknown and not getattr(args, "passes_options", False):
                parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        except SystemExit as exit_:  # usage errors (status 2), --help and --version (0) return instead of exiting
            return int(exit_.code or 0)
        args.passed_options = unknown
        try:
            return int(args.func(args))
        except GtvvizError as err:
            return _fail(str(err))
        except OSError as err:  # a path the operating system refuses (too long, a device, no permission)
            name = str(err.filename or "")
            where = f"{name if len(name) <= 80 else name[:38] + '...' + name[-38:]} " if name else ""
            return _fail(f"{where}cannot be used ({err.strerror or err}); check the path.")
        except MemoryError:
            return _fail("the input needs more memory than this machine has; use a smaller graph or settings.")
        except KeyboardInterrupt:
            print("gtvviz: interrupted", file=sys.stderr)
            return 130


def _fail(message: str) -> int:
    """Report an input error on one line of stderr; exit status 2."""
    print(f"gtvviz: error: {terminal_text(message)}", file=sys.stderr)
    return 2
