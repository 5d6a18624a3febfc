"""Ren et al.'s input perturbation for the Likelihood Ratio background model.

Each sub-pixel is replaced with probability μ; a replaced value becomes (x + u) mod 256 with
u ~ U{0, …, 255}, i.e. a uniformly random 8-bit value (Ren et al. 2019, §4; REFERENCE_NOTES).
"""

from __future__ import annotations

import torch

from ..errors import BadInput


def perturb(x: torch.Tensor, mu: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return a perturbed copy of uint8 images ``x``: each sub-pixel replaced with probability ``mu``."""
    if x.dtype != torch.uint8:
        raise BadInput(f"perturb expects uint8 images, got {x.dtype}")
    if not 0.0 <= mu <= 1.0:
        raise BadInput(f"perturbation rate mu must lie in [0, 1], got {mu}")
    mask = torch.rand(x.shape, generator=generator, device=x.device) < mu
    shift = torch.randint(0, 256, x.shape, generator=generator, device=x.device, dtype=torch.int16)
    replaced = ((x.to(torch.int16) + shift) % 256).to(torch.uint8)
    return torch.where(mask, replaced, x)
