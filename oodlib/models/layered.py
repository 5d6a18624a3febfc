"""The six classifiers of ROSE App. D (Fig. 6): a basic CNN of four conv layers, VGG-11/13/16/19 and ResNet-18,
each with one fully connected layer, for layer-wise ROSE on the predicted label's cross-entropy.

VGG's conv stacks are torchvision's (``vgg.make_layers`` on its configurations A, B, D, E, with batch norm; five
max-pools take 32×32 to 1×1, then one linear layer instead of VGG's three); ResNet-18 is torchvision's, its first
conv taking ``channels`` inputs. ``width`` scales every conv's channels (VGG and the basic CNN; 1 = the published
64–512) so that they train on a CPU; torchvision's ResNet has no width multiplier, so ResNet-18 keeps its widths.
The basic CNN, "derived from AlexNet" without more detail in App. D, is conv 5×5 (64), conv 5×5 (128), conv 3×3
(256), conv 3×3 (256), each with batch norm and ReLU, max-pools after the 1st, 2nd and 4th.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images
from ..errors import UnknownName

VGG_CONFIGS = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}
ARCHS = ("cnn4", *VGG_CONFIGS, "resnet18")


@dataclass(frozen=True)
class LayeredClassifierConfig:
    """One of App. D's classifiers: ``arch`` in ARCHS, ``width`` × the published channels (not ResNet-18's)."""

    arch: str = "cnn4"
    channels: int = 1
    classes: int = 10
    image_size: int = 32
    width: float = 1.0

    def __post_init__(self):
        if self.arch not in ARCHS:
            raise UnknownName(f"unknown App. D classifier {self.arch!r}; known: {', '.join(ARCHS)}")

    def to_dict(self) -> dict:
        return {"kind": "layered_classifier", **asdict(self)}


def _scaled(c: int, width: float) -> int:
    return max(1, int(round(c * width)))


def _cnn4(cfg: LayeredClassifierConfig) -> tuple[nn.Module, int]:
    layers, c_in = [], cfg.channels
    for c, k, pool in ((64, 5, True), (128, 5, True), (256, 3, False), (256, 3, True)):
        c = _scaled(c, cfg.width)
        layers += [nn.Conv2d(c_in, c, k, padding=k // 2, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
        layers += [nn.MaxPool2d(2)] if pool else []
        c_in = c
    side = cfg.image_size // 8
    return nn.Sequential(*layers, nn.Flatten()), c_in * side * side


def _vgg(cfg: LayeredClassifierConfig) -> tuple[nn.Module, int]:
    import torchvision.models.vgg as tv_vgg  # deferred: importing torchvision costs each process ~1.5 s

    plan = [v if v == "M" else _scaled(v, cfg.width) for v in tv_vgg.cfgs[VGG_CONFIGS[cfg.arch]]]
    body = tv_vgg.make_layers(plan, batch_norm=True)
    body[0] = nn.Conv2d(cfg.channels, plan[0], 3, padding=1)      # torchvision's first conv takes 3 channels
    side = cfg.image_size // 32
    return nn.Sequential(body, nn.Flatten()), plan[-2] * side * side


def _resnet18(cfg: LayeredClassifierConfig) -> tuple[nn.Module, int]:
    import torchvision.models.resnet as tv_resnet  # deferred, as above

    net = tv_resnet.resnet18(weights=None, num_classes=cfg.classes)
    net.conv1 = nn.Conv2d(cfg.channels, 64, 7, stride=2, padding=3, bias=False)
    net.fc = nn.Identity()
    return net, 512


class LayeredClassifier(nn.Module):
    """``logits(x)``, ``loss(x, y)`` (mean cross-entropy) and ``depth_layers()``: its conv and linear layers in
    forward order, the horizontal axis of ROSE Fig. 6."""

    supervised = True      # oodlib.train passes the labels to loss(x, y)

    def __init__(self, cfg: LayeredClassifierConfig):
        super().__init__()
        self.config = cfg
        build = {"cnn4": _cnn4, "resnet18": _resnet18}.get(cfg.arch, _vgg)
        self.body, features = build(cfg)
        self.fc = nn.Linear(features, cfg.classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Return the class logits of uint8 (or 0..255 float) images, scaled to [−1, 1]."""
        xf = check_images(x, channels=self.config.channels, size=self.config.image_size)
        return self.fc(self.body(xf.to(self.fc.weight.device) / 127.5 - 1.0))

    def forward(self, x):
        return self.logits(x)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the logits against labels ``y``."""
        return F.cross_entropy(self.logits(x), y.to(self.fc.weight.device))

    def depth_layers(self) -> list[str]:
        """Return the names of every Conv2d and Linear module, in forward order (ResNet's shortcut convs after
        their block's second conv)."""
        return [n for n, m in self.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def predicted_label_log_lik(model, x: torch.Tensor) -> torch.Tensor:
    """Return Σ_i log softmax(f(x_i))[ŷ_i], ŷ_i the predicted label: minus the cross-entropy ROSE App. D uses as
    the log-likelihood of a classifier (``ROSE(log_lik=...)``)."""
    logits = model.logits(x)
    return -F.cross_entropy(logits, logits.argmax(1).detach(), reduction="sum")
