"""The memory attacks of issue 15, each built here from nothing, run in a fresh interpreter:

    python tests/memory_attacks.py NAME [NAME ...]

prints one JSON line per attack: the error it ended with, its seconds, and the growth of the peak resident
memory above the interpreter's baseline (measured after importing gtvviz and one small warm-up run). The peak is
a high-water mark, so each figure bounds the memory of its own attack and of those before it.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["GTVVIZ_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402

from gtvviz.config import RunConfig  # noqa: E402
from gtvviz.data import load_graph  # noqa: E402
from gtvviz.methods import build_trainer  # noqa: E402
from gtvviz.metrics import acc, match_labels, nmi  # noqa: E402

torch.set_num_threads(1)
WIDE = ",".join(["4096"] * 8)


def _npy_header(shape: tuple[int, ...], dtype: str) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _npz(members: dict[str, np.ndarray | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in members.items():
            if isinstance(value, np.ndarray):
                raw = io.BytesIO()
                np.save(raw, value)
                value = raw.getvalue()
            archive.writestr(f"{key}.npy", value)
    return out.getvalue()


def _adjacency(n: int) -> dict[str, np.ndarray | bytes]:
    return {"adj_data": np.ones(2), "adj_indices": np.array([1, 0]), "adj_indptr": np.array([0, 1, 2] + [2] * (n - 2)),
            "adj_shape": np.array([n, n])}


def link_widths() -> None:
    """A link asking for eight layers of 4096 and the same MLP: it must fall back to the default widths."""
    config, messages = RunConfig.from_query({"graph": "karate", "hidden": WIDE, "mlp": WIDE})
    if config.hidden != RunConfig().hidden or not any("memory budget" in m for m in messages):
        raise AssertionError(f"the link kept its widths: {config.hidden}, {messages}")
    raise _Refused(messages[-1])


def wide_model_on_karate() -> None:
    build_trainer(load_graph("karate"), RunConfig.from_dict({"hidden": WIDE, "mlp": WIDE, "clusters": 2}))


def wide_model_on_grid() -> None:
    graph = load_graph("grid:width=100,height=100")
    build_trainer(graph, RunConfig.from_dict({"hidden": WIDE, "mlp": WIDE, "clusters": 4}))


def mtx_declares_five_million_nodes() -> None:
    """A 77-byte Matrix Market file declaring 4,999,999 nodes and 2 entries, then a run on it."""
    data = b"%%MatrixMarket matrix coordinate pattern general\n4999999 4999999 2\n1 2\n3 4\n"
    build_trainer(load_graph(data, name="tiny.mtx"), RunConfig(clusters=2))


def npz_declares_wide_features() -> None:
    """A small .npz whose CSR features declare attr_shape = [3, 99000000]."""
    load_graph(_npz({**_adjacency(3), "attr_data": np.ones(1), "attr_indices": np.array([0]),
                     "attr_indptr": np.array([0, 1, 1, 1]), "attr_shape": np.array([3, 99_000_000])}), name="a.npz")


def zip_bomb_bytes() -> bytes:
    """A .npz whose dense attr_matrix is 3 x 10^8 zeros (int8), deflated into about 300 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in _adjacency(3).items():
            raw = io.BytesIO()
            np.save(raw, value)
            archive.writestr(f"{key}.npy", raw.getvalue())
        with archive.open("attr_matrix.npy", "w", force_zip64=True) as member:
            member.write(_npy_header((3, 100_000_000), "|i1"))
            left, zeros = 300_000_000, bytes(16 * 1024**2)
            while left:
                member.write(zeros[: min(left, len(zeros))])
                left -= min(left, len(zeros))
    return out.getvalue()


def npz_zip_bomb(data: bytes) -> None:
    load_graph(data, name="bomb.npz")


def npz_header_claims_a_trillion() -> None:
    """A member whose header claims 10^12 float64 elements but holds 16 bytes."""
    lying = _npy_header((1_000_000_000_000,), "<f8") + bytes(16)
    load_graph(_npz({**_adjacency(3), "labels": lying}), name="liar.npz")


def json_wide_features() -> None:
    """Node-link JSON with 2 nodes of 10^6 features each (about 10 MB)."""
    row = "[" + ",".join(["0.5"] * 1_000_000) + "]"
    text = ('{"directed": false, "nodes": [{"id": 0, "x": ' + row + '}, {"id": 1, "x": ' + row + "}], "
            '"links": [{"source": 0, "target": 1}]}')
    load_graph(text.encode(), name="wide.json")


def generator_wide_features() -> None:
    """A generator source (a link may name one) asking for 100,000 nodes with 1,024 features each."""
    load_graph("csbm:n=100000,features=1024,degree=8")


def metrics_large_label() -> None:
    """Labels 10^4, 2^31 and 2^62 in the metrics: cost O(N + classes^2), not (largest label)^2."""
    truth = np.array([0, 10_000, 2**31, 2**62, 1, 1])
    clusters = np.array([0, 1, 2, 3, 4, 4])
    if not (acc(truth, clusters) == 1.0 and nmi(truth, clusters) == 1.0 and len(match_labels(truth, clusters)) == 5):
        raise AssertionError("the metrics of relabelled classes are wrong")
    raise _Refused("computed")


def json_large_label_run() -> None:
    """A 186-byte node-link JSON with one label 10000: loading and 20 epochs with metrics every epoch."""
    text = ('{"nodes": [{"id": 0, "y": 0}, {"id": 1, "y": 10000}, {"id": 2, "y": 0}, {"id": 3, "y": 10000}], '
            '"links": [{"source": 0, "target": 1}, {"source": 1, "target": 2}, {"source": 2, "target": 3}]}')
    graph = load_graph(text.encode(), name="label.json")
    build_trainer(graph, RunConfig(clusters=2, epochs=20, hidden=(8,), mlp=())).run()
    raise _Refused("ran")


class _Refused(Exception):
    """An attack that ended as it should without a GtvvizError (a fallback or a cheap computation)."""


ATTACKS: dict[str, Callable[..., None]] = {f.__name__: f for f in (
    link_widths, wide_model_on_karate, wide_model_on_grid, mtx_declares_five_million_nodes,
    npz_declares_wide_features, npz_zip_bomb, npz_header_claims_a_trillion, json_wide_features,
    generator_wide_features, metrics_large_label, json_large_label_run,
)}


#: Inputs built before the clock starts (building the zip bomb takes seconds of deflating).
PREPARE: dict[str, Callable[[], bytes]] = {"npz_zip_bomb": zip_bomb_bytes}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(names: list[str]) -> None:
    build_trainer(load_graph("karate"), RunConfig(clusters=2, epochs=2, hidden=(8,), mlp=())).run()  # warm-up
    baseline = _peak_mb()
    for name in names:
        inputs = [PREPARE[name]()] if name in PREPARE else []
        start = time.perf_counter()
        try:
            ATTACKS[name](*inputs)
            outcome = "accepted"
        except _Refused as done:
            outcome = f"ok: {done}"
        except Exception as err:  # the test checks which kind
            outcome = f"{type(err).__name__}: {err}"
        print(json.dumps({"attack": name, "outcome": outcome, "seconds": time.perf_counter() - start,
                          "mb_above_baseline": _peak_mb() - baseline}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(ATTACKS))
