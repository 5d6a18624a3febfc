"""WAIC over an ensemble of independently seeded density models (Choi, Jang & Alemi 2018, "WAIC, but why?").

WAIC(x) = E_θ[log p_θ(x)] − Var_θ[log p_θ(x)] over the ensemble's members (Choi et al. Eq. 2; the variance is
the population variance over the M members); the score is −WAIC(x), higher = more OOD. Each member's log p(x)
is the ``NLL`` scorer's (IWAE with ``k`` samples for a VAE, exact for a flow).
"""

from __future__ import annotations

import torch

from ..errors import BadInput
from .base import Scorer
from .likelihood import NLL


class WAIC(Scorer):
    """Score = −(mean − variance) of the members' log-likelihoods (Choi et al. Eq. 2); ``fit(members)``."""

    name = "WAIC"

    def __init__(self, k: int = 20, seed: int = 0):
        super().__init__()
        self.k, self.seed = k, seed
        self.members: list[NLL] = []

    def fit(self, model, id_train=None):
        """``model``: a list of at least two density models with ``log_prob`` (the ensemble); nothing is learned."""
        models = list(model) if isinstance(model, (list, tuple)) else None
        if not models or len(models) < 2:
            raise BadInput("WAIC needs an ensemble: fit([model_1, model_2, ...]) with at least two independently "
                           "seeded models")
        self.members = [NLL(k=self.k, seed=self.seed).fit(m) for m in models]
        return super().fit(models)

    def log_likelihoods(self, x, progress: bool = False) -> torch.Tensor:
        """Return the members' log p(x), M×B."""
        self._require_model()
        return torch.stack([-m.score(x, progress) for m in self.members])

    def score(self, x, progress: bool = False) -> torch.Tensor:
        ll = self.log_likelihoods(x, progress)
        return -(ll.mean(0) - ll.var(0, unbiased=False))
