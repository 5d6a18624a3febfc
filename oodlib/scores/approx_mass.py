"""The approximate mass (Chali et al. 2023, Eq. 1; Grathwohl et al. 2020): ‖∂ log p(x)/∂x‖₂ per image.

Direction. Chali et al. §2: the approximate mass "is expected to have smaller values for ID data than to
OOD data"; §4.3 (Fig. 3): the penalised flow "reflects the expected ordering of OOD and ID data, with
OOD data having greater values than ID one" (the paper calls the gradient *norm* itself the
approximate mass; Grathwohl et al.'s in-distribution score is its negative). So the score is the norm
itself: a steep log-likelihood around x (little probability mass nearby) = more OOD, which is
the library's convention (higher = more OOD) with no sign flip. A vanilla flow may rank the other way
round (Chali §3.1, Table 1: AUROC 0.0008 on CIFAR-10 → SVHN); the score does not hide that.

Input scale. The gradient is taken w.r.t. the image scaled to [0, 1] as x̃ = x / 255, with x the pixel
values 0..255 that ``log_prob`` takes: the reference code (chsamy/ood_detection_approximate_mass, from
flowgmm) feeds ``torchvision.transforms.ToTensor()`` images, x̃ = x / 255, to a RealNVP whose
pre-processing is y = (255·x̃ + u) / 256, and differentiates w.r.t. x̃. Our flows dequantise the same
way, y = (x + u) / 256, so ∂/∂x̃ = 255·∂/∂x (``PIXEL_SCALE``) puts the score on the reference's input
scale, the one its α is tuned on (Eq. 2, ``oodlib.penalties``). A constant factor changes no ranking
metric.

Per sample, batched. The gradient of Σ_i log p(x_i) w.r.t. the batch has, as its i-th slice,
∂ log p(x_i)/∂x_i, because in eval mode log p(x_i) depends on x_i alone (the flows here have no
BatchNorm, and evaluation dequantises at the bins' midpoints): one backward pass scores the whole
batch. The scorer puts the model in eval mode while scoring (restoring its flags afterwards) and uses
midpoint dequantisation, so scores are deterministic. The reference evaluation (``test`` in
``train_unsup_ood_new_loss.py``) differentiates the batch-*mean* NLL, with uniform dequantisation noise,
and averages the norms over the batch: one value per batch, (1/B)·mean_i of this score (REFERENCE_NOTES),
which its training script plots per epoch (cf. the paper's Figs. 1, 3). This scorer returns one score per image.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

import torch

from ..errors import BadInput
from ..models import model_dtype_device
from ..units import PIXEL_SCALE
from .base import Scorer


def approximate_mass(model, x: torch.Tensor, create_graph: bool = False) -> torch.Tensor:
    """Return ‖∂ log p(x_i)/∂x̃_i‖₂ per image (x̃ = x / 255), a tensor of shape [B] in nats per unit of x̃.

    ``x``: pixel values 0..255 (uint8 or float), B×C×H×W. One backward pass of Σ_i log p(x_i) gives every
    per-image gradient, which holds when each image's log-likelihood depends on that image alone (eval
    mode; the caller's responsibility — ``ApproximateMass`` sees to it). Uses ``log_prob(x, noise=False)``
    (midpoint dequantisation) when the model's ``log_prob`` takes ``noise``. ``create_graph=True`` keeps
    the graph for a second differentiation (double backpropagation, as in the penalty of Eq. 2).
    """
    if not callable(getattr(model, "log_prob", None)):
        raise BadInput(f"the approximate mass needs a density model with log_prob(x) -> Tensor[B]; "
                       f"{type(model).__name__} has none")
    dtype, device = model_dtype_device(model)
    xf = x.detach().to(device=device, dtype=dtype).requires_grad_(True)   # a leaf in the model's precision
    kwargs = {"noise": False} if "noise" in inspect.signature(model.log_prob).parameters else {}
    with torch.enable_grad():
        log_p = model.log_prob(xf, **kwargs)
        if log_p.shape != (x.shape[0],):
            raise BadInput(f"{type(model).__name__}.log_prob returned shape {tuple(log_p.shape)}; "
                           f"expected one value per image, ({x.shape[0]},)")
        (grad,) = torch.autograd.grad(log_p.sum(), xf, create_graph=create_graph)
    return PIXEL_SCALE * grad.flatten(1).norm(dim=1)


@contextmanager
def eval_mode(model):
    """Run with ``model`` in eval mode, restoring every submodule's train/eval flag afterwards."""
    flags = {m: m.training for m in model.modules()}
    model.eval()
    try:
        yield
    finally:
        for m, flag in flags.items():
            m.training = flag


class ApproximateMass(Scorer):
    """Score = ‖∂ log p(x)/∂x̃‖₂ per image, x̃ = x / 255 (Chali et al. Eq. 1); higher = more OOD (§2, §4.3).

    Works on any model with a ``log_prob(x)`` differentiable w.r.t. float pixel values (the flows of
    ``oodlib.models``). Nothing is learned from the training images.
    """

    name = "approx_mass"

    def __init__(self, batch_size: int = 64):
        super().__init__()
        self.batch_size = batch_size

    def fit(self, model, id_train=None):
        """Check that ``model`` has ``log_prob(x)``; nothing is learned."""
        if not callable(getattr(model, "log_prob", None)):
            raise BadInput(f"ApproximateMass needs a density model with log_prob(x) -> Tensor[B], differentiable "
                           f"w.r.t. x; {type(model).__name__} has none")
        return super().fit(model)

    def _score_batch(self, x):
        with eval_mode(self.model):
            return approximate_mass(self.model, x).detach()
