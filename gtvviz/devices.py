"""Devices: resolve a device name, list the devices present, and tell a device's failure from a run's."""

from __future__ import annotations

import torch

from gtvviz.defaults import DEVICES
from gtvviz.errors import ConfigError


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def resolve_device(device: str) -> torch.device:
    """``auto`` picks CUDA, then MPS, then CPU; an explicit device that is absent raises :class:`ConfigError`."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("CUDA was asked for but no CUDA GPU is available; use --device cpu or auto.")
    if device == "mps" and not _mps_available():
        raise ConfigError("MPS was asked for but is not available on this machine; use --device cpu or auto.")
    if device not in DEVICES:
        raise ConfigError(f"Unknown device {device!r}; choose auto, cpu, cuda or mps.")
    return torch.device(device)


def available_devices() -> list[str]:
    """Devices present on this machine, CPU always included."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if _mps_available():
        devices.append("mps")
    return devices


#: Errors that mean a device ran out of memory (``torch.cuda.OutOfMemoryError`` is ``torch.OutOfMemoryError``).
OUT_OF_MEMORY_ERRORS: tuple[type[BaseException], ...] = tuple(
    {getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None)} - {None})


def is_device_error(error: BaseException, device: torch.device | str) -> bool:
    """Whether ``error``, raised by a training step on ``device``, is the device's fault rather than the run's: an
    out-of-memory error, or a ``RuntimeError`` (CUDA, MPS or driver error) on a device other than the CPU. Such a
    run can go on elsewhere, e.g. ``trainer.to("cpu")``."""
    if isinstance(error, OUT_OF_MEMORY_ERRORS):
        return True
    return isinstance(error, RuntimeError) and torch.device(device).type != "cpu"
