"""The single-sample typicality test (Nalisnick, Matsukawa, Teh & Lakshminarayanan 2019, "Detecting
out-of-distribution inputs to deep generative models using typicality").

An input is atypical when its negative log-likelihood is far from the model's entropy, estimated on
in-distribution images: Ĥ = (1/N) Σ_n −log p(x_n) (their Eq. 4 with batches of M = 1, the single-sample case
SR-OOD Table II compares). The score is |−log p(x) − Ĥ|, higher = more OOD; their bootstrap only sets a
threshold, which an AUROC does not need.
"""

from __future__ import annotations

import torch

from ..errors import BadInput
from .base import Scorer
from .likelihood import NLL


class Typicality(Scorer):
    """Score = |NLL(x) − Ĥ|, Ĥ the mean NLL of the in-distribution images given to ``fit`` (held out from training)."""

    name = "TT"

    def __init__(self, k: int = 20, seed: int = 0):
        super().__init__()
        self.nll = NLL(k=k, seed=seed)
        self.entropy = None

    def fit(self, model, id_train=None):
        """Estimate Ĥ on ``id_train`` (an ImageSet or uint8 images; best held out from the model's training set)."""
        if id_train is None:
            raise BadInput("Typicality.fit needs in-distribution images to estimate the entropy Ĥ")
        self.nll.fit(model)
        x = id_train.x if hasattr(id_train, "x") else id_train
        self.entropy = float(self.nll.score(x).mean())
        return super().fit(model)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        self._require_model()
        return (self.nll.score(x, progress) - self.entropy).abs()
