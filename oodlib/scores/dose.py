"""DoSE, density of states estimation (Morningstar et al. 2021): a density over a VAE's summary statistics.

For each image the VAE gives four statistics (their §3.2's choice for VAEs): the IWAE negative log-likelihood,
the rate KL(q(z|x) ‖ p(z)) (closed form), the distortion −log p(x|z) at one seeded posterior sample, and the
posterior entropy H[q(z|x)] (closed form). They are standardised with the in-distribution training images'
means and deviations; then a density is fitted to the training images' statistics — a Gaussian KDE with Scott's
bandwidth (``DoSE_KDE``, scikit-learn's KernelDensity) or a one-class SVM with an RBF kernel (``DoSE_SVM``,
scikit-learn's OneClassSVM, ν = 0.1, γ = "scale"). The score is −log density (KDE) or −decision function (SVM).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import BadInput, UnknownName
from .approx_mass import eval_mode
from .base import Scorer
from .likelihood import NLL

STATISTICS = ("NLL", "rate", "distortion", "entropy")
ESTIMATORS = ("kde", "svm")


def vae_statistics(model, x: torch.Tensor, k: int = 20, seed: int = 0, batch_size: int = 128) -> np.ndarray:
    """Return the B×4 statistics (NLL, rate, distortion, posterior entropy), nats, of uint8 images ``x``."""
    for needed in ("encode", "log_likelihood", "log_prob"):
        if not callable(getattr(model, needed, None)):
            raise BadInput(f"DoSE's statistics need a VAE with encode, log_likelihood and log_prob; "
                           f"{type(model).__name__} lacks {needed}")
    nll = NLL(k=k, seed=seed).fit(model).score(x)
    g = torch.Generator().manual_seed(seed)
    rows = []
    with eval_mode(model), torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb = x[i:i + batch_size]
            mu, logvar = model.encode(xb)
            rate = 0.5 * (mu ** 2 + logvar.exp() - 1.0 - logvar).sum(1)
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g).to(mu)
            distortion = -model.log_likelihood(xb.to(mu.device).float(), z)
            entropy = 0.5 * (1.0 + math.log(2 * math.pi) + logvar).sum(1)
            rows.append(torch.stack([rate, distortion, entropy], 1).cpu())
    return torch.cat([nll[:, None], torch.cat(rows)], 1).double().numpy()


class DoSE(Scorer):
    """Score = −log KDE density (``estimator="kde"``) or −OneClassSVM decision (``"svm"``) of the VAE statistics."""

    def __init__(self, estimator: str = "kde", k: int = 20, seed: int = 0, nu: float = 0.1):
        super().__init__()
        if estimator not in ESTIMATORS:
            raise UnknownName(f"unknown DoSE estimator {estimator!r}; known: {', '.join(ESTIMATORS)}")
        self.estimator, self.k, self.seed, self.nu = estimator, k, seed, nu
        self.name = f"DoSE_{estimator.upper()}"
        self.density = self.mean = self.std = None

    def fit(self, model, id_train=None):
        """Fit the standardisation and the density on the statistics of in-distribution training images."""
        from sklearn.neighbors import KernelDensity   # deferred: heavy optional dependencies, DoSE's alone
        from sklearn.svm import OneClassSVM

        if id_train is None:
            raise BadInput("DoSE.fit needs the in-distribution training images to fit the density of states")
        x = id_train.x if hasattr(id_train, "x") else id_train
        stats = vae_statistics(model, x, self.k, self.seed)
        self.mean, self.std = stats.mean(0), stats.std(0) + 1e-12
        z = (stats - self.mean) / self.std
        self.density = (KernelDensity(kernel="gaussian", bandwidth="scott") if self.estimator == "kde"
                        else OneClassSVM(kernel="rbf", nu=self.nu, gamma="scale")).fit(z)
        return super().fit(model)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        self._require_model()
        z = (vae_statistics(self.model, x, self.k, self.seed) - self.mean) / self.std
        s = -self.density.score_samples(z) if self.estimator == "kde" else -self.density.decision_function(z)
        return torch.as_tensor(s, dtype=torch.float64)
