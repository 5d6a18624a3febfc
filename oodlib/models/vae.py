"""The ROSE / Likelihood-Regret VAE (ROSE App. B.1; Xiao et al. 2020), categorical 256-way decoder.

Encoder: three conv layers (kernel 4, stride 2, no bias; channels n, 2n, 4n, BatchNorm + ReLU)
followed by two 4×4 conv heads for the posterior mean and log-variance (latent size ``latent``).
Decoder: the mirror image with transposed convolutions, ending in 256 logits per sub-pixel.
Written here (not taken from a flow/VAE library) because ROSE needs the conv layers addressable
by name and the likelihood on discrete 8-bit data, which no maintained VAE package exposes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images

LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class VAEConfig:
    """Architecture of the VAE; ``width`` scales the base channel count n (ROSE Table 3)."""

    channels: int = 1
    base: int = 32
    latent: int = 100
    width: float = 1.0
    image_size: int = 32

    @property
    def n(self) -> int:
        return max(1, int(round(self.base * self.width)))

    def to_dict(self) -> dict:
        return {"kind": "vae", **asdict(self)}


def _gaussian_log_density(z, mu, logvar):
    """Return Σ_d log N(z_d; mu_d, exp(logvar_d)) over the last axis."""
    return -0.5 * (LOG_2PI + logvar + (z - mu) ** 2 * torch.exp(-logvar)).sum(-1)


def standard_normal(shape, generator, like: torch.Tensor) -> torch.Tensor:
    """Standard normal noise shaped ``shape`` with ``like``'s dtype and device, drawn on the CPU from ``generator``
    (reproducible on any device), or from the global RNG on ``like``'s device without one."""
    if generator is None:
        return torch.randn(shape, device=like.device, dtype=like.dtype)
    return torch.randn(shape, generator=generator, dtype=like.dtype).to(like.device)


def importance_sampled_log_prob(log_likelihood, xf, mu, logvar, log_prior, k: int, generator=None,
                                chunk: int = 128) -> torch.Tensor:
    """Return log (1/k) Σ_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x) = N(mu, exp(logvar)) (Burda et al. 2016,
    Eq. 8), nats per image: ``log_likelihood(x, z)`` is log p(x|z) per image, ``log_prior(z)`` maps k×B×latent
    latents to k×B log-densities. ``chunk`` bounds images×samples per decoder pass."""
    b = xf.shape[0]
    z = mu + torch.exp(0.5 * logvar) * standard_normal((k, b, mu.shape[1]), generator, mu)   # k×B×latent
    log_q = _gaussian_log_density(z, mu, logvar)                    # k×B
    log_p = log_prior(z)
    log_px = torch.empty_like(log_q)
    per = max(1, chunk // max(b, 1))                                # samples per decoder pass
    for j in range(0, k, per):
        zj = z[j:j + per]
        kj = zj.shape[0]
        xr = xf.unsqueeze(0).expand(kj, *xf.shape).reshape(kj * b, *xf.shape[1:])
        log_px[j:j + kj] = log_likelihood(xr, zj.reshape(kj * b, -1)).view(kj, b)
    return torch.logsumexp(log_px + log_p - log_q, 0) - math.log(k)


class VAE(nn.Module):
    """VAE on uint8 images; ``log_prob`` returns the IWAE estimate of log p(x) in nats per image."""

    def __init__(self, config: VAEConfig = VAEConfig()):
        super().__init__()
        if config.image_size != 32:
            raise ValueError(f"the ROSE VAE is defined for 32×32 inputs, got image_size={config.image_size}")
        self.config = config
        c, n, nz = config.channels, config.n, config.latent

        def down(cin, cout):
            return [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        def up(cin, cout, stride, pad):
            return [nn.ConvTranspose2d(cin, cout, 4, stride, pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.encoder = nn.Sequential(*down(c, n), *down(n, 2 * n), *down(2 * n, 4 * n))
        self.enc_mu = nn.Conv2d(4 * n, nz, 4)
        self.enc_logvar = nn.Conv2d(4 * n, nz, 4)
        self.decoder = nn.Sequential(
            *up(nz, 4 * n, 1, 0), *up(4 * n, 2 * n, 2, 1), *up(2 * n, n, 2, 1),
            nn.ConvTranspose2d(n, c * 256, 4, 2, 1, bias=False),
        )
        for m in self.modules():  # DCGAN initialisation, as in the reference training script
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)

    @property
    def num_dims(self) -> int:
        """Number of sub-pixels D = C·H·W (for bits/dim)."""
        return self.config.channels * self.config.image_size ** 2

    def encoder_conv_layers(self) -> list[str]:
        """Names of the encoder's conv layers (ROSE App. B.1 scores these)."""
        return [name for name, m in self.named_modules()
                if isinstance(m, nn.Conv2d) and name.startswith("enc")]

    def _check(self, x):
        xf = check_images(x, channels=self.config.channels, size=self.config.image_size)
        return xf.to(self.enc_mu.weight.device).contiguous()   # e.g. a permuted N×H×W×C array

    def encode(self, x) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the posterior mean and log-variance (B×latent) of uint8 images x."""
        return self._encode(self._check(x))

    def _encode(self, xf):
        h = self.encoder(xf / 255.0)
        return self.enc_mu(h).flatten(1), self.enc_logvar(h).flatten(1)

    def decode_logits(self, z) -> torch.Tensor:
        """Return the decoder's logits, shape B×C×H×W×256, for latents z (B×latent)."""
        out = self.decoder(z[:, :, None, None])
        c, s = self.config.channels, self.config.image_size
        return out.view(-1, c, 256, s, s).permute(0, 1, 3, 4, 2)

    def log_likelihood(self, x, z) -> torch.Tensor:
        """Return log p(x|z) in nats per image (categorical over 256 values per sub-pixel)."""
        c, s = self.config.channels, self.config.image_size
        logits = self.decoder(z[:, :, None, None]).view(-1, 256, s, s)   # (B·C)×256×H×W, no copy
        nll = F.cross_entropy(logits, x.long().view(-1, s, s), reduction="none")
        return -nll.view(x.shape[0], -1).sum(1)

    def elbo(self, x, generator: torch.Generator | None = None, eps: torch.Tensor | None = None) -> torch.Tensor:
        """Return the single-sample ELBO (nats per image): log p(x|z) − KL(q(z|x) ‖ N(0, I)).

        z = μ + σ·ε with ε from ``generator`` (or the global RNG), or the given ``eps`` (B×latent).
        """
        xf = self._check(x)
        mu, logvar = self._encode(xf)
        noise = eps.to(mu) if eps is not None else standard_normal(mu.shape, generator, mu)
        z = mu + torch.exp(0.5 * logvar) * noise
        kl = 0.5 * (mu ** 2 + logvar.exp() - 1.0 - logvar).sum(1)
        return self.log_likelihood(xf, z) - kl

    def loss(self, x) -> torch.Tensor:
        """Return the training loss: the negative ELBO averaged over the batch (nats per image)."""
        return -self.elbo(x).mean()

    def log_prob(self, x, k: int = 20, generator: torch.Generator | None = None,
                 chunk: int = 128) -> torch.Tensor:
        """Return the IWAE estimate of log p(x) with k importance samples, in nats per image.

        log p(x) ≈ log (1/k) Σ_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x) (Burda et al. 2016, Eq. 8);
        ``k=1`` gives the single-sample ELBO's log-weight. ``chunk`` bounds images×samples per decoder pass.
        """
        if k < 1:
            raise ValueError(f"k must be ≥ 1 importance samples, got {k}")
        xf = self._check(x)
        mu, logvar = self._encode(xf)
        return importance_sampled_log_prob(self.log_likelihood, xf, mu, logvar,
                                           lambda z: _gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z)),
                                           k, generator, chunk)

    @torch.no_grad()
    def reconstruct(self, x) -> torch.Tensor:
        """Return uint8 reconstructions: the decoder's most likely value at the posterior mean."""
        mu, _ = self.encode(x)
        return self.decode_logits(mu).argmax(-1).to(torch.uint8).cpu()

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return n uint8 samples x ~ p(x|z), z ~ N(0, I)."""
        z = torch.randn((n, self.config.latent), generator=generator).to(self.enc_mu.weight.device)
        probs = self.decode_logits(z).softmax(-1).cpu()
        flat = torch.multinomial(probs.reshape(-1, 256), 1, generator=generator)
        return flat.view(probs.shape[:-1]).to(torch.uint8)
