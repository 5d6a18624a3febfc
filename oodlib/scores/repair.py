"""SR-OOD (Sun et al., Alg. 2): the distance between an image and its repair, S(x) = d(x, R(T*(x))); higher = OOD.

``SROOD(erosion, distance)`` works with any repairer that has ``repair(x) -> images in [0, 255]`` (and, for style
mixing, ``encode``; ``oodlib.models.RepairNet``). The distances of Table IV:

- ``"lpips"``: LPIPS(x, R(T*(x))) — Alg. 2's ‖φ(R(T*(x))) − φ(x)‖², LPIPS v0.1 with ImageNet AlexNet
  (``oodlib.perceptual``);
- ``"l2"``: the mean squared error per sub-pixel on the [−1, 1] scale (Eq. 2's L2, as in training);
- ``"l2+lpips"``: λ1·L2 + λ2·LPIPS with the training weights λ1 = 1, λ2 = 0.8 (Eq. 1; the paper does not give
  Table IV's weights).

``mix_from`` = k applies §IV-D's style mixing at test time: the repairer's styles k and finer are replaced by the
mean code of the in-distribution training images (eroded by T*), which ``fit`` computes.

``select_erosion`` picks T* without OOD test data: the AUROC of in-distribution validation images against a
synthetic proxy (``erosions.jigsaw``) for every erosion of the training set (§IV-D: "a separate validation set").
"""

from __future__ import annotations

import torch

from ..errors import BadInput, UnknownName
from ..erosions import Erosion, jigsaw
from ..metrics import auroc
from ..models.repair import squared_error
from ..perceptual import lpips_distance
from .approx_mass import eval_mode
from .base import Scorer

DISTANCES = ("lpips", "l2", "l2+lpips")
L2_WEIGHT, LPIPS_WEIGHT = 1.0, 0.8          # §IV-C's λ1, λ2


def repair_distance(x: torch.Tensor, repaired: torch.Tensor, distance: str = "lpips") -> torch.Tensor:
    """Return d(x, repaired) per image for float batches in 0..255: ``distance`` one of DISTANCES."""
    if distance not in DISTANCES:
        raise UnknownName(f"unknown SR-OOD distance {distance!r}; known: {', '.join(DISTANCES)}")
    l2 = squared_error(repaired, x)
    if distance == "l2":
        return l2
    lp = lpips_distance(repaired, x)
    return lp if distance == "lpips" else L2_WEIGHT * l2 + LPIPS_WEIGHT * lp


class SROOD(Scorer):
    """Score = d(x, R(T*(x))) (Alg. 2), ``erosion`` = T*; ``mix_from``: test-time style mixing (§IV-D)."""

    name = "SR-OOD"

    def __init__(self, erosion: Erosion, distance: str = "lpips", mix_from: int | None = None, batch_size: int = 128):
        super().__init__()
        if not isinstance(erosion, Erosion):
            raise BadInput(f"SROOD needs an oodlib.erosions.Erosion as T*, got {type(erosion).__name__}")
        if distance not in DISTANCES:
            raise UnknownName(f"unknown SR-OOD distance {distance!r}; known: {', '.join(DISTANCES)}")
        self.erosion, self.distance, self.mix_from, self.batch_size = erosion, distance, mix_from, batch_size
        self.mean_code = None

    def fit(self, model, id_train=None):
        """Check that ``model`` repairs; with style mixing, average the codes of the eroded training images."""
        if not callable(getattr(model, "repair", None)):
            raise BadInput(f"SR-OOD needs a repairing network with repair(x) (oodlib.models.RepairNet); "
                           f"{type(model).__name__} has none")
        super().fit(model)
        if self.mix_from is not None:
            if id_train is None:
                raise BadInput("style mixing needs the in-distribution training images: fit(model, id_train)")
            x = id_train.x if hasattr(id_train, "x") else id_train
            with eval_mode(model), torch.no_grad():
                self.mean_code = torch.cat([model.encode(self.erosion(x[i:i + self.batch_size]))
                                            for i in range(0, len(x), self.batch_size)]).mean(0)
        return self

    def repairs(self, x: torch.Tensor) -> torch.Tensor:
        """Return R(T*(x)) of uint8 images, as uint8 (for figures)."""
        self._require_model()
        with eval_mode(self.model), torch.no_grad():
            return self.model.repair(self.erosion(x), self.mix_from, self.mean_code).round().clamp(0, 255).to(torch.uint8)

    def _score_batch(self, x):
        with eval_mode(self.model), torch.no_grad():
            eroded = self.erosion(x.round().to(torch.uint8))
            return repair_distance(x, self.model.repair(eroded, self.mix_from, self.mean_code), self.distance)


def select_erosion(model, erosions, validation: torch.Tensor, distance: str = "lpips", seed: int = 0):
    """Return (T*, {erosion label: AUROC}) over ``erosions``: each scores in-distribution ``validation`` images
    against their jigsaw-shuffled copies (``erosions.jigsaw``, the proxy), and T* has the highest AUROC
    (ties: the first). No OOD test image is used."""
    proxy = jigsaw(validation, seed=seed)
    aurocs = {}
    for erosion in erosions:
        scorer = SROOD(erosion, distance).fit(model)
        aurocs[erosion.label] = auroc(scorer.score(validation).numpy(), scorer.score(proxy).numpy())
    best = max(erosions, key=lambda e: aurocs[e.label])
    return best, aurocs
