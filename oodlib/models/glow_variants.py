"""The two Glows with other model biases of Schirrmeister et al. S2: one that sees 8×8 patches only, and one whose
steps are fully connected.

``LocalGlow`` (S2.1): the 32×32 image is cut into 16 non-overlapping 8×8 patches, each processed independently by
one single-scale Glow (one scale of the full Glow, no split); log p(x) is the sum of the patches' log-likelihoods —
the image treated as 16 independent patches.

``DenseGlow`` (S2.2): the full Glow's three scales with their squeezes and splits, but inside each scale the
representation is flattened to a vector and each step is ActNorm over its dimensions → a fixed random orthogonal
map (never trained, S2.2: "kept their parameters in the randomly initialized starting state") → an affine coupling
whose network is linear → ReLU → linear on the vector's first half. The random orthogonal map is a product of
``reflections`` Householder reflections after a permutation (log|det| = 0); written that way instead of a stored
3072×3072 matrix so that the weights stay small (a few vectors per step) and exactly reproducible.

Both share the Glow's likelihood face (``DequantizedFlow``: uint8 images, midpoint dequantisation in eval mode, nats
per image). Neither can sample (``decode`` is not needed by any page).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .flow_layers import LOG_256, ActNorm, DequantizedFlow, dequantize, squeeze, standard_normal_log_density
from .glow import Glow, GlowConfig


@dataclass(frozen=True)
class LocalGlowConfig:
    """A single-scale Glow of ``steps`` steps on ``patch``×``patch`` patches (S2.1)."""

    channels: int = 3
    image_size: int = 32
    patch: int = 8
    steps: int = 32
    hidden: int = 512

    def to_dict(self) -> dict:
        return {"kind": "local_glow", **asdict(self)}


class LocalGlow(DequantizedFlow):
    """log p(x) = Σ over the image's non-overlapping patches of a single-scale Glow's log p(patch) (S2.1)."""

    def __init__(self, config: LocalGlowConfig = LocalGlowConfig()):
        super().__init__()
        if config.image_size % config.patch:
            raise ValueError(f"image_size {config.image_size} must be a multiple of patch {config.patch}")
        self.config = config
        self.glow = Glow(GlowConfig(config.channels, config.patch, levels=1, steps=config.steps, hidden=config.hidden))
        self.latent_shapes = self.glow.latent_shapes

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """Return the B·n² patches (B·n²×C×p×p, image by image, row by row) of images B×C×H×W."""
        c, p = x.shape[1], self.config.patch
        tiles = x.unfold(2, p, p).unfold(3, p, p)                 # B×C×n×n×p×p
        return tiles.permute(0, 2, 3, 1, 4, 5).reshape(-1, c, p, p)

    def _forward(self, x, generator=None, noise=None):
        zs, parts = self.glow._forward(self.patches(x), generator, noise)
        per_image = parts.sum(1).view(x.shape[0], -1).sum(1)
        return zs, per_image[:, None]

    def decode(self, zs):
        raise NotImplementedError("LocalGlow scores images; it does not sample")


@dataclass(frozen=True)
class DenseGlowConfig:
    """Three scales of ``steps`` fully connected steps, coupling networks ``hidden`` wide (S2.2)."""

    channels: int = 3
    image_size: int = 32
    levels: int = 3
    steps: int = 8
    hidden: int = 512
    reflections: int = 4

    def to_dict(self) -> dict:
        return {"kind": "dense_glow", **asdict(self)}


class FixedOrthogonal(nn.Module):
    """A fixed random orthogonal map of vectors (B×d×1×1): a permutation, then ``k`` Householder reflections
    h ← h − 2 (h·v) v / ‖v‖². Drawn from torch's global generator at construction; buffers only (never trained);
    log|det| = 0."""

    def __init__(self, dims: int, k: int):
        super().__init__()
        self.register_buffer("perm", torch.randperm(dims))
        self.register_buffer("vectors", torch.randn(k, dims))

    def forward(self, h):
        v = h.flatten(1)[:, self.perm]
        for u in self.vectors:
            v = v - 2.0 * (v @ u)[:, None] * u / u.dot(u)
        return v.view_as(h), torch.zeros(h.shape[0], device=h.device, dtype=h.dtype)


class DenseCoupling(nn.Module):
    """Affine coupling on vectors: h_b' = (h_b + t(h_a))·σ(s(h_a) + 2) with [t, s] = W₂ ReLU(W₁ h_a) (W₂ zero at
    initialisation: the identity, as Glow's); log|det| = Σ log σ(·)."""

    def __init__(self, dims: int, hidden: int):
        super().__init__()
        self.split = dims // 2
        self.net = nn.Sequential(nn.Linear(self.split, hidden), nn.ReLU(), nn.Linear(hidden, 2 * (dims - self.split)))
        nn.init.zeros_(self.net[2].weight)
        nn.init.zeros_(self.net[2].bias)

    def forward(self, h):
        v = h.flatten(1)
        va, vb = v[:, :self.split], v[:, self.split:]
        out = self.net(va)
        scale = torch.sigmoid(out[:, 1::2] + 2.0)
        v = torch.cat([va, (vb + out[:, 0::2]) * scale], 1)
        return v.view_as(h), torch.log(scale).sum(1)


class DenseGlow(DequantizedFlow):
    """The fully connected Glow of S2.2, with per-scale contributions as ``Glow``'s."""

    def __init__(self, config: DenseGlowConfig = DenseGlowConfig()):
        super().__init__()
        c, s = config.channels, config.image_size
        if s % (2 ** config.levels):
            raise ValueError(f"image_size {s} must be divisible by 2**levels = {2 ** config.levels}")
        self.config = config
        self.levels, self.latent_shapes = nn.ModuleList(), []
        for k in range(config.levels):
            c, s = 4 * c, s // 2
            d = c * s * s
            self.levels.append(nn.ModuleList(
                nn.ModuleList([ActNorm(d), FixedOrthogonal(d, config.reflections), DenseCoupling(d, config.hidden)])
                for _ in range(config.steps)))
            last = k == config.levels - 1
            self.latent_shapes.append((c, s, s) if last else (c - c // 2, s, s))
            c = c if last else c // 2

    def _forward(self, x, generator=None, noise=None):
        h = dequantize(x, noise=self.training if noise is None else noise, generator=generator) - 0.5
        zs, parts = [], []
        for k, steps in enumerate(self.levels):
            h = squeeze(h)
            shape = h.shape
            v = h.reshape(shape[0], -1, 1, 1)
            logdet = torch.zeros(shape[0], device=h.device, dtype=h.dtype)
            for step in steps:
                for layer in step:
                    v, ld = layer(v)
                    logdet = logdet + ld
            h = v.view(shape)
            if k < len(self.levels) - 1:
                h, z = h[:, :shape[1] // 2], h[:, shape[1] // 2:]
            else:
                z = h
            zs.append(z)
            parts.append(standard_normal_log_density(z) + logdet - z[0].numel() * LOG_256)
        return zs, torch.stack(parts, 1)

    def decode(self, zs):
        raise NotImplementedError("DenseGlow scores images; it does not sample")
