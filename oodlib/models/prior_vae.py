"""The VAE of Kamoi & Kobayashi App. B (Tables 2–3), categorical 256-way decoder, with a pluggable prior.

    vae = PriorVAE(PriorVAEConfig(prior=PriorConfig("gaussian", k=2, distance=150.0).to_dict(), labels=(1, 7)))
    vae.loss(x, y)          # training: each image's latent under the prior component of its label (Kamoi §4)
    vae.log_prob(x, k=100)  # test: importance-sampled log p(x) under the whole mixture, nats per image

Fashion-MNIST / MNIST (Table 2, 28×28×1, latent 50): five 5×5 convolutions (8, 16, 32, 64, 64 channels;
strides 2, 1, 2, 1, 2; padding 1) with batch norm and ReLU, then a fully-connected layer to the posterior's 50
means and 50 log-variances; the decoder is a fully-connected layer to 7×7×64 and four transposed convolutions
(64, 32, 64 channels, batch norm and ReLU, then 256 logits per pixel). Table 2's paddings do not give a 28×28
output (7 → 13 → 27 → 29 → 30); ours, chosen so that they do: 5×5 stride 2 padding 2 (+1 output padding) twice,
5×5 stride 1 padding 2, and a 3×3 last layer instead of 4×4. The encoder's activation is not stated (ReLU here).

CIFAR-10 (Table 3, 32×32×3, latent 50 — the table's "100×2" contradicts its caption's 50 means and 50
log-variances; we follow the caption): the same encoder; the decoder takes the latent as a 1×1 map through
4×4 transposed convolutions (64, 32, 32 channels; stride 1 then 2) to 256 logits for each of the 3 channels.

Written here, not taken from a VAE library, for the same reason as ``oodlib.models.vae``: the likelihood on
8-bit data (a categorical decoder) and a prior whose components are assigned per image while training.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images
from ..errors import BadInput
from ..priors import LabelComponents, PriorConfig
from .vae import _gaussian_log_density, importance_sampled_log_prob, standard_normal



@dataclass(frozen=True)
class PriorVAEConfig:
    """Architecture (Kamoi App. B) and prior; ``labels``: the training labels in the order of the prior's
    components (label ``labels[i]`` is trained under component i; with one component every label is)."""

    channels: int = 1
    image_size: int = 28
    latent: int = 50
    prior: dict = field(default_factory=lambda: PriorConfig().to_dict())
    labels: tuple = ()

    def to_dict(self) -> dict:
        return {"kind": "prior_vae", **asdict(self), "labels": [int(v) for v in self.labels]}


def _bn_relu_conv(cin, cout, k, s, p):
    return [nn.Conv2d(cin, cout, k, s, p), nn.BatchNorm2d(cout), nn.ReLU()]


def _bn_relu_deconv(cin, cout, k, s, p, op=0):
    return [nn.ConvTranspose2d(cin, cout, k, s, p, output_padding=op), nn.BatchNorm2d(cout), nn.ReLU()]


class PriorVAE(nn.Module):
    """VAE on uint8 images with a fixed (mixture) prior; ``log_prob`` is the importance-sampled log p(x) in nats."""

    def __init__(self, config: PriorVAEConfig = PriorVAEConfig()):
        super().__init__()
        c, s, nz = config.channels, config.image_size, config.latent
        if (c, s) not in ((1, 28), (3, 32)):
            raise BadInput(f"Kamoi's VAE is defined for 28×28×1 (Table 2) and 32×32×3 (Table 3) images, got "
                           f"{s}×{s}×{c}")
        self.config = config
        self.prior = PriorConfig(**config.prior).build(nz)
        self.label_components = LabelComponents(config.labels, self.prior.n_components)
        self.supervised = True          # train() passes the labels, which pick each image's component
        self.encoder = nn.Sequential(*_bn_relu_conv(c, 8, 5, 2, 1), *_bn_relu_conv(8, 16, 5, 1, 1),
                                     *_bn_relu_conv(16, 32, 5, 2, 1), *_bn_relu_conv(32, 64, 5, 1, 1),
                                     *_bn_relu_conv(64, 64, 5, 2, 1))
        self.enc_out = nn.Linear(64, 2 * nz)          # 28×28 and 32×32 both end at 1×1×64
        if s == 28:
            self.dec_in = nn.Linear(nz, 7 * 7 * 64)
            self.decoder = nn.Sequential(*_bn_relu_deconv(64, 64, 5, 2, 2, 1), *_bn_relu_deconv(64, 32, 5, 2, 2, 1),
                                         *_bn_relu_deconv(32, 64, 5, 1, 2), nn.ConvTranspose2d(64, 256 * c, 3, 1, 1))
        else:
            self.dec_in = None
            self.decoder = nn.Sequential(*_bn_relu_deconv(nz, 64, 4, 1, 0), *_bn_relu_deconv(64, 32, 4, 2, 1),
                                         *_bn_relu_deconv(32, 32, 4, 2, 1), nn.ConvTranspose2d(32, 256 * c, 4, 2, 1))

    def components_of(self, y) -> torch.Tensor:
        """Return the prior component each label trains under (all 0 for a one-component prior)."""
        return self.label_components(y)

    @property
    def num_dims(self) -> int:
        return self.config.channels * self.config.image_size ** 2

    def _check(self, x):
        xf = check_images(x, channels=self.config.channels, size=self.config.image_size)
        return xf.to(self.enc_out.weight.device).contiguous()

    def _encode(self, xf):
        h = self.encoder(xf / 255.0).flatten(1)
        mu, logvar = self.enc_out(h).chunk(2, dim=1)
        return mu, logvar

    def encode(self, x) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the posterior mean and log-variance (B×latent) of uint8 images x."""
        return self._encode(self._check(x))

    def decode_logits(self, z) -> torch.Tensor:
        """Return the decoder's logits, B×C×H×W×256, for latents z (B×latent)."""
        c, s = self.config.channels, self.config.image_size
        return self.decoder(self._decoder_input(z)).view(-1, c, 256, s, s).permute(0, 1, 3, 4, 2)

    def _decoder_input(self, z):
        """The decoder's first feature map: the fully-connected layer's 7×7×64 (Table 2), or z as a 1×1 map (Table 3)."""
        return self.dec_in(z).view(-1, 64, 7, 7) if self.dec_in is not None else z[:, :, None, None]

    def log_likelihood(self, xf, z) -> torch.Tensor:
        """Return log p(x|z) in nats per image (i.i.d. categorical over 256 values per sub-pixel, App. B)."""
        s = self.config.image_size
        logits = self.decoder(self._decoder_input(z)).view(-1, 256, s, s)           # (B·C)×256×H×W
        nll = F.cross_entropy(logits, xf.long().view(-1, s, s), reduction="none")
        return -nll.view(xf.shape[0], -1).sum(1)

    def elbo(self, x, y=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return the single-sample ELBO (nats per image) with each image's latent under its assigned component
        (``y``: labels; None: under the whole prior).

        With Gaussian components the KL to the assigned component is in closed form; otherwise (a generalized
        Gaussian, or the whole mixture) it is the one-sample estimate log q(z|x) − log p(z).
        """
        xf = self._check(x)
        mu, logvar = self._encode(xf)
        z = mu + torch.exp(0.5 * logvar) * standard_normal(mu.shape, generator, mu)
        prior = self.prior
        if y is not None and prior.beta is None:
            m = prior.means.to(mu)[self.components_of(y)]
            var = prior.scale ** 2
            kl = 0.5 * ((logvar.exp() + (mu - m) ** 2) / var - 1.0 - logvar + math.log(var)).sum(1)
        else:
            log_p = prior.log_prob(z) if y is None else prior.assigned_log_prob(z, self.components_of(y))
            kl = _gaussian_log_density(z, mu, logvar) - log_p
        return self.log_likelihood(xf, z) - kl

    def loss(self, x, y=None) -> torch.Tensor:
        """Return the training loss: the negative ELBO averaged over the batch, each image under the component of
        its label (Kamoi §4), nats per image."""
        return -self.elbo(x, y).mean()

    def log_prob(self, x, k: int = 100, generator: torch.Generator | None = None, chunk: int = 512) -> torch.Tensor:
        """Return the importance-sampled log p(x) (k samples from q(z|x); Kamoi App. B: 5,000) under the whole
        mixture prior (test time, no assignment), in nats per image: log (1/k) Σ_j p(x|z_j) p(z_j) / q(z_j|x)."""
        if k < 1:
            raise BadInput(f"k must be ≥ 1 importance samples, got {k}")
        xf = self._check(x)
        mu, logvar = self._encode(xf)
        return importance_sampled_log_prob(self.log_likelihood, xf, mu, logvar,
                                           lambda z: self.prior.log_prob(z.flatten(0, 1)).view(z.shape[:2]),
                                           k, generator, chunk)

    @torch.no_grad()
    def decode_mean(self, z) -> torch.Tensor:
        """Return uint8 images: the decoder's most likely value per sub-pixel at latents z (Kamoi Figs. 11–12)."""
        return self.decode_logits(z).argmax(-1).to(torch.uint8).cpu()
