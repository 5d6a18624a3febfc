"""SR-OOD's repairing network R_θ (Sun et al. §IV): an encoder–decoder through a latent bottleneck, trained with
λ1·L2 + λ2·LPIPS on eroded images (Eqs. 1–3, Alg. 1).

The paper's pSp encoder and StyleGAN2 generator can be neither trained nor downloaded here; its §VII says any
encoder–decoder works. Ours is convolutional *without skip connections*, so a repair cannot copy pixels around the
bottleneck (a U-Net could pass the uneroded pixels straight through and learn an identity map — Hypothesis 3's
worry). Its code has one style vector per decoder resolution (4×4, 8×8, 16×16), as StyleGAN's W+ has one per
layer: the first seeds the 4×4 map, the others scale and shift the 8×8 and 16×16 feature maps. That makes §IV-D's
*style mixing* a choice of resolutions: ``repair(x, mix_from=k, mean_code=w̄)`` replaces the styles of resolution k
and finer with the training images' mean code. Written here: no maintained library ships such a small repairer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..checks import check_images
from ..errors import BadInput
from ..erosions import erosion_set, random_erosions
from ..perceptual import lpips_distance

STYLES = 3          # style vectors: one per decoder resolution 4×4, 8×8, 16×16


@dataclass(frozen=True)
class RepairConfig:
    """Architecture and loss of a repairer: ``variant`` names its erosions (``erosions.EROSION_SETS``)."""

    variant: str = "sr"
    channels: int = 3
    image_size: int = 32
    base: int = 32             # encoder channels n, 2n, 4n (the decoder mirrors them)
    style: int = 64            # width of each style vector; the code has STYLES of them
    l2_weight: float = 1.0     # λ1 (§IV-C)
    lpips_weight: float = 0.8  # λ2 (§IV-C)

    def __post_init__(self):
        erosion_set(self.variant)
        if self.image_size != 32:
            raise BadInput(f"the repairer is built for 32×32 images (the book's size), got {self.image_size}")

    def to_dict(self) -> dict:
        return {"kind": "repair", **asdict(self)}


def squared_error(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return Eq. 2's L2 per image: the mean squared error per sub-pixel of float images in 0..255, on the [−1, 1]
    scale (as pSp's L2 loss); the training loss and SR-OOD's "l2" distance both use it."""
    return ((x - y) / 127.5).pow(2).flatten(1).mean(1)


def _down(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2))


class _StyledUp(nn.Module):
    """Upsample ×2, normalise, then scale and shift each channel by an affine map of one style vector."""

    def __init__(self, cin, cout, style):
        super().__init__()
        self.conv = nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False)
        self.norm = nn.BatchNorm2d(cout, affine=False)
        self.affine = nn.Linear(style, 2 * cout)

    def forward(self, h, w):
        scale, shift = self.affine(w).chunk(2, dim=1)
        return torch.relu(self.norm(self.conv(h)) * (1 + scale[..., None, None]) + shift[..., None, None])


class RepairNet(nn.Module):
    """R_θ: ``encode(x) -> B×STYLES×style``, ``decode(w) -> images``, ``repair(x)``, and the training ``loss(x)``."""

    def __init__(self, config: RepairConfig = RepairConfig()):
        super().__init__()
        self.config = c = config
        n = c.base
        self.encoder = nn.Sequential(_down(c.channels, n), _down(n, 2 * n), _down(2 * n, 4 * n), nn.Flatten(),
                                     nn.Linear(4 * n * 16, STYLES * c.style))
        self.seed_map = nn.Linear(c.style, 4 * n * 16)
        self.up8, self.up16 = _StyledUp(4 * n, 2 * n, c.style), _StyledUp(2 * n, n, c.style)
        self.to_image = nn.ConvTranspose2d(n, c.channels, 4, 2, 1)

    def _check(self, x) -> torch.Tensor:
        return check_images(x, channels=self.config.channels, size=self.config.image_size)

    def encode(self, x) -> torch.Tensor:
        """Return the code w = f(x), B×STYLES×style, of uint8 (or 0..255 float) images."""
        xf = self._check(x)
        return self.encoder(xf / 127.5 - 1.0).view(xf.shape[0], STYLES, self.config.style)

    def decode(self, w: torch.Tensor) -> torch.Tensor:
        """Return g(w): images as floats in [0, 255] (differentiable)."""
        n = self.config.base
        h = torch.relu(self.seed_map(w[:, 0])).view(-1, 4 * n, 4, 4)
        h = self.up16(self.up8(h, w[:, 1]), w[:, 2])
        return (torch.tanh(self.to_image(h)) + 1.0) * 127.5

    def repair(self, x, mix_from: int | None = None, mean_code: torch.Tensor | None = None) -> torch.Tensor:
        """Return R(x) = g(f(x)) in [0, 255]; with ``mix_from`` = k, the styles k.. (k = 1: 8×8 and finer) are
        replaced by ``mean_code`` (STYLES×style) first: §IV-D's style mixing with the mean latent vector."""
        w = self.encode(x)
        if mix_from is not None:
            if mean_code is None or not 0 < mix_from < STYLES:
                raise BadInput(f"style mixing needs mix_from in 1..{STYLES - 1} and the mean code "
                               f"(got mix_from={mix_from}, mean_code {'given' if mean_code is not None else 'None'})")
            w = torch.cat([w[:, :mix_from], mean_code[mix_from:].expand(w.shape[0], -1, -1)], dim=1)
        return self.decode(w)

    def loss(self, x) -> torch.Tensor:
        """Return the batch mean of λ1·L2 + λ2·LPIPS between x and R(T_u(x)), u drawn per image (Eqs. 1–3, Alg. 1).

        L2 is ``squared_error``; LPIPS is
        ``oodlib.perceptual.lpips_distance`` (AlexNet, v0.1). The erosions come from the global (seeded) RNG."""
        if x.dtype != torch.uint8:
            raise BadInput(f"the repairer trains on uint8 images, got {x.dtype}")
        c = self.config
        eroded = random_erosions(x, erosion_set(c.variant))
        repaired, target = self.repair(eroded), x.float()
        return (c.l2_weight * squared_error(repaired, target) + c.lpips_weight * lpips_distance(repaired, target)).mean()
