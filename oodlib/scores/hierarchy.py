"""Schirrmeister et al.'s scores on a multi-scale flow: the raw log-likelihood, the last scale's contribution ("4×4")
and the log-likelihood difference to a general-distribution model ("Diff", Eq. 4 of the main paper), all on the
noise-free midpoint inputs (S4.5: the flows' ``log_prob`` in eval mode).

Scores are higher = more OOD, in nats per image. S4.5: a log-likelihood that is not finite (expected from a model
trained with the outlier loss, which pushes outliers towards likelihood zero) is set to −3,000,000 before any
difference is taken, so that such images still count in the AUROC, as the most anomalous.

The general model of ``LikelihoodDiff`` is a density model (a Glow trained on the general-distribution set) or
"png": PNG at maximum compression as a general model of natural images, log p_png(x) = −L(x)·ln 2 with L the code
length in bits (the supplement's "PNG as general-distribution model", S6; Serrà et al.'s IC(png) up to the unit).
"""

from __future__ import annotations

import math

import torch

from ..errors import BadInput
from .base import Scorer
from .complexity import code_length_bits

NONFINITE_LOG_LIKELIHOOD = -3_000_000.0        # S4.5


def finite_log_likelihood(lp: torch.Tensor) -> torch.Tensor:
    """Return ``lp`` with every non-finite entry (−inf, +inf, NaN) set to −3,000,000 (S4.5)."""
    return torch.where(torch.isfinite(lp), lp, torch.full_like(lp, NONFINITE_LOG_LIKELIHOOD))


def _require_flow(model, what: str):
    if not callable(getattr(model, "log_prob_per_scale", None)):
        raise BadInput(f"{what} needs a multi-scale flow with log_prob_per_scale(x) (oodlib.models.Glow); "
                       f"{type(model).__name__} has none")


class RawLikelihood(Scorer):
    """Score = −log p(x) (nats), non-finite log-likelihoods set to −3,000,000 first (S4.5)."""

    name = "Raw"

    def fit(self, model, id_train=None):
        if not callable(getattr(model, "log_prob", None)):
            raise BadInput(f"Raw needs a density model with log_prob(x); {type(model).__name__} has none")
        return super().fit(model)

    @torch.no_grad()
    def _score_batch(self, x):
        return -finite_log_likelihood(self.model.log_prob(x))


class LastScale(Scorer):
    """Score = −c_L(x), the last scale's contribution to log p(x) (main paper Eq. 3; the 4×4 scale of a 32×32 Glow
    with three scales), set to −3,000,000 where not finite (S4.5). A supervised Glow's c_L marginalises the class."""

    name = "4x4"

    def fit(self, model, id_train=None):
        _require_flow(model, "the last-scale score")
        return super().fit(model)

    @torch.no_grad()
    def _score_batch(self, x):
        return -finite_log_likelihood(self.model.log_prob_per_scale(x)[:, -1])


class LikelihoodDiff(Scorer):
    """Score = log p_general(x) − log p_in(x) (nats; main paper Eq. 4 with the sign that makes higher = more OOD),
    each log-likelihood made finite first (S4.5). ``general``: a density model with ``log_prob``, or "png"."""

    name = "Diff"

    def __init__(self, general):
        super().__init__()
        if isinstance(general, str):
            if general != "png":
                raise BadInput(f"the general model is a density model or 'png', got {general!r}")
        elif not callable(getattr(general, "log_prob", None)):
            raise BadInput(f"the general model needs log_prob(x); {type(general).__name__} has none")
        self.general = general

    def fit(self, model, id_train=None):
        if not callable(getattr(model, "log_prob", None)):
            raise BadInput(f"Diff needs an in-distribution density model with log_prob(x); {type(model).__name__} "
                           "has none")
        return super().fit(model)

    def general_log_likelihood(self, x: torch.Tensor) -> torch.Tensor:
        """Return log p_general(x) per image, in nats (−L_png(x)·ln 2 for PNG)."""
        if isinstance(self.general, str):
            return -code_length_bits(x, "png") * math.log(2)
        return self.general.log_prob(x)

    @torch.no_grad()
    def _score_batch(self, x):
        general = finite_log_likelihood(self.general_log_likelihood(x).cpu().double())
        return general - finite_log_likelihood(self.model.log_prob(x).cpu().double())


class InDistributionProbability(Scorer):
    """Score = −p(in-distribution | x) of a classifier trained to tell the in-distribution from the general
    distribution (S9: p_ResNet(y_indist | x) as the anomaly metric, negated so that higher = more OOD); ``in_class``
    is the in-distribution's class index."""

    name = "p(in | x)"

    def __init__(self, in_class: int = 1):
        super().__init__()
        self.in_class = int(in_class)

    def fit(self, model, id_train=None):
        if not callable(getattr(model, "logits", None)):
            raise BadInput(f"p(in | x) needs a classifier with logits(x); {type(model).__name__} has none")
        return super().fit(model)

    @torch.no_grad()
    def _score_batch(self, x):
        return -torch.softmax(self.model.logits(x), 1)[:, self.in_class]
