"""The exception types that gtvviz raises for bad input, and the warning it gives for input it repaired.

Every error a user can cause derives from :class:`GtvvizError`, so that a caller can catch all of them in
one place, and from :class:`ValueError`, so that generic code that expects ``ValueError`` keeps working.
Each message is one sentence that says what is wrong and how to fix it.
"""

from __future__ import annotations


class GtvvizError(ValueError):
    """Base class of every input error raised by gtvviz."""


class GraphFormatError(GtvvizError):
    """A graph (a file, an upload, a container or a dataset) is malformed, unsafe or too large."""


class ConfigError(GtvvizError):
    """A setting is impossible, for example fewer than two clusters or more clusters than nodes."""


class TrainingDivergedError(GtvvizError):
    """Training produced a non-finite loss or assignment; the last finite snapshot is kept."""


class OutputError(GtvvizError):
    """A result cannot be written where the user asked (a folder, a device, a missing folder, a full disk)."""


class DistributedRunError(GtvvizError):
    """A data-parallel run lost a process (or cannot start one): a collective failed or timed out on this rank."""


class GraphRepairWarning(UserWarning):
    """An input graph was repaired while it was built: self-loops or zero-weight edges dropped, duplicate edges
    merged, one-way edges symmetrised, unequal weights of the two directions averaged. The graph is usable; the
    message says what changed, and :attr:`gtvviz.Graph.warnings` keeps it. Silence it with
    ``warnings.simplefilter("ignore", GraphRepairWarning)``; the command line prints each one on stderr instead."""


class PartialCollapseWarning(UserWarning):
    """A clustering ended with fewer clusters used than asked for, or with one cluster holding nearly every node
    (:func:`gtvviz.partial_collapse.partial_collapse`): communities share a cluster. The result is usable; the
    message says how many clusters are used and what to try. Silence it with
    ``warnings.simplefilter("ignore", PartialCollapseWarning)``; the command line reports it in its summary line."""
