"""Likelihood as an OOD score: the negative log-likelihood (IWAE for VAEs, ROSE §3.1)."""

from __future__ import annotations

import inspect

import torch

from ..errors import BadInput
from .base import Scorer


class NLL(Scorer):
    """Score = −log p(x) in nats per image; for a VAE the IWAE estimate with ``k`` samples (ROSE App. B.1)."""

    name = "NLL"

    def __init__(self, k: int = 20, seed: int = 0, batch_size: int = 64):
        super().__init__()
        self.k, self.seed, self.batch_size = k, seed, batch_size

    def fit(self, model, id_train=None):
        """Check that ``model`` has ``log_prob(x)``; nothing is learned."""
        if not callable(getattr(model, "log_prob", None)):
            raise BadInput(f"NLL needs a density model with log_prob(x) -> Tensor[B]; "
                           f"{type(model).__name__} has none")
        params = inspect.signature(model.log_prob).parameters
        self._iwae = "k" in params and "generator" in params
        return super().fit(model)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        self._generator = torch.Generator().manual_seed(self.seed)   # same images → same scores
        with torch.no_grad():
            return super().score(x, progress)

    def _score_batch(self, x):
        if self._iwae:
            return -self.model.log_prob(x, k=self.k, generator=self._generator)
        return -self.model.log_prob(x)        # a density model with an exact likelihood
