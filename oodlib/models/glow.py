"""Multi-scale Glow (Kingma & Dhariwal 2018) with an unconditional N(0, I) prior per scale (Schirrmeister S1.3).

Scale k: squeeze, K steps of flow (ActNorm → invertible 1×1 conv → affine coupling), then, except at
the last scale, half of the channels leave as the latent z_k. Each z_k has its own standard normal
prior, so log p(x) splits into per-scale contributions
    c_k = log N(z_k; 0, I) + Σ_{steps of scale k} log|det| − D_k·log 256,
with D_k the sub-pixels in z_k (Σ_k D_k = D); Σ_k c_k = log p(x) on the 8-bit data (nats per image).
Input preprocessing as in y0ast/Glow-PyTorch: y − ½ with y the dequantised image (``flow_layers``).
Sizes per ROSE App. B.2: 2 scales × 16 steps, hidden 200 (Fashion-MNIST); 3 × 8, hidden 400 (CIFAR-10).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .flow_layers import (LOG_256, DequantizedFlow, GlowStep, InvConv1x1, dequantize, squeeze,
                          standard_normal_log_density, unsqueeze)


@dataclass(frozen=True)
class GlowConfig:
    """Architecture: ``levels`` scales of ``steps`` steps, coupling networks ``hidden`` channels wide."""

    channels: int = 1
    image_size: int = 32
    levels: int = 2
    steps: int = 16
    hidden: int = 200

    def to_dict(self) -> dict:
        return {"kind": "glow", **asdict(self)}


class Glow(DequantizedFlow):
    """Glow on uint8 images; ``log_prob`` in nats per image, deterministic in eval mode (midpoint dequantisation)."""

    def __init__(self, config: GlowConfig = GlowConfig()):
        super().__init__()
        c, s = config.channels, config.image_size
        if s % (2 ** config.levels):
            raise ValueError(f"image_size {s} must be divisible by 2**levels = {2 ** config.levels}")
        self.config = config
        self.levels = nn.ModuleList()
        self.latent_shapes = []
        for k in range(config.levels):
            c, s = 4 * c, s // 2
            self.levels.append(nn.ModuleList(GlowStep(c, config.hidden) for _ in range(config.steps)))
            if k < config.levels - 1:
                self.latent_shapes.append((c - c // 2, s, s))
                c = c // 2
            else:
                self.latent_shapes.append((c, s, s))

    def invconv_layers(self) -> list[str]:
        """Names of the invertible 1×1 convolutions (ROSE scores these, App. B.2)."""
        return [n for n, m in self.named_modules() if isinstance(m, InvConv1x1)]

    def conv_layers(self) -> list[str]:
        """Names of every convolution: the 1×1 invertible ones and the coupling networks' (ROSE Table 7, "Full")."""
        return [n for n, m in self.named_modules() if isinstance(m, (InvConv1x1, nn.Conv2d))]

    def _forward(self, x, generator=None, noise=None):
        """Return (latents z_k, per-scale contributions B×L) of float pixel values x."""
        h = dequantize(x, noise=self.training if noise is None else noise, generator=generator) - 0.5
        zs, parts = [], []
        for k, steps in enumerate(self.levels):
            h = squeeze(h)
            logdet = torch.zeros(h.shape[0], device=h.device, dtype=h.dtype)
            for step in steps:
                h, ld = step(h)
                logdet = logdet + ld
            if k < len(self.levels) - 1:
                h, z = h[:, :h.shape[1] // 2], h[:, h.shape[1] // 2:]
            else:
                z = h
            zs.append(z)
            parts.append(standard_normal_log_density(z) + logdet - z[0].numel() * LOG_256)
        return zs, torch.stack(parts, 1)

    @torch.no_grad()
    def decode(self, zs) -> torch.Tensor:
        """Return the uint8 images of latents ``zs`` (one tensor per scale): the inverse of ``encode``."""
        h = zs[-1]
        for k in reversed(range(len(self.levels))):
            if k < len(self.levels) - 1:
                h = torch.cat([h, zs[k]], 1)
            for step in reversed(self.levels[k]):
                h = step.inverse(h)
            h = unsqueeze(h)
        return torch.floor((h + 0.5) * 256.0).clamp(0, 255).to(torch.uint8).cpu()
