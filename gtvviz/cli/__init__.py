"""The ``gtvviz`` command: headless runs and benchmarks.

Each subcommand lives in its own module with ``register(subparsers)``, which adds its parser and sets
``func(args) -> int``. Every input error (a :class:`gtvviz.errors.GtvvizError`) ends the command with exit
status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from gtvviz.cli import classify, cluster, compare
from gtvviz.errors import GtvvizError

SUBCOMMANDS = (cluster, compare, classify)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (exit 2) instead of the full usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"gtvviz: error: {message} (see 'gtvviz --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gtvviz", description="Total Variation Graph Neural Networks: cluster, compare, classify.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gtvviz`` console script and of ``python -m gtvviz``."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (status 2) and --help (status 0) return instead of exiting
        return int(exit_.code or 0)
    try:
        return int(args.func(args))
    except GtvvizError as err:
        print(f"gtvviz: error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"gtvviz: error: {err.filename or err} does not exist; check the path.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gtvviz: interrupted", file=sys.stderr)
        return 130
