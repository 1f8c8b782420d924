"""Baseline clustering methods behind the same Trainer interface as TVGNN (filled by the compare work)."""

from __future__ import annotations

BASELINE_BUILDERS: dict = {}
