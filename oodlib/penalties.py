"""Extra training-loss terms that plug into ``oodlib.train.train`` (``penalty=`` or ``TrainConfig.penalty``):
the approximate-mass penalty (Chali et al. Eq. 2), the energy-bounded outlier loss (Liu et al. 2020), and
Schirrmeister et al.'s outlier loss (Eq. S1) with the margin loss it is compared with (S7.5) — these two are in
``oodlib.outlier_loss``.

A penalty is a callable ``penalty(model, x) -> scalar`` added to ``model.loss(x)``. One that also has
``loss_and_penalty(model, x) -> (loss, penalty)`` lets ``train`` build both terms from one forward pass
(needed when the penalty differentiates the loss itself, and so that both terms see the same
dequantisation noise).

The approximate-mass penalty (Chali et al. 2023, Eq. 2; §3.2), by double backpropagation:

    objective = ℓ(x) + α · (1/B) Σ_i ‖∂ℓ(x)/∂x̃_i‖₂,

with ℓ the model's own batch loss (for the flows, −(1/B) Σ_i log p(x_i) in bits/dim), x̃ = x / 255 the
image in [0, 1] (``oodlib.units.PIXEL_SCALE``) and B the batch size.

Units and α. This is exactly what the reference code computes (chsamy/ood_detection_approximate_mass,
``flow_ssl/flow_loss.py``): ``nll = -ll.mean()`` over the batch (nats per image), ``gradient =
autograd.grad(nll, x, create_graph=True)`` w.r.t. its ToTensor input x̃, the L2 norm of each image's
flattened gradient, averaged over the batch, ``loss = nll + alpha * norm`` — and what the paper writes:
in Eq. 2 L is "the average log-likelihood [...] on a batch", differentiated, its norm taken per image
and averaged ("3. average the norms", §3.2). Consequences, kept on purpose:

* The gradient is of the batch *mean*, so image i contributes ‖∂ log p(x_i)/∂x̃_i‖ / B: the penalty is
  α/B times the batch's mean approximate mass (``oodlib.scores.approx_mass``, nats per unit of x̃)
  in the loss's units (÷ D·ln 2 for bits/dim). Per image the objective is −log p(x_i) + (α/B)·mass_i:
  with the paper's α = 2 and the reference's batch of 64, the approximate mass weighs 1/32. (A last,
  smaller batch of an epoch weighs its images' masses more, as in the reference.)
* α = 0 is vanilla training exactly (the same weights from the same seed; ``TrainConfig`` then gives
  the vanilla cache key).
* The penalty is proportional to the loss's scale, so the objective in bits/dim is the reference's
  objective in nats/image divided by D·ln 2: α means the same thing in either unit, and the paper's
  α = 2 carries over unchanged. (Adam's update is nearly invariant to a constant factor on the whole
  objective, though not exactly: its eps and a coupled weight decay do not scale with it. The reference
  also clips the parameter gradient's norm at 100 nats, which ``train`` does not.)
"""

from __future__ import annotations

import math

import torch

from .errors import BadInput, UnknownName
from .models import model_dtype_device
from .outlier_loss import MarginLoss, OutlierImages, OutlierLoss
from .units import PIXEL_SCALE


class ApproxMassPenalty:
    """α · (1/B) Σ_i ‖∂ℓ/∂x̃_i‖₂ with ℓ = ``model.loss`` (Chali Eq. 2); see the module docstring for units."""

    name = "approx_mass"

    def __init__(self, alpha: float):
        alpha = float(alpha)
        if not math.isfinite(alpha) or alpha < 0:
            raise BadInput(f"the approximate-mass penalty needs a finite alpha >= 0, got {alpha}")
        self.alpha = alpha

    def loss_and_penalty(self, model, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (ℓ(x), penalty) from one forward pass of uint8 (or 0..255 float) images ``x``.

        The penalty keeps its graph (create_graph=True), so backward through ``ℓ + penalty`` reaches the
        parameters through the input gradient (double backpropagation).
        """
        if not callable(getattr(model, "loss", None)):
            raise BadInput(f"the approximate-mass penalty needs a model with loss(x); {type(model).__name__} has none")
        if self.alpha == 0.0:         # vanilla training, bit for bit (a zero-weighted double backward would
            loss = model.loss(x)      # reorder the parameter gradients' float sums)
            return loss, torch.zeros((), dtype=loss.dtype, device=loss.device)
        dtype, device = model_dtype_device(model)
        xf = x.detach().to(device=device, dtype=dtype).requires_grad_(True)
        loss = model.loss(xf)
        (grad,) = torch.autograd.grad(loss, xf, create_graph=True)
        return loss, self.alpha * (PIXEL_SCALE * grad.flatten(1).norm(dim=1)).mean()

    def __call__(self, model, x: torch.Tensor) -> torch.Tensor:
        """Return the penalty alone (its own forward pass; ``train`` prefers ``loss_and_penalty``)."""
        return self.loss_and_penalty(model, x)[1]

    def __repr__(self):
        return f"ApproxMassPenalty(alpha={self.alpha})"


def approx_mass_penalty(alpha: float) -> ApproxMassPenalty:
    """Return the approximate-mass penalty of Chali et al. Eq. 2 with weight ``alpha`` (paper: α = 2)."""
    return ApproxMassPenalty(alpha)


class EnergyOutlierPenalty:
    """Energy-bounded training with outliers (Liu et al. 2020, Eq. 5), for a classifier with ``logits(x)``.

    Each step draws a batch of outlier images as large as the labelled in-distribution batch (from torch's
    seeded, checkpointed generator), passes both through the classifier together (one forward, shared
    BatchNorm statistics, as Liu et al.'s code does) and adds
    α · (mean_in max(0, E(x_in) − m_in)² + mean_out max(0, m_out − E(x_out))²), E(x) = −logsumexp f(x),
    to the cross-entropy: pytorch-ood's ``EnergyRegularizedLoss`` with α = 0.1, m_in = −25, m_out = −7
    (Liu et al. §4.1, CIFAR). ``outliers``: uint8 images, or "name:split" of ``oodlib.data``. Chali et al.
    §4.3 train their Energy baseline this way with the OOD *test* set's distribution as the outliers
    (MNIST for Fashion-MNIST, SVHN for CIFAR-10).
    """

    name = "energy_outlier"

    def __init__(self, weight: float = 0.1, outliers=None, margin_in: float = -25.0, margin_out: float = -7.0):
        self.weight, self.margin_in, self.margin_out = float(weight), margin_in, margin_out
        self._outliers = OutlierImages(outliers, example="mnist:train")

    def outliers(self, like: torch.Tensor) -> torch.Tensor:
        """Return the outlier images (loaded on first use, with the batch's channels and size)."""
        return self._outliers.pool(like)

    def loss_and_penalty(self, model, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (cross-entropy of the labelled batch, the energy term) from one forward pass of both batches."""
        from pytorch_ood.loss import EnergyRegularizedLoss   # deferred: a heavy optional dependency, this loss's alone

        x_out = self._outliers.batch(x)
        logits = model.logits(torch.cat([x, x_out]))
        targets = torch.cat([y, torch.full((len(x_out),), -1, dtype=y.dtype, device=y.device)])
        total = EnergyRegularizedLoss(self.weight, self.margin_in, self.margin_out)(logits, targets)
        ce = torch.nn.functional.cross_entropy(logits[:len(x)], y)
        return ce, total - ce

    def __call__(self, model, x, y):
        return self.loss_and_penalty(model, x, y)[1]


def _outlier_loss(weight, data=None, reference=None):
    return OutlierLoss(weight, data, reference)


def _margin_loss(weight, data=None, reference=None):
    if reference is not None:
        raise BadInput("the margin loss compares the model with itself; drop penalty_reference")
    return MarginLoss(weight, data)


PENALTIES = {"approx_mass": approx_mass_penalty, "energy_outlier": EnergyOutlierPenalty, "outlier": _outlier_loss,
             "margin": _margin_loss}
NEEDS_REFERENCE = ("outlier",)


def check_penalty_name(name: str) -> None:
    """Raise UnknownName unless ``name`` is a key of PENALTIES."""
    if name not in PENALTIES:
        raise UnknownName(f"unknown penalty {name!r}; known: {', '.join(PENALTIES)}")


def make_penalty(name: str, weight: float, data: str | None = None, reference=None):
    """Return the penalty called ``name`` (a key of PENALTIES) with weight ``weight`` (and its ``data`` and
    ``reference`` model, if any: the model itself, or a function returning it on first use; never its cache key,
    which ``cache.get_trained`` resolves)."""
    check_penalty_name(name)
    if name in NEEDS_REFERENCE:
        return PENALTIES[name](weight, data, reference)
    if reference is not None:
        raise BadInput(f"the {name} penalty takes no reference model; drop penalty_reference (got {reference!r})")
    return PENALTIES[name](weight) if data is None else PENALTIES[name](weight, data)
