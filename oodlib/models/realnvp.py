"""Multi-scale RealNVP (Dinh et al. 2017) with an unconditional N(0, I) prior per scale.

Hand-written, like ``flow_layers``, rather than taken from normflows / FrEIA / zuko: the book needs the
per-scale log-likelihood contributions (below), a forward pass that ``torch.func`` can run per sample
(functional_call + vmap; no data-dependent branches at scoring time) and a log-likelihood that is
differentiable w.r.t. the input pixels, for the approximate mass ‖∂ log p(x)/∂x‖ of Chali et al.

Pre-transform (Dinh et al. §4.1; constraint 0.9 as flowgmm / chrischute/real-nvp): the dequantised
image y ∈ (0, 1) (``flow_layers.dequantize``) maps to h = logit(p), p = α + (1 − 2α)·y, α = 0.05, with
log|det ∂h/∂y| = Σ [log(1 − 2α) − log p − log(1 − p)]. (Dinh et al. write α + (1 − α)·y; the code the
paper used shrinks both ends.)

Coupling layers (Dinh et al. Eqs. 4–9): with a binary mask b, y = b⊙x + (1 − b)⊙(x⊙exp(s(b⊙x)) + t(b⊙x))
(Eq. 9), log|det| = Σ (1 − b)⊙s (Eq. 6), inverse x = b⊙y + (1 − b)⊙((y − t(b⊙y))⊙exp(−s(b⊙y)))
(Eqs. 7–8). b is a spatial checkerboard or a split of the channels into halves (§3.5); the masks
alternate from one coupling to the next. The scale is s = λ⊙tanh(ŝ) with a learned per-channel λ
(initialised to 1; §4.1). s and t come from one ResNet (§4.1) with ``blocks`` pre-activation residual
blocks of ``hidden`` channels; its output convolution starts at zero, so each coupling starts as the
identity (as Glow §3.3).

No BatchNorm: Dinh et al. (§3.7) and flowgmm batch-normalise inside the s/t networks, which makes an
image's log-likelihood in training mode depend on the rest of its batch. Here the s/t networks use
ActNorm (Glow §3.1: a per-channel affine map, initialised from one batch by ``initialize``, a learned
parameter afterwards) and weight-normalised convolutions (``weight_g`` · v/‖v‖, Salimans & Kingma 2016,
as Dinh et al.), so in both modes every image's log p(x) depends on that image alone, and eval mode
is deterministic.

Multi-scale architecture (Dinh et al. §3.6, sizes as flowgmm's RealNVP, which Chali et al. use): a
scale is 3 checkerboard couplings, a squeeze, 3 channel-wise couplings, after which half the channels
leave as the latent z_k; the last scale is 4 checkerboard couplings and its output is the last
latent. The width doubles at every scale (``hidden``·2^k for the checkerboard couplings of scale k,
twice that for its channel-wise ones). Each z_k has its own N(0, I) prior, so log p(x) splits into
per-scale contributions
    c_k = log N(z_k; 0, I) + Σ_{couplings of scale k} log|det| − D_k·log 256,
with D_k the sub-pixels in z_k; the logit pre-transform's log-det is added to c_0. Σ_k c_k = log p(x)
on the 8-bit data in nats per image (Dinh et al. Eq. 3 with the discretisation of ``flow_layers``).
Chali et al. §4.2: 2 scales × 4 blocks (Fashion-MNIST, ≈10M parameters) and 3 scales × 6 blocks
(CIFAR-10, ≈60M); hidden = 64 (the reference code's default) gives those parameter counts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .flow_layers import (LOG_256, DequantizedFlow, FlowSequence, NetActNorm, dequantize, squeeze,
                          standard_normal_log_density, unsqueeze)

LOGIT_ALPHA = 0.05   # p = α + (1 − 2α)·y: the "constraint 0.9" of the reference code


@dataclass(frozen=True)
class RealNVPConfig:
    """Architecture: ``scales`` scales; s/t ResNets of ``blocks`` residual blocks, ``hidden`` channels at scale 0.

    ``image_size`` must be divisible by 2**(scales − 1) (one squeeze per scale but the last).
    """

    channels: int = 3
    image_size: int = 32
    scales: int = 2
    blocks: int = 4
    hidden: int = 64

    def to_dict(self) -> dict:
        return {"kind": "realnvp", **asdict(self)}


class WNConv2d(nn.Module):
    """Weight-normalised convolution, weight = weight_g · v / ‖v‖ per output channel (Salimans & Kingma 2016).

    ``zero=True`` starts the gain at zero (the layer outputs its bias, zero): the s/t networks' last layer.
    """

    def __init__(self, cin: int, cout: int, kernel: int, zero: bool = False):
        super().__init__()
        ref = nn.Conv2d(cin, cout, kernel)   # PyTorch's default initialisation of v
        self.weight_v = nn.Parameter(ref.weight.detach().clone())
        gain = torch.zeros(cout, 1, 1, 1) if zero else ref.weight.detach().flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        self.weight_g = nn.Parameter(gain)
        self.bias = nn.Parameter(torch.zeros(cout) if zero else ref.bias.detach().clone())
        self.padding = kernel // 2

    def forward(self, h):
        v = self.weight_v
        w = self.weight_g * v / v.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        return F.conv2d(h, w, self.bias, padding=self.padding)


class ResidualBlock(nn.Module):
    """Pre-activation residual block h + conv(ReLU(norm(conv(ReLU(norm(h)))))), 3×3 convolutions."""

    def __init__(self, channels: int):
        super().__init__()
        self.net = nn.Sequential(NetActNorm(channels), nn.ReLU(), WNConv2d(channels, channels, 3),
                                 NetActNorm(channels), nn.ReLU(), WNConv2d(channels, channels, 3))

    def forward(self, h):
        return h + self.net(h)


class STNet(nn.Module):
    """The s/t ResNet: norm → conv 3×3 → ``blocks`` residual blocks → norm → ReLU → zero-initialised conv 1×1."""

    def __init__(self, cin: int, cout: int, hidden: int, blocks: int):
        super().__init__()
        self.net = nn.Sequential(
            NetActNorm(cin), WNConv2d(cin, hidden, 3),
            *[ResidualBlock(hidden) for _ in range(blocks)],
            NetActNorm(hidden), nn.ReLU(), WNConv2d(hidden, 2 * cout, 1, zero=True),
        )

    def forward(self, h):
        return self.net(h)


def checkerboard(h: torch.Tensor, parity: int) -> torch.Tensor:
    """Return the 1×1×H×W mask b with b = 1 where (row + column) % 2 == parity (Dinh et al. Fig. 3)."""
    rows = torch.arange(h.shape[-2], device=h.device).view(-1, 1)
    cols = torch.arange(h.shape[-1], device=h.device).view(1, -1)
    return ((rows + cols) % 2 == parity).to(h.dtype).view(1, 1, h.shape[-2], h.shape[-1])


class CheckerboardCoupling(nn.Module):
    """Affine coupling with a checkerboard mask (Dinh et al. Eq. 9): the sites with b = 1 condition the others."""

    def __init__(self, channels: int, hidden: int, blocks: int, parity: int):
        super().__init__()
        self.parity = parity
        self.st = STNet(channels, channels, hidden, blocks)
        self.s_scale = nn.Parameter(torch.ones(1, channels, 1, 1))

    def _shift_scale(self, h):
        b = checkerboard(h, self.parity)
        raw = self.st(h * b)
        s = (1 - b) * self.s_scale * torch.tanh(raw[:, 0::2])
        t = (1 - b) * raw[:, 1::2]
        return s, t

    def forward(self, h):
        s, t = self._shift_scale(h)
        return h * torch.exp(s) + t, s.flatten(1).sum(1)

    def inverse(self, h):
        s, t = self._shift_scale(h)   # s, t depend on b⊙h only, which the forward map leaves unchanged
        return (h - t) * torch.exp(-s)


class ChannelCoupling(nn.Module):
    """Affine coupling with a channel-wise mask (Dinh et al. §3.5): one half of the channels conditions the other.

    parity 0: the first half changes; parity 1: the second half changes.
    """

    def __init__(self, channels: int, hidden: int, blocks: int, parity: int):
        super().__init__()
        if channels % 2:
            raise ValueError(f"a channel-wise coupling needs an even number of channels, got {channels}")
        self.parity, self.half = parity, channels // 2
        self.st = STNet(self.half, self.half, hidden, blocks)
        self.s_scale = nn.Parameter(torch.ones(1, self.half, 1, 1))

    def _split(self, h):
        first, second = h[:, :self.half], h[:, self.half:]
        return (second, first) if self.parity == 0 else (first, second)   # (conditioning, changing)

    def _join(self, cond, change):
        return torch.cat([change, cond] if self.parity == 0 else [cond, change], 1)

    def _shift_scale(self, cond):
        raw = self.st(cond)
        return self.s_scale * torch.tanh(raw[:, 0::2]), raw[:, 1::2]

    def forward(self, h):
        cond, change = self._split(h)
        s, t = self._shift_scale(cond)
        return self._join(cond, change * torch.exp(s) + t), s.flatten(1).sum(1)

    def inverse(self, h):
        cond, change = self._split(h)
        s, t = self._shift_scale(cond)
        return self._join(cond, (change - t) * torch.exp(-s))


class Scale(nn.Module):
    """One scale: 3 checkerboard couplings, squeeze, 3 channel-wise couplings; the last: 4 checkerboard couplings."""

    def __init__(self, channels: int, hidden: int, blocks: int, last: bool):
        super().__init__()
        self.last = last
        parities = (0, 1, 0, 1) if last else (0, 1, 0)
        self.checker = FlowSequence(*[CheckerboardCoupling(channels, hidden, blocks, p) for p in parities])
        self.channel = None if last else FlowSequence(
            *[ChannelCoupling(4 * channels, 2 * hidden, blocks, p) for p in (0, 1, 0)])

    def forward(self, h):
        h, logdet = self.checker(h)
        if not self.last:
            h, ld = self.channel(squeeze(h))
            logdet = logdet + ld
        return h, logdet

    def inverse(self, h):
        if not self.last:
            h = unsqueeze(self.channel.inverse(h))
        return self.checker.inverse(h)


class RealNVP(DequantizedFlow):
    """RealNVP on uint8 images; ``log_prob`` in nats per image, deterministic in eval mode (midpoint dequantisation)."""

    def __init__(self, config: RealNVPConfig = RealNVPConfig()):
        super().__init__()
        c, s = config.channels, config.image_size
        if config.scales < 1 or config.blocks < 0 or config.hidden < 1:
            raise ValueError(f"need scales >= 1, blocks >= 0, hidden >= 1; got {config}")
        if s % (2 ** (config.scales - 1)):
            raise ValueError(f"image_size {s} must be divisible by 2**(scales - 1) = {2 ** (config.scales - 1)}")
        self.config = config
        self.scales = nn.ModuleList()
        self.latent_shapes = []
        hidden = config.hidden
        for k in range(config.scales):
            last = k == config.scales - 1
            self.scales.append(Scale(c, hidden, config.blocks, last))
            if last:
                self.latent_shapes.append((c, s, s))
            else:
                c, s = 4 * c, s // 2
                self.latent_shapes.append((c - c // 2, s, s))
                c, hidden = c // 2, 2 * hidden

    @staticmethod
    def _logit(y):
        """Return (h = logit(α + (1 − 2α)·y), log|det ∂h/∂y| per image)."""
        p = LOGIT_ALPHA + (1 - 2 * LOGIT_ALPHA) * y
        log_p, log_1mp = torch.log(p), torch.log1p(-p)
        logdet = (math.log(1 - 2 * LOGIT_ALPHA) - log_p - log_1mp).flatten(1).sum(1)
        return log_p - log_1mp, logdet

    @staticmethod
    def _unlogit(h):
        """Return y with logit(α + (1 − 2α)·y) = h."""
        return (torch.sigmoid(h) - LOGIT_ALPHA) / (1 - 2 * LOGIT_ALPHA)

    def _flow(self, h):
        """Return (latents z_k, per-scale log-dets B×L) of logit-space images h (the couplings and squeezes only)."""
        zs, logdets = [], []
        for scale in self.scales:
            h, ld = scale(h)
            if not scale.last:
                h, z = h[:, :h.shape[1] // 2], h[:, h.shape[1] // 2:]
            else:
                z = h
            zs.append(z)
            logdets.append(ld)
        return zs, torch.stack(logdets, 1)

    def _unflow(self, zs):
        """Return the logit-space images h of latents ``zs``: the inverse of ``_flow``."""
        h = zs[-1]
        for k in reversed(range(len(self.scales))):
            if not self.scales[k].last:
                h = torch.cat([h, zs[k]], 1)
            h = self.scales[k].inverse(h)
        return h

    def _forward(self, x, generator=None, noise: bool | None = None):
        """Return (latents z_k, per-scale contributions B×L) of float pixel values x (unchecked)."""
        y = dequantize(x, noise=self.training if noise is None else noise, generator=generator)
        h, logit_logdet = self._logit(y)
        zs, logdets = self._flow(h)
        parts = [standard_normal_log_density(z) + logdets[:, k] - z[0].numel() * LOG_256 for k, z in enumerate(zs)]
        parts[0] = parts[0] + logit_logdet   # the pre-transform's log-det goes to the first scale
        return zs, torch.stack(parts, 1)

    @torch.no_grad()
    def decode(self, zs) -> torch.Tensor:
        """Return the uint8 images of latents ``zs`` (one tensor per scale): the inverse of ``encode``."""
        y = self._unlogit(self._unflow(zs))
        return torch.floor(y * 256.0).clamp(0, 255).to(torch.uint8).cpu()
