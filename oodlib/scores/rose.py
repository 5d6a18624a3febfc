"""ROSE (Choi et al.): a per-layer Fisher-preconditioned gradient norm, standardised and aggregated.

Per layer l: S_l(x) = s_lᵀ F_l⁻¹ s_l with s_l = ∇_θl log p(x) (Eq. 5), F_l the empirical Fisher of N
in-distribution training images, approximated by its diagonal (DIAG, Eq. 6) or by EKFAC (Eq. 7–9,
``oodlib.ekfac``); ŝ_l = (S_l − mean_l) / std_l with the training images' mean and std (Eq. 10);
score = ‖ReLU(ŝ + β)‖_p, β = 0 and p = ∞ by default (Eq. 11). For a VAE, log p(x) is the single-sample
ELBO (App. B.1). Works on any ``nn.Module`` with ``log_prob`` (or ``elbo``); layers are chosen by name.
DIAG's per-sample gradients come from ``gradients.LayerGradients``: Linear/Conv2d layers from one batched
backward (also on models torch.func.vmap cannot run, e.g. flows that accumulate log-determinants in
place), other kinds of layers by vmap, or by a per-sample loop where vmap fails.
"""

from __future__ import annotations

import math

import torch

from .. import data
from ..ekfac import EKFACLayer, kronecker_factors, layer_io
from ..errors import UnknownName
from ..gradients import LayerGradients
from .base import Scorer

PRECONDITIONERS = ("diag", "ekfac")


def default_log_lik(model, x):
    """Return the single-sample ELBO where the model has one (VAE), else its log_prob, summed over the batch."""
    f = getattr(model, "elbo", None) or model.log_prob
    return f(x).sum()


class ROSE(Scorer):
    """ROSE score (Eq. 5–11) on the named ``layers`` (default: every module with parameters)."""

    name = "ROSE"

    def __init__(self, layers=None, preconditioner: str = "diag", n_fisher: int = 1000, beta: float = 0.0,
                 p: float = math.inf, damping: float = 1e-8, seed: int = 0, batch_size: int = 64,
                 log_lik=default_log_lik):
        super().__init__()
        if preconditioner not in PRECONDITIONERS:
            raise UnknownName(f"unknown preconditioner {preconditioner!r}; choose one of: {', '.join(PRECONDITIONERS)}")
        self.layers, self.preconditioner, self.n_fisher, self.beta, self.p = layers, preconditioner, n_fisher, beta, p
        self.damping, self.seed, self.batch_size, self.log_lik = damping, seed, batch_size, log_lik

    def _grads(self, x):
        """Return {parameter name: B×(shape)}, s_l of Eq. 5; each pass reseeded: same image → same ELBO noise."""
        x = x.to(torch.uint8) if x.is_floating_point() else x   # validated 0..255 values; uint8 keeps vmap happy
        return self.gradients(x)

    def _layer_io(self, x):
        x = x.to(torch.uint8) if x.is_floating_point() else x
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)                 # the ELBO's noise, as in _grads
            return layer_io(self.model, self.log_lik, x, list(self.ekfac))

    def _batches(self, x):
        return [x[i:i + self.batch_size] for i in range(0, x.shape[0], self.batch_size)]

    def fit(self, model, id_train):
        """Estimate the Fisher approximation and the per-layer score statistics from ``n_fisher`` training images.

        Passes over the same images (the layer scores need the finished Fisher; keeping every per-sample
        gradient instead would take n_fisher × (layer parameters) floats): DIAG accumulates squared
        gradients; EKFAC first collects the Kronecker factors (one batched backward), then S (Eq. 8).
        """
        super().fit(model)
        model.eval()
        x = id_train.x if isinstance(id_train, data.ImageSet) else id_train
        g = torch.Generator().manual_seed(self.seed)
        x = x[torch.randperm(x.shape[0], generator=g)[:self.n_fisher]]
        self.gradients = LayerGradients(model, self.log_lik, self.layers, seed=self.seed)
        self.groups = self.gradients.groups              # layer (module name) -> its parameter names
        if self.preconditioner == "diag":
            sq = {n: 0.0 for names in self.groups.values() for n in names}
            for xb in self._batches(x):
                for n, gr in self._grads(xb).items():
                    sq[n] = sq[n] + gr.pow(2).sum(0)
            self.fisher = {n: v / x.shape[0] + self.damping for n, v in sq.items()}
        else:
            layers = list(self.groups)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.seed)
                factors = kronecker_factors(model, self.log_lik, self._batches(x), layers)
            self.ekfac = {name: EKFACLayer(*factors[name]) for name in layers}
            for xb in self._batches(x):
                for name, (a, g) in self._layer_io(xb).items():
                    self.ekfac[name].accumulate(a, g)
            for layer in self.ekfac.values():
                layer.finish()
        raw = torch.cat([self.layer_scores(xb) for xb in self._batches(x)])
        self.mean, self.std = raw.mean(0), raw.std(0).clamp_min(1e-12)
        return self

    def layer_scores(self, x) -> torch.Tensor:
        """Return S_l(x) = s_lᵀ F̂_l⁻¹ s_l for each layer l (B × L), ROSE Eq. 5 under DIAG (Eq. 6) or EKFAC (Eq. 9)."""
        if self.preconditioner == "diag":
            grads = self._grads(x)
            per_layer = [sum((grads[n].pow(2) / self.fisher[n]).flatten(1).sum(1) for n in names)
                         for names in self.groups.values()]
        else:
            io = self._layer_io(x)
            per_layer = [layer.quadratic(*io[name], self.damping) for name, layer in self.ekfac.items()]
        return torch.stack(per_layer, dim=1)

    def _score_batch(self, x):
        z = (self.layer_scores(x) - self.mean) / self.std
        return torch.linalg.vector_norm(torch.relu(z + self.beta), ord=self.p, dim=1)
