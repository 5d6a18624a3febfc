"""Random network distillation with a perturbed second target (SVD-RND, Choi & Chung; ROSE App. B.3).

Two frozen, randomly initialised target networks embed images: g0 the clean ones, g1 their perturbed copies
(SVD, DCT or Gaussian blur, or Random noise; ``oodlib.data.perturbation``). A predictor f learns to match g0 on
in-distribution images and g1 on the perturbed copies; an image far from what f learned, f(x) − g0(x) large,
is out of distribution (``oodlib.scores.RNDScore``).

The reference code (sungikchoi/NVB) uses ResNet-34 targets, a ResNet-34 predictor with two extra blocks, 512-d
outputs and 50 epochs of Adam at lr 1e-4. Here the networks are small plain CNNs of ``width`` channels (a strided
conv trunk, ``features``-d output), sized for a CPU; the predictor is the target's trunk with one more hidden
layer, as in NVB and Burda et al.'s RND, where the predictor is the larger network. Written here because no
maintained package ships RND for images.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..checks import check_images
from ..data.perturb import perturbation


@dataclass(frozen=True)
class RNDConfig:
    """Architecture of the RND networks and the perturbation g1 embeds (ROSE App. B.3: "svd:28", "dct:28", "gb",
    "random:0.2", ...)."""

    channels: int = 3
    image_size: int = 32
    width: int = 32
    features: int = 128
    perturbation: str = "svd:28"

    def __post_init__(self):
        perturbation(self.perturbation)     # an unknown name fails when the recipe is written

    def to_dict(self) -> dict:
        return {"kind": "rnd", **asdict(self)}


def _trunk(cfg: RNDConfig) -> nn.Sequential:
    """Conv 3×3 then three stride-2 4×4 convs (width, 2w, 4w, 4w), LeakyReLU: 32×32 → 4w × 4×4."""
    w = cfg.width
    layers, c_in = [nn.Conv2d(cfg.channels, w, 3, padding=1), nn.LeakyReLU(0.2)], w
    for c_out in (2 * w, 4 * w, 4 * w):
        layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        c_in = c_out
    return nn.Sequential(*layers, nn.Flatten())


class RND(nn.Module):
    """Targets ``g0`` (clean), ``g1`` (perturbed) and predictor ``f``; ``loss`` trains f, ``distance`` scores."""

    def __init__(self, cfg: RNDConfig):
        super().__init__()
        self.config = cfg
        side = cfg.image_size // 8
        flat = 4 * cfg.width * side * side
        self.g0 = nn.Sequential(_trunk(cfg), nn.Linear(flat, cfg.features))
        self.g1 = nn.Sequential(_trunk(cfg), nn.Linear(flat, cfg.features))
        self.f = nn.Sequential(_trunk(cfg), nn.Linear(flat, 2 * cfg.features), nn.LeakyReLU(0.2),
                               nn.Linear(2 * cfg.features, cfg.features))
        for target in (self.g0, self.g1):
            target.requires_grad_(False)
        self._perturb = perturbation(cfg.perturbation)

    @staticmethod
    def _normalise(x: torch.Tensor) -> torch.Tensor:
        return (x / 255.0 - 0.5) / 0.25

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        """Return the batch mean of ½(‖f(x) − g0(x)‖² + ‖f(x̃) − g1(x̃)‖²), x̃ the perturbed copy of uint8 ``x``."""
        check_images(x, channels=self.config.channels, size=self.config.image_size)
        clean, blurred = self._normalise(x.float()), self._normalise(self._perturb(x).float())
        with torch.no_grad():
            t0, t1 = self.g0(clean), self.g1(blurred)
        return 0.5 * ((self.f(clean) - t0).pow(2).sum(1) + (self.f(blurred) - t1).pow(2).sum(1)).mean()

    def distance(self, x: torch.Tensor) -> torch.Tensor:
        """Return ‖f(x) − g0(x)‖² per image of ``x`` (pixel values 0..255): the RND novelty score."""
        xn = self._normalise(x.float())
        return (self.f(xn) - self.g0(xn)).pow(2).sum(1)
