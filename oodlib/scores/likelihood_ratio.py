"""Likelihood Ratio (Ren et al. 2019): the model's likelihood against a background model's."""

from __future__ import annotations

import torch

from ..errors import BadInput
from .base import Scorer
from .likelihood import NLL


class LRatio(Scorer):
    """Score = −LLR(x) = −(log p_model(x) − log p_background(x)) = NLL_model − NLL_background (Ren et al.).

    ``background`` is a density model of the same architecture trained on perturbed inputs (trained
    elsewhere). Both likelihoods are NLL scorers with ``k`` IWAE samples and ``seed``; pass ``nll``
    (e.g. one with ``memo=True``) to share the model's NLL with other scorers.
    """

    name = "LRatio"

    def __init__(self, background, k: int = 20, seed: int = 0, nll: NLL | None = None):
        super().__init__()
        if not callable(getattr(background, "log_prob", None)):
            raise BadInput(f"LRatio needs a background density model with log_prob(x) -> Tensor[B]; "
                           f"{type(background).__name__} has none — pass a model of the same architecture "
                           "trained on perturbed in-distribution images")
        self.background, self.k, self.seed = background, k, seed
        self.nll = nll if nll is not None else NLL(k=k, seed=seed)
        self.nll_background = NLL(k=k, seed=seed)

    def fit(self, model, id_train=None):
        """Fit one NLL scorer to ``model`` and another to the background model; nothing is learned."""
        self.nll.fit(model)
        self.nll_background.fit(self.background)
        return super().fit(model)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        """Return NLL_model(x) − NLL_background(x) per image, in nats."""
        self._require_model()
        return self.nll.score(x, progress) - self.nll_background.score(x, progress)
