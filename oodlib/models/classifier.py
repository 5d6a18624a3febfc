"""A small pre-activation ResNet classifier: the in-distribution classifier behind Chali et al.'s Table 2 baselines.

§4.3 compares the penalised flow with three classifier-based detectors (Generalized ODIN, Mahalanobis,
Energy) "with a similar number of parameters": ``width`` and ``blocks`` size the network to the flow's
parameter count. Three stages of ``blocks`` pre-activation residual blocks (BatchNorm, ReLU, 3×3
convolutions; widths ``width``, 2·``width``, 4·``width``, the last two at stride 2), global average
pooling, then a head:

* ``"linear"``: logits f(x) = W·φ(x) + b, trained with cross-entropy (Mahalanobis, Energy);
* ``"godin"``: the DeConf-C head of Generalized ODIN (Hsu et al. 2020, Eq. 4 and §3.1.1): cosine
  similarities h_i(x) = w_iᵀφ(x) / (‖w_i‖‖φ(x)‖), a scalar g(x) = σ(BN(w_gᵀφ(x) + b_g)), logits h_i / g,
  trained with cross-entropy on those logits; the OOD score uses h alone (``oodlib.scores.classifier``).

Images are uint8 (or float 0..255, differentiable, for input pre-processing) mapped to [−1, 1].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import BadInput

HEADS = ("linear", "godin")


@dataclass(frozen=True)
class ClassifierConfig:
    """Architecture: ``classes`` outputs, stages of ``blocks`` residual blocks, ``width`` channels at stage 1."""

    channels: int = 3
    image_size: int = 32
    classes: int = 10
    width: int = 32
    blocks: int = 2
    head: str = "linear"

    def __post_init__(self):
        if self.head not in HEADS:
            raise BadInput(f"unknown classifier head {self.head!r}; use one of {', '.join(HEADS)}")

    def to_dict(self) -> dict:
        return {"kind": "classifier", **asdict(self)}


class PreActBlock(nn.Module):
    """BN → ReLU → conv 3×3 (stride s) → BN → ReLU → conv 3×3, plus a (strided 1×1) shortcut."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False) if (stride != 1 or cin != cout) else None

    def forward(self, h):
        a = F.relu(self.bn1(h))
        skip = self.shortcut(a) if self.shortcut is not None else h
        return skip + self.conv2(F.relu(self.bn2(self.conv1(a))))


class Classifier(nn.Module):
    """ResNet classifier with ``features(x)`` (penultimate layer), ``logits(x)`` and ``loss(x, y)``."""

    supervised = True      # oodlib.train passes the labels to loss(x, y)

    def __init__(self, config: ClassifierConfig = ClassifierConfig()):
        super().__init__()
        self.config = c = config
        layers, cin = [nn.Conv2d(c.channels, c.width, 3, 1, 1, bias=False)], c.width
        for stage in range(3):
            cout = c.width * 2 ** stage
            for b in range(c.blocks):
                layers.append(PreActBlock(cin, cout, 2 if (stage > 0 and b == 0) else 1))
                cin = cout
        self.body = nn.Sequential(*layers)
        self.out_norm = nn.BatchNorm2d(cin)
        self.feature_dim = cin
        self.fc = nn.Linear(cin, c.classes, bias=c.head == "linear")
        if c.head == "godin":
            self.g = nn.Sequential(nn.Linear(cin, 1), nn.BatchNorm1d(1), nn.Sigmoid())

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        c = self.config
        if x.dim() != 4 or x.shape[1:] != (c.channels, c.image_size, c.image_size):
            raise BadInput(f"expected images B×{c.channels}×{c.image_size}×{c.image_size}, got {tuple(x.shape)}")
        return x.to(self.fc.weight.dtype) / 127.5 - 1.0

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Return the penultimate features φ(x), B×feature_dim (after the last BN–ReLU and average pooling)."""
        h = F.relu(self.out_norm(self.body(self._prep(x))))
        return h.mean(dim=(2, 3))

    def cosine(self, feats: torch.Tensor) -> torch.Tensor:
        """Return h_i = cos(w_i, φ) of the G-ODIN head (Hsu et al. Eq. 4's numerator), B×classes."""
        return F.normalize(feats, dim=1) @ F.normalize(self.fc.weight, dim=1).T

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits: W·φ + b (linear head) or h / g (G-ODIN's DeConf-C head)."""
        feats = self.features(x)
        if self.config.head == "linear":
            return self.fc(feats)
        return self.cosine(feats) / self.g(feats)

    def forward(self, x):
        return self.logits(x)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the logits against labels ``y``."""
        return F.cross_entropy(self.logits(x), y.to(self.fc.weight.device))
