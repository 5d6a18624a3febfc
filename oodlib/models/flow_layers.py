"""Invertible building blocks shared by the book's flows (Glow, RealNVP), and their dequantisation.

Every layer maps ``h -> (h', log|det ∂h'/∂h|)`` per image and has ``inverse``. Written here rather than
taken from normflows / FrEIA / zuko because the papers need things those libraries do not expose
together: per-scale log-likelihood contributions with unconditional per-scale priors (Schirrmeister
S1.3), the invertible 1×1 convolutions addressable as named layers whose parameters ``torch.func``
can differentiate per sample (ROSE App. B.2, under ``vmap``: no data-dependent branches at scoring
time), and an explicit, out-of-place dequantisation (REFERENCE_NOTES: y0ast/Glow-PyTorch adds its
noise in place).

Dequantisation (Theis et al. 2016; Schirrmeister S4.5): an 8-bit image x maps to y = (x + u) / 256 in
(0, 1), u ~ U[0, 1) per sub-pixel while training and u = ½ (the bin's midpoint) at evaluation, so
scores are deterministic. A density p_y on [0, 1)^D gives the discrete log-likelihood
log P(x) ≈ log p_y(y) − D·log 256 (nats per image).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images

LOG_2PI = math.log(2 * math.pi)
LOG_256 = math.log(256.0)


def dequantize(x: torch.Tensor, noise: bool, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return y = (x + u) / 256 for float pixel values x in 0..255: u ~ U[0, 1) if ``noise``, else u = ½.

    Never modifies ``x`` (the result is a new tensor); differentiable w.r.t. ``x``.
    """
    if not noise:
        return (x + 0.5) / 256.0
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    return (x + u) / 256.0


def standard_normal_log_density(z: torch.Tensor) -> torch.Tensor:
    """Return Σ log N(z; 0, I) over every axis but the first (nats per image)."""
    return -0.5 * (z.pow(2) + LOG_2PI).flatten(1).sum(1)


def squeeze(h: torch.Tensor) -> torch.Tensor:
    """Return the space-to-depth squeeze B×C×H×W → B×4C×H/2×W/2 (Dinh et al. 2017 §3.6; volume-preserving)."""
    b, c, hh, ww = h.shape
    h = h.view(b, c, hh // 2, 2, ww // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return h.reshape(b, 4 * c, hh // 2, ww // 2)


def unsqueeze(h: torch.Tensor) -> torch.Tensor:
    """Return the inverse of ``squeeze``."""
    b, c, hh, ww = h.shape
    h = h.view(b, c // 4, 2, 2, hh, ww).permute(0, 1, 4, 2, 5, 3)
    return h.reshape(b, c // 4, 2 * hh, 2 * ww)


class ActNorm(nn.Module):
    """Per-channel affine h' = (h + b)·exp(s) with data-dependent initialisation (Glow §3.1).

    log|det| = H·W·Σ_c s_c. Initialisation is explicit: ``DequantizedFlow.initialize`` flags every ActNorm and
    runs one batch, and each flagged layer sets b and s so that its output has zero mean and unit
    variance per channel. Without the flag, the forward pass has no data-dependent branch (safe under
    ``torch.func.vmap``).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.logs = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.init_pending = False

    @torch.no_grad()
    def _initialize(self, h):
        mean = h.mean(dim=(0, 2, 3), keepdim=True)
        std = h.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
        self.bias.copy_(-mean)
        self.logs.copy_(-torch.log(std + 1e-6))
        self.init_pending = False

    def forward(self, h):
        if self.init_pending:
            self._initialize(h)
        out = (h + self.bias) * torch.exp(self.logs)
        ones = torch.ones(h.shape[0], device=h.device, dtype=h.dtype)   # float32 ones would round float64 log-dets
        return out, (h.shape[2] * h.shape[3]) * self.logs.sum() * ones

    def inverse(self, h):
        return h * torch.exp(-self.logs) - self.bias


class InvConv1x1(nn.Module):
    """Invertible 1×1 convolution in LU form, W = P·L·(U + diag(sign·exp(log_s))) (Glow §3.2, Eq. 10).

    P (a permutation) and the signs are fixed buffers; ``lower``, ``upper`` and ``log_s`` are the
    parameters (ROSE differentiates these, App. B.2). log|det| = H·W·Σ log_s. Initialised from a random
    rotation drawn from the global torch RNG (seed it for reproducible models).
    """

    def __init__(self, channels: int):
        super().__init__()
        w = torch.linalg.qr(torch.randn(channels, channels))[0]
        p, lower, upper = torch.linalg.lu(w)
        s = torch.diagonal(upper)
        self.register_buffer("perm", p)
        self.register_buffer("sign_s", torch.sign(s))
        self.register_buffer("lower_mask", torch.tril(torch.ones(channels, channels), -1))
        self.register_buffer("eye", torch.eye(channels))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(torch.log(torch.abs(s)))

    def weight(self) -> torch.Tensor:
        """Return the C×C matrix W."""
        lower = self.lower * self.lower_mask + self.eye
        upper = self.upper * self.lower_mask.T + torch.diag(self.sign_s * torch.exp(self.log_s))
        return self.perm @ lower @ upper

    def forward(self, h):
        c = h.shape[1]
        out = F.conv2d(h, self.weight().view(c, c, 1, 1))
        ones = torch.ones(h.shape[0], device=h.device, dtype=h.dtype)   # float32 ones would round float64 log-dets
        return out, (h.shape[2] * h.shape[3]) * self.log_s.sum() * ones

    def inverse(self, h):
        c = h.shape[1]
        return F.conv2d(h, torch.linalg.inv(self.weight()).view(c, c, 1, 1))


class AxisInvConv(nn.Module):
    """An invertible linear map along one axis of B×C×H×W (``axis`` 1, 2 or 3: channel, height or width): the
    invertible 1×1 convolution with that axis moved into the channels' place (Kamoi App. B, Listing 1: one such
    map over the width, one over the height and one over the channels, after Glow's last step). log|det| = (the
    other two axes' sizes) · Σ log_s, as ``InvConv1x1``'s.
    """

    def __init__(self, size: int, axis: int):
        super().__init__()
        if axis not in (1, 2, 3):
            raise ValueError(f"axis must be 1 (channels), 2 (height) or 3 (width), got {axis}")
        self.axis, self.conv = axis, InvConv1x1(size)

    def forward(self, h):
        out, logdet = self.conv(h.movedim(self.axis, 1))
        return out.movedim(1, self.axis), logdet

    def inverse(self, h):
        return self.conv.inverse(h.movedim(self.axis, 1)).movedim(1, self.axis)


class ZeroConv2d(nn.Conv2d):
    """3×3 convolution initialised to zero, output scaled by exp(3·logs) (Glow §3.3: each coupling starts as the identity)."""

    def __init__(self, cin: int, cout: int):
        super().__init__(cin, cout, 3, padding=1)
        nn.init.zeros_(self.weight)
        nn.init.zeros_(self.bias)
        self.logs = nn.Parameter(torch.zeros(1, cout, 1, 1))

    def forward(self, h):
        return super().forward(h) * torch.exp(3.0 * self.logs)


class NetActNorm(nn.Module):
    """ActNorm used inside a coupling network (its log-determinant is not part of the flow's)."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = ActNorm(channels)

    def forward(self, h):
        return self.norm(h)[0]


class AffineCoupling(nn.Module):
    """Glow's affine coupling (§3.3): h_b' = (h_b + t(h_a))·σ(s(h_a) + 2), h_a unchanged; log|det| = Σ log σ(·).

    The network is conv 3×3 → ActNorm → ReLU → conv 1×1 → ActNorm → ReLU → zero-initialised conv 3×3
    (three conv layers, as in ROSE App. B.2 and y0ast/Glow-PyTorch's sigmoid(s + 2) scale). ``floor`` is added
    to the scale, σ(s + 2) + floor (Kamoi App. B: 0.1, "to stabilize the training").
    """

    def __init__(self, channels: int, hidden: int, floor: float = 0.0):
        super().__init__()
        self.floor = float(floor)
        ca, cb = channels // 2, channels - channels // 2
        self.net = nn.Sequential(
            nn.Conv2d(ca, hidden, 3, padding=1, bias=False), NetActNorm(hidden), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 1, bias=False), NetActNorm(hidden), nn.ReLU(),
            ZeroConv2d(hidden, 2 * cb),
        )
        self.split = ca

    def _shift_scale(self, ha):
        out = self.net(ha)
        scale = torch.sigmoid(out[:, 1::2] + 2.0)
        return out[:, 0::2], scale + self.floor if self.floor else scale

    def forward(self, h):
        ha, hb = h[:, :self.split], h[:, self.split:]
        shift, scale = self._shift_scale(ha)
        return torch.cat([ha, (hb + shift) * scale], 1), torch.log(scale).flatten(1).sum(1)

    def inverse(self, h):
        ha, hb = h[:, :self.split], h[:, self.split:]
        shift, scale = self._shift_scale(ha)
        return torch.cat([ha, hb / scale - shift], 1)


class FlowSequence(nn.Module):
    """Layers applied in order; the log-determinants add up."""

    def __init__(self, *layers: nn.Module):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, h):
        total = torch.zeros(h.shape[0], device=h.device, dtype=h.dtype)
        for layer in self.layers:
            h, ld = layer(h)
            total = total + ld
        return h, total

    def inverse(self, h):
        for layer in reversed(self.layers):
            h = layer.inverse(h)
        return h


class GlowStep(nn.Module):
    """One step of flow: ActNorm → invertible 1×1 conv → affine coupling (Glow Fig. 2a)."""

    def __init__(self, channels: int, hidden: int, floor: float = 0.0):
        super().__init__()
        self.actnorm, self.invconv = ActNorm(channels), InvConv1x1(channels)
        self.coupling = AffineCoupling(channels, hidden, floor)

    def forward(self, h):
        h, ld_a = self.actnorm(h)
        h, ld_w = self.invconv(h)
        h, ld_c = self.coupling(h)
        return h, ld_a + ld_w + ld_c

    def inverse(self, h):
        return self.actnorm.inverse(self.invconv.inverse(self.coupling.inverse(h)))


class DequantizedFlow(nn.Module):
    """The likelihood face shared by the book's flows on 8-bit images (Glow, RealNVP).

    A subclass sets ``config`` (with ``channels`` and ``image_size``) and ``latent_shapes``, and implements
    ``_forward(x, generator, noise) -> (latents z_k, per-scale contributions B×L)`` on float pixel values
    and ``decode(zs) -> uint8 images``.
    """

    @property
    def num_dims(self) -> int:
        """Number of sub-pixels D = C·H·W (for bits/dim)."""
        return self.config.channels * self.config.image_size ** 2

    def _ref(self) -> torch.Tensor:
        """A tensor with the model's device and dtype (a CPU default-dtype one if it has no parameters)."""
        p = next(self.parameters(), None)
        return p if p is not None else torch.empty(0)

    def _check(self, x):
        xf = check_images(x, channels=self.config.channels, size=self.config.image_size)
        ref = self._ref()
        return xf.to(device=ref.device, dtype=ref.dtype)

    def log_prob_per_scale(self, x, generator: torch.Generator | None = None, noise: bool | None = None) -> torch.Tensor:
        """Return the per-scale contributions c_k (B×scales, nats); they sum to ``log_prob(x)``.

        ``x``: uint8 images B×C×H×W (or float tensors of integer values 0..255, e.g. with requires_grad to
        differentiate w.r.t. the input). ``noise`` (default: the training mode) adds uniform dequantisation
        noise from ``generator``; otherwise the bins' midpoints are used (deterministic).
        """
        return self._forward(self._check(x), generator, noise)[1]

    def log_prob(self, x, generator: torch.Generator | None = None, noise: bool | None = None) -> torch.Tensor:
        """Return log p(x) in nats per image on the 8-bit data (the sum of the per-scale contributions)."""
        return self.log_prob_per_scale(x, generator, noise).sum(1)

    def loss(self, x) -> torch.Tensor:
        """Return the training loss, −log p(x) in bits/dim averaged over the batch (as y0ast/Glow-PyTorch,
        so that a weight decay such as ROSE App. B.2's 5e-5 has the reference's strength)."""
        return -self.log_prob(x).mean() / (self.num_dims * math.log(2))

    @torch.no_grad()
    def bits_per_dim(self, x, noise: bool = False, seed: int = 0, batch_size: int = 256) -> float:
        """Return the mean −log₂ p(x) / D over uint8 images ``x``; ``noise=True`` uses one uniform
        dequantisation sample per image (how bits/dim are usually reported, e.g. Schirrmeister Table S1)."""
        g = torch.Generator().manual_seed(seed)
        lp = torch.cat([self.log_prob(x[i:i + batch_size], generator=g, noise=noise).cpu()
                        for i in range(0, x.shape[0], batch_size)])
        return float(-lp.mean() / (self.num_dims * math.log(2)))

    @torch.no_grad()
    def initialize(self, x) -> None:
        """Data-dependent ActNorm initialisation (Glow §3.1) on a batch of uint8 images, with training noise."""
        norms = [m for m in self.modules() if isinstance(m, ActNorm)]
        for m in norms:
            m.init_pending = True
        was = self.training
        try:
            self.train()
            self.log_prob(x)
        finally:
            self.train(was)
            for m in norms:
                m.init_pending = False

    @torch.no_grad()
    def encode(self, x) -> list[torch.Tensor]:
        """Return the latents z_k of uint8 images (midpoint dequantisation, in either mode)."""
        return self._forward(self._check(x), noise=False)[0]

    @torch.no_grad()
    def reconstruct(self, x) -> torch.Tensor:
        """Return decode(encode(x)): exact up to floating point, since a flow is invertible (ROSE App. F.3)."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return n uint8 samples, each z_k ~ N(0, temperature²·I)."""
        ref = self._ref()
        zs = [temperature * torch.randn((n, *shape), generator=generator, dtype=ref.dtype).to(ref.device)
              for shape in self.latent_shapes]
        return self.decode(zs)
