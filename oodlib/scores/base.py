"""The face every scorer shares: ``fit(model, id_train)`` then ``score(x) -> Tensor[B]``, higher = more OOD."""

from __future__ import annotations

import torch

from ..checks import check_images
from ..errors import BadInput
from ..progress import progress_bar


class Scorer:
    """Base class: subclasses implement ``_score_batch(x_float) -> Tensor[B]`` and may override ``fit``."""

    name = "scorer"
    batch_size = 64

    def __init__(self):
        self.model = None

    def fit(self, model, id_train=None):
        """Remember ``model`` (and learn from in-distribution training images where the method needs to)."""
        self.model = model
        return self

    def _require_model(self):
        if self.model is None:
            raise BadInput(f"{type(self).__name__}.score called before fit(model, id_train)")

    def score(self, x, progress: bool = False) -> torch.Tensor:
        """Return one score per image of uint8 ``x`` (B×C×H×W), higher = more OOD, batched."""
        self._require_model()
        channels = getattr(getattr(self.model, "config", None), "channels", None)
        xf = check_images(x, channels=channels)
        out = []
        starts = range(0, xf.shape[0], self.batch_size)
        for i in progress_bar(starts, enabled=progress and len(starts) >= 4, desc=self.name):
            out.append(self._score_batch(xf[i:i + self.batch_size]).detach().cpu())
        s = torch.cat(out) if out else torch.empty(0)
        if torch.isnan(s).any():
            raise BadInput(f"{self.name} produced NaN scores; check the model and its inputs")
        return s

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError
