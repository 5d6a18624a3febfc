"""RND's novelty score (SVD-RND, Choi & Chung; ROSE App. B.3): S(x) = ‖f(x) − g0(x)‖², higher = more OOD."""

from __future__ import annotations

import torch

from ..errors import BadInput
from .approx_mass import eval_mode
from .base import Scorer


class RNDScore(Scorer):
    """The squared distance between the predictor's and the clean target's embeddings of ``x``.

    ``fit(model)`` takes a trained ``oodlib.models.RND`` (its predictor matched the clean target on
    in-distribution images and the perturbed target on their perturbed copies); nothing more is learned.
    """

    name = "RND"
    batch_size = 256

    def fit(self, model, id_train=None):
        """Remember the trained RND networks ``model``."""
        if not callable(getattr(model, "distance", None)):
            raise BadInput(f"RNDScore needs a trained oodlib.models.RND (with distance(x)); got "
                           f"{type(model).__name__} — build one with RNDConfig and train it on in-distribution images")
        return super().fit(model)

    @torch.no_grad()
    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        with eval_mode(self.model):
            return self.model.distance(x)
