"""Where models run: ``$OODLIB_DEVICE`` if set, else CUDA when available, else the CPU."""

import os

import torch


def default_device() -> torch.device:
    """Return the device models are trained and evaluated on."""
    name = os.environ.get("OODLIB_DEVICE")
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def module_device(module: torch.nn.Module) -> torch.device:
    """Return the device of a module's first parameter (the CPU for a module without any)."""
    p = next(module.parameters(), None)
    return p.device if p is not None else torch.device("cpu")
