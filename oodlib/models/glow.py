"""Multi-scale Glow (Kingma & Dhariwal 2018) with an unconditional N(0, I) prior per scale (Schirrmeister S1.3).

Scale k: squeeze, K steps of flow (ActNorm → invertible 1×1 conv → affine coupling), then, except at
the last scale, half of the channels leave as the latent z_k. Each z_k has its own standard normal
prior, so log p(x) splits into per-scale contributions
    c_k = log N(z_k; 0, I) + Σ_{steps of scale k} log|det| − D_k·log 256,
with D_k the sub-pixels in z_k (Σ_k D_k = D); Σ_k c_k = log p(x) on the 8-bit data (nats per image).
Input preprocessing as in y0ast/Glow-PyTorch: y − ½ with y the dequantised image (``flow_layers``).
Sizes per ROSE App. B.2: 2 scales × 16 steps, hidden 200 (Fashion-MNIST); 3 × 8, hidden 400 (CIFAR-10).

Supervised Glow (Schirrmeister Table S2, "Supervised"): with ``classes`` = Y > 0 the last scale's prior is one
diagonal Gaussian per class, N(z_L; μ_y, diag σ_y²) (μ = 0, σ = 1 at initialisation: the unsupervised prior),
trained on log p(x | y); at test time the class is marginalised, log p(x) = log Σ_y p(x | y)·p(y) with p(y) = 1/Y,
so the last scale's contribution c_L = log Σ_y exp(c_L,y) − log Y and every scorer sees an unsupervised face.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..errors import BadInput
from .flow_layers import (LOG_2PI, LOG_256, DequantizedFlow, GlowStep, InvConv1x1, dequantize, squeeze,
                          standard_normal_log_density, unsqueeze)


@dataclass(frozen=True)
class GlowConfig:
    """Architecture: ``levels`` scales of ``steps`` steps, coupling networks ``hidden`` channels wide."""

    channels: int = 1
    image_size: int = 32
    levels: int = 2
    steps: int = 16
    hidden: int = 200
    classes: int = 0          # > 0: a class-conditional prior at the last scale (supervised Glow)

    def to_dict(self) -> dict:
        d = {"kind": "glow", **asdict(self)}
        if not d["classes"]:     # absent when unused, so the cache keys of earlier recipes hold
            del d["classes"]
        return d


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
        if config.classes < 0:
            raise ValueError(f"classes must be 0 (unsupervised) or a number of classes, got {config.classes}")
        self.supervised = config.classes > 0      # oodlib.train passes the labels to loss(x, y)
        if self.supervised:
            self.class_mean = nn.Parameter(torch.zeros(config.classes, *self.latent_shapes[-1]))
            self.class_logstd = nn.Parameter(torch.zeros(config.classes, *self.latent_shapes[-1]))

    def invconv_layers(self) -> list[str]:
        """Names of the invertible 1×1 convolutions (ROSE scores these, App. B.2)."""
        return [n for n, m in self.named_modules() if isinstance(m, InvConv1x1)]

    def conv_layers(self) -> list[str]:
        """Names of every convolution: the 1×1 invertible ones and the coupling networks' (ROSE Table 7, "Full")."""
        return [n for n, m in self.named_modules() if isinstance(m, (InvConv1x1, nn.Conv2d))]

    def _forward(self, x, generator=None, noise=None):
        """Return (latents z_k, per-scale contributions B×L) of float pixel values x (a supervised model's last
        contribution marginalises the class)."""
        zs, parts, given = self._forward_classes(x, generator, noise)
        if given is not None:
            parts = torch.cat([parts[:, :-1], (torch.logsumexp(given, 1) - math.log(given.shape[1]))[:, None]], 1)
        return zs, parts

    def class_log_likelihoods(self, x, generator=None, noise=None) -> torch.Tensor:
        """Return log p(x | y) for every class y (B×Y, nats per image) of a supervised Glow."""
        if not self.supervised:
            raise BadInput("class_log_likelihoods needs a supervised Glow (GlowConfig(classes=...))")
        _, parts, given = self._forward_classes(self._check(x), generator, noise)
        return parts[:, :-1].sum(1, keepdim=True) + given

    def loss(self, x, y=None) -> torch.Tensor:
        """Return −log p(x) in bits/dim averaged over the batch; a supervised Glow's is −log p(x | y), labels ``y``."""
        if not self.supervised:
            return super().loss(x)
        if y is None:
            raise BadInput("a supervised Glow trains on labelled images: loss(x, y)")
        lp = self.class_log_likelihoods(x).gather(1, torch.as_tensor(y, device=self._ref().device).long()[:, None])
        return -lp.mean() / (self.num_dims * math.log(2))

    def _forward_classes(self, x, generator=None, noise=None):
        """Return (latents, per-scale contributions B×L with the last one under N(0, I), per-class last contributions
        B×Y or None)."""
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
        given = None
        if self.supervised:
            u = (z[:, None] - self.class_mean) * torch.exp(-self.class_logstd)          # B×Y×C×H×W
            log_density = -0.5 * (u.pow(2) + LOG_2PI).flatten(2).sum(2) - self.class_logstd.flatten(1).sum(1)
            given = log_density + (logdet - z[0].numel() * LOG_256)[:, None]
        return zs, torch.stack(parts, 1), given

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
