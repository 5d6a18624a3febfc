"""Training a density model to give outliers a low likelihood: Schirrmeister et al.'s outlier loss (Eq. S1) and the
margin loss it is compared with (S7.5, after Hendrycks et al. 2019). Both plug into ``oodlib.train.train`` as
penalties (``TrainConfig(penalty="outlier" | "margin", penalty_weight=λ, penalty_data="name:split", ...)``). Both
draw their outlier images through ``OutlierImages``, as the energy-bounded loss of ``oodlib.penalties`` does.

Outlier loss (Eq. S1), on a batch x_o of outlier images as large as the in-distribution batch:

    L_o = −λ · mean log σ((log p_ref(x_o) − log p(x_o)) / T),     T = 1000, λ = 6000 (S4.4),

with p the model being trained and p_ref a fixed reference (its log-likelihood detached): the general-distribution
model when an in-distribution model is trained, the in-distribution model when the general model is (Diff†). The
loss receives its reference; it does not load it: ``TrainConfig.penalty_reference`` names the reference by its cache
key (part of the trained model's key), and ``oodlib.cache.get_trained`` resolves that key and hands the model over. The
model's own objective stays −log p(x) on its batch x. Log-likelihoods are in nats per image; as in the reference code
(boschresearch/hierarchical_anomaly_detection, ``losses.nll_class_loss``) the two terms are added in nats per image,
and the sum is expressed in bits per dimension (÷ D·ln 2) like ``model.loss``, which rescales both alike.

Numerical stabilisation (S4.3): examples whose log-likelihood is not finite are dropped from their batch (both
batches are computed again without them), and when more than 75 % of either batch would go the whole step is skipped
(``loss_and_penalty`` returns None). Nothing else (no gradient clipping).

Margin loss (S7.5; the reference code's ``outlier_loss='margin'``): λ · mean max(0, D + log p(x_o) − log p(x)),
pairing the i-th outlier with the i-th in-distribution image, the in-distribution likelihood detached, a margin of
D nats (one per sub-pixel).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import data
from .errors import BadInput

TEMPERATURE = 1000.0     # Eq. S1's T (S4.4)
WEIGHT = 6000.0          # Eq. S1's λ (S4.4)
KEEP_AT_LEAST = 0.25     # S4.3: skip the batch when more than 75 % of it is not finite


class OutlierImages:
    """The outlier images a penalty draws from: uint8 tensors, or "name:split[:n[:seed]]" of ``oodlib.data`` (loaded
    on first use, at the batch's channels and size; n images of the seeded draw where given, as a DataSpec of that n
    and seed loads)."""

    def __init__(self, outliers, example: str = "general:train"):
        if outliers is None:
            raise BadInput(f"this penalty needs outlier images: TrainConfig(..., penalty_data={example!r})")
        self._outliers = outliers

    def pool(self, like: torch.Tensor) -> torch.Tensor:
        if isinstance(self._outliers, str):
            name, split, n, seed = (self._outliers.split(":") + ["", "", ""])[:4]
            self._outliers = data.load(name, split or None, n=int(n) if n else None, seed=int(seed or 0),
                                       channels=like.shape[1], size=like.shape[-1]).x
        return self._outliers

    def batch(self, like: torch.Tensor) -> torch.Tensor:
        """Return as many outliers as ``like`` has images, drawn with replacement from torch's (seeded) generator."""
        pool = self.pool(like)
        return pool[torch.randint(len(pool), (len(like),))].to(like.device)


def log_likelihood(model, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
    """Return log p(x) per image (nats), or log p(x | y) for a supervised model given labels ``y``."""
    conditional = callable(getattr(model, "class_log_likelihoods", None))
    if y is not None and getattr(model, "supervised", False) and conditional:
        return model.class_log_likelihoods(x).gather(1, y.long()[:, None]).squeeze(1)
    return model.log_prob(x)


def _finite_or_none(compute, x, y=None):
    """Return (log-likelihoods, kept x, kept y) of the finite part of a batch (computed again without the rest), or
    None when less than KEEP_AT_LEAST of it is finite."""
    lp = compute(x, y)
    keep = torch.isfinite(lp.detach())
    if keep.dim() > 1:                      # several log-likelihoods per image (rows): all must be finite
        keep = keep.all(0)
    if bool(keep.all()):
        return lp, x, y
    if keep.float().mean() < KEEP_AT_LEAST:
        return None
    x, y = x[keep], (None if y is None else y[keep])
    return compute(x, y), x, y


class OutlierLoss:
    """Eq. S1 with a reference model (see the module docstring).

    ``reference`` is the reference model (anything with ``log_prob(x, noise=...)``), or a function of no arguments
    that returns it, called when the loss is first used. ``cache.get_trained`` passes such a function: the reference
    is then built where it always was, at the first training step (building a model draws its initial weights from
    torch's seeded generator, so where that happens is part of what a seed trains).
    """

    name = "outlier"

    def __init__(self, weight: float = WEIGHT, outliers=None, reference=None, temperature: float = TEMPERATURE):
        if reference is None:
            raise BadInput("the outlier loss compares with a reference model: give it, or train through cache."
                           "get_trained with TrainConfig(..., penalty_reference=<cache key of the general model>)")
        if isinstance(reference, str) or not (callable(getattr(reference, "log_prob", None)) or callable(reference)):
            raise BadInput(f"the outlier loss's reference must be a model with log_prob, or a function returning one; "
                           f"got {reference!r} (a cache key is resolved by cache.get_trained, not here)")
        if not (math.isfinite(float(weight)) and weight >= 0 and temperature > 0):
            raise BadInput(f"the outlier loss needs λ >= 0 and T > 0, got λ={weight}, T={temperature}")
        self.weight, self.temperature = float(weight), float(temperature)
        self._outliers, self._reference = OutlierImages(outliers), reference

    def reference(self):
        """Return the reference model (obtained from the function given, on first use; eval mode, no gradients)."""
        if not callable(getattr(self._reference, "log_prob", None)):
            self._reference = self._reference()
        self._reference.eval().requires_grad_(False)
        return self._reference

    def terms_nats(self, model, x, y=None):
        """Return (−mean log p(x), L_o) in nats per image, or None when S4.3 skips the batch."""
        reference = self.reference()
        x_out = self._outliers.batch(x)
        inlier = _finite_or_none(lambda a, b: log_likelihood(model, a, b), x, y)

        def outlier(a, _):
            with torch.no_grad():
                ref = reference.log_prob(a, noise=True)
            return torch.stack([model.log_prob(a), ref])
        if inlier is None:
            return None
        lp_out_ref = _finite_or_none(outlier, x_out)
        if lp_out_ref is None:
            return None
        own, ref = lp_out_ref[0]
        loss_o = -self.weight * F.logsigmoid((ref - own) / self.temperature).mean()
        return -inlier[0].mean(), loss_o

    def loss_and_penalty(self, model, x, y=None):
        """Return (−log p(x) in bits/dim, L_o in bits/dim) of one batch, or None to skip it (S4.3)."""
        terms = self.terms_nats(model, x, y)
        if terms is None:
            return None
        per_dim = x[0].numel() * math.log(2)
        return terms[0] / per_dim, terms[1] / per_dim

    def __call__(self, model, x, y=None):
        terms = self.loss_and_penalty(model, x, y)
        return None if terms is None else terms[1]


class MarginLoss:
    """The margin loss of S7.5 (see the module docstring): λ · mean max(0, D + log p(x_o) − log p(x).detach())."""

    name = "margin"

    def __init__(self, weight: float = 1.0, outliers=None):
        if not (math.isfinite(float(weight)) and weight >= 0):
            raise BadInput(f"the margin loss needs a weight >= 0, got {weight}")
        self.weight, self._outliers = float(weight), OutlierImages(outliers)

    def loss_and_penalty(self, model, x, y=None):
        """Return (−log p(x) in bits/dim, the margin term in bits/dim) of one batch, or None to skip it (S4.3)."""
        inlier = _finite_or_none(lambda a, b: log_likelihood(model, a, b), x, y)
        if inlier is None:
            return None
        out = _finite_or_none(lambda a, b: model.log_prob(a), self._outliers.batch(x))
        if out is None:
            return None
        lp_in, lp_out = inlier[0], out[0]
        n = min(len(lp_in), len(lp_out))
        dims = x[0].numel()
        margin = self.weight * F.relu(dims + lp_out[:n] - lp_in[:n].detach()).mean()
        per_dim = dims * math.log(2)
        return -lp_in.mean() / per_dim, margin / per_dim

    def __call__(self, model, x, y=None):
        terms = self.loss_and_penalty(model, x, y)
        return None if terms is None else terms[1]
