"""The Glow of Kamoi & Kobayashi App. B: one block, no multi-scale split, a pluggable prior on the whole latent.

    glow = PriorGlow(PriorGlowConfig(prior=PriorConfig("gaussian", k=2, distance=100.0).to_dict(), labels=(1, 7)))
    glow.loss(x, y)       # training: each image's latent under its label's component (Kamoi §4), bits/dim
    glow.log_prob(x)      # test: log p(x) under the whole mixture, nats per image

One block of ``steps`` Glow steps (ActNorm → invertible 1×1 conv → affine coupling), with a squeeze before the
first step and after each step listed in ``squeeze_after`` (App. B: Fashion-MNIST 32 steps, squeezed after the
16th, 28×28×1 → 14×14×4 → 7×7×16; CIFAR-10 24 steps, squeezed after the 8th and 16th, 32×32×3 → 4×4×192).
No latent leaves early (no multi-scale split), and after the last step three invertible linear maps mix the
height, the width and the channels (Listing 1, ``AxisInvConv``), "to remove the spatial dependencies on the
latent variables". The couplings' scale is σ(s + 2) + 0.1 (App. B). The prior sees the latent flattened to
C·H·W dimensions. App. B does not give the couplings' width (OpenAI's code: 512): ``hidden``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ..errors import BadInput
from ..priors import LabelComponents, PriorConfig
from .flow_layers import LOG_256, AxisInvConv, DequantizedFlow, GlowStep, InvConv1x1, dequantize, squeeze, unsqueeze

SCALE_FLOOR = 0.1    # App. B: "we add a small positive value (0.1 in our implementation) to the scale"


@dataclass(frozen=True)
class PriorGlowConfig:
    """Architecture (Kamoi App. B) and prior; ``labels``: the training labels in the order of the prior's
    components (as ``PriorVAEConfig``'s)."""

    channels: int = 1
    image_size: int = 28
    steps: int = 32
    squeeze_after: tuple = (16,)
    hidden: int = 512
    prior: dict = field(default_factory=lambda: PriorConfig().to_dict())
    labels: tuple = ()

    def to_dict(self) -> dict:
        return {"kind": "prior_glow", **asdict(self), "squeeze_after": [int(v) for v in self.squeeze_after],
                "labels": [int(v) for v in self.labels]}


class PriorGlow(DequantizedFlow):
    """Kamoi's Glow on uint8 images; ``log_prob`` in nats per image, deterministic in eval mode."""

    def __init__(self, config: PriorGlowConfig = PriorGlowConfig()):
        super().__init__()
        c, s = config.channels, config.image_size
        squeezes = 1 + len(config.squeeze_after)
        if s % (2 ** squeezes):
            raise BadInput(f"image_size {s} cannot be squeezed {squeezes} times (it must be divisible by "
                           f"{2 ** squeezes})")
        if any(not 0 < k < config.steps for k in config.squeeze_after):
            raise BadInput(f"squeeze_after {config.squeeze_after} must name steps between 1 and {config.steps - 1}")
        self.config = config
        self.steps, self.squeeze_before = nn.ModuleList(), []
        c, s = 4 * c, s // 2
        for k in range(config.steps):
            if k in config.squeeze_after:
                c, s = 4 * c, s // 2
            self.squeeze_before.append(k in config.squeeze_after)
            self.steps.append(GlowStep(c, config.hidden, SCALE_FLOOR))
        # Listing 1 mixes the height, then the width, then the channels (the three commute: separate axes)
        self.mixers = nn.ModuleList([AxisInvConv(s, 2), AxisInvConv(s, 3), AxisInvConv(c, 1)])
        self.latent_shapes = [(c, s, s)]
        self.prior = PriorConfig(**config.prior).build(c * s * s)
        self.label_components = LabelComponents(config.labels, self.prior.n_components)
        self.supervised = True          # train() passes the labels, which pick each image's component

    def components_of(self, y) -> torch.Tensor:
        """Return the prior component each label trains under (all 0 for a one-component prior)."""
        return self.label_components(y)

    def invconv_layers(self) -> list[str]:
        """Names of the invertible 1×1 convolutions, those of the three mixers included."""
        return [n for n, m in self.named_modules() if isinstance(m, InvConv1x1)]

    def _latent(self, x, generator=None, noise=None):
        """Return (z flattened B×D, log|det| B) of float pixel values x."""
        h = squeeze(dequantize(x, noise=self.training if noise is None else noise, generator=generator) - 0.5)
        logdet = torch.zeros(h.shape[0], device=h.device, dtype=h.dtype)
        for step, squeeze_first in zip(self.steps, self.squeeze_before):
            if squeeze_first:
                h = squeeze(h)
            h, ld = step(h)
            logdet = logdet + ld
        for mixer in self.mixers:
            h, ld = mixer(h)
            logdet = logdet + ld
        return h.flatten(1), logdet

    def _forward(self, x, generator=None, noise=None):
        z, logdet = self._latent(x, generator, noise)
        part = self.prior.log_prob(z) + logdet - z.shape[1] * LOG_256
        return [z.view(-1, *self.latent_shapes[0])], part[:, None]

    def loss(self, x, y=None) -> torch.Tensor:
        """Return the training loss in bits/dim: each image under its label's component (``y``), or the whole prior."""
        z, logdet = self._latent(self._check(x))
        log_prior = self.prior.log_prob(z) if y is None else self.prior.assigned_log_prob(z, self.components_of(y))
        lp = log_prior + logdet - z.shape[1] * LOG_256
        return -lp.mean() / (self.num_dims * math.log(2))

    @torch.no_grad()
    def decode(self, zs) -> torch.Tensor:
        """Return the uint8 images of latents ``zs`` ([B×C×H×W] or B×D): the inverse of ``encode``."""
        h = zs[0] if isinstance(zs, (list, tuple)) else zs
        h = h.reshape(-1, *self.latent_shapes[0])
        for mixer in reversed(self.mixers):
            h = mixer.inverse(h)
        for step, squeeze_first in zip(reversed(self.steps), reversed(self.squeeze_before)):
            h = step.inverse(h)
            if squeeze_first:
                h = unsqueeze(h)
        h = unsqueeze(h)
        return torch.floor((h + 0.5) * 256.0).clamp(0, 255).to(torch.uint8).cpu()

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return n uint8 samples, z drawn from the prior (``temperature`` scales each component's spread)."""
        components = torch.randint(self.prior.n_components, (n,), generator=generator)
        z = self.prior.sample(n, generator=generator, components=components).cpu()
        means = self.prior.means.cpu()[components]
        return self.decode((means + temperature * (z - means)).to(self._ref()))
