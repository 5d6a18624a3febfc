"""Input validation shared by models and scorers (clear errors, one place)."""

from __future__ import annotations

import numpy as np
import torch

from .errors import BadInput


def check_images(x, channels: int | None = None, size: int | None = None, name: str = "x") -> torch.Tensor:
    """Return ``x`` as a float tensor B×C×H×W of integer pixel values in 0..255, or raise BadInput.

    Accepts uint8 tensors (the library's convention) and float/int tensors that hold
    integer values in 0..255. Rejects NaNs, [0, 1]-scaled floats, wrong ranks and sizes.
    """
    if not isinstance(x, torch.Tensor):
        raise BadInput(f"{name} must be a torch.Tensor of uint8 images B×C×H×W, got {type(x).__name__}; "
                       "use torch.as_tensor(array) and permute N×H×W×C arrays to N×C×H×W")
    if x.dim() != 4:
        raise BadInput(f"{name} must have 4 dimensions B×C×H×W, got shape {tuple(x.shape)}; "
                       "add a batch axis with x.unsqueeze(0) or a channel axis with x.unsqueeze(1)")
    if channels is not None and x.shape[1] != channels:
        raise BadInput(f"{name} has {x.shape[1]} channels but the model expects {channels} "
                       f"(shape {tuple(x.shape)}); load the data with channels={channels} "
                       "or permute N×H×W×C to N×C×H×W")
    if size is not None and tuple(x.shape[2:]) != (size, size):
        raise BadInput(f"{name} is {x.shape[2]}×{x.shape[3]} but the model expects {size}×{size}; "
                       f"load the data with size={size}")
    if x.dtype == torch.uint8:
        return x.float()
    if x.dtype == torch.bool or x.is_complex():
        raise BadInput(f"{name} has dtype {x.dtype}; expected uint8 pixel values 0..255")
    xf = x.float()
    if torch.isnan(xf).any():
        raise BadInput(f"{name} contains NaN values; expected uint8 pixel values 0..255")
    if xf.numel() and (xf.min() < 0 or xf.max() > 255):
        raise BadInput(f"{name} has values in [{xf.min().item():.3g}, {xf.max().item():.3g}]; "
                       "expected pixel values 0..255 (uint8)")
    if xf.numel() and not torch.equal(xf, xf.round()):
        hint = " — it looks scaled to [0, 1]; pass (x * 255).round().to(torch.uint8)" if xf.max() <= 1 else ""
        raise BadInput(f"{name} holds non-integer values{hint}; expected uint8 pixel values 0..255")
    return xf


def check_scores(s, name: str = "scores"):
    """Return a 1-D float64 numpy array of finite scores, or raise BadInput."""
    if isinstance(s, torch.Tensor):
        s = s.detach().cpu().numpy()
    a = np.asarray(s, dtype=np.float64)
    if a.ndim != 1:
        raise BadInput(f"{name} must be 1-D (one score per sample), got shape {a.shape}")
    if a.size == 0:
        raise BadInput(f"{name} is empty; need at least one score")
    if not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        raise BadInput(f"{name} has {bad} NaN/inf values; a scorer must return finite scores "
                       "(check the model's inputs and numerical stability)")
    return a
