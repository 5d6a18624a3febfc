"""ROSE Proposition 1 / 2 (Eq. 2 = Eq. 13) checked on a model whose posterior is known in closed form.

The model: x ∈ R^d, x ~ N(μ, diag(σ²)), θ = (μ, log σ), a flat prior. Then log p(θ | X) = log p(X | θ) + const,
so the score of Eq. 1 / 14, S_X(x̃) = log p(θ1 | X, x̃) − log p(θ0 | X, x̃), is exactly
log p(x̃ | θ1) − log p(x̃ | θ0) + log p(X | θ1) − log p(X | θ0): the normalisers cancel. θ0 is the maximum
likelihood estimate on X (the sample mean and the log of the ddof-0 standard deviation), θ1 = θ0 + Δθ.

Eq. 13 expands S_X to second order with −N·F_X(θ0), the empirical Fisher, in place of the Hessian of
log p(θ | X) (E.17). Where the two differ (the model is misspecified, or N is small), the expansion is off by
½ Δθᵀ (∇² log p(X | θ0) + N F_X) Δθ, a second-order term; with the Hessian itself (E.16) the error is third order.
Gradients, Hessians and per-sample gradients come from ``torch.func``, in float64.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from torch.func import grad, hessian, vmap

from .errors import BadInput


def log_lik(x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Return log N(x; μ, diag(σ²)) summed over the rows of ``x`` (N×d, or d), θ = (μ, log σ) of length 2d."""
    d = x.shape[-1]
    mu, log_sigma = theta[:d], theta[d:]
    z = (x - mu) / torch.exp(log_sigma)
    return (-0.5 * z ** 2 - log_sigma - 0.5 * math.log(2 * math.pi)).sum()


def mle(x: torch.Tensor) -> torch.Tensor:
    """Return θ0 = (sample mean, log of the ddof-0 standard deviation) of N×d data ``x``: the maximum of log p(X|θ)."""
    if x.dim() != 2 or x.shape[0] < 2:
        raise BadInput(f"mle needs data N×d with N >= 2, got shape {tuple(x.shape)}")
    return torch.cat([x.mean(0), torch.log(x.std(0, correction=0))])


def exact_score(x_tilde: torch.Tensor, x: torch.Tensor, theta0: torch.Tensor, theta1: torch.Tensor) -> torch.Tensor:
    """Return S_X(x̃) = log p(θ1 | X, x̃) − log p(θ0 | X, x̃) (ROSE Eq. 1 / E.14) under the flat prior."""
    return (log_lik(x_tilde, theta1) - log_lik(x_tilde, theta0)) + (log_lik(x, theta1) - log_lik(x, theta0))


def empirical_fisher(x: torch.Tensor, theta0: torch.Tensor) -> torch.Tensor:
    """Return F_X(θ0) = mean over X of ∇ log p(x|θ0) ∇ log p(x|θ0)ᵀ (ROSE Eq. 2), per-sample gradients by vmap."""
    g = vmap(grad(log_lik, argnums=1), in_dims=(0, None))(x, theta0)
    return g.T @ g / x.shape[0]


def _expansion_terms(x_tilde: torch.Tensor, x: torch.Tensor, theta0: torch.Tensor, curvature: str):
    """Return (g, C) of Eq. 13's gᵀΔθ + ½ ΔθᵀCΔθ: g = ∇ log p(x̃|θ0), C = ∇² log p(x̃|θ0) − N F_X(θ0) (``"fisher"``)
    or ∇² log p(x̃|θ0) + ∇² log p(X|θ0) (``"hessian"``, E.16)."""
    if curvature not in ("fisher", "hessian"):
        raise BadInput(f"curvature must be 'fisher' or 'hessian', got {curvature!r}")
    g = grad(log_lik, argnums=1)(x_tilde, theta0)
    h_tilde = hessian(log_lik, argnums=1)(x_tilde, theta0)
    data_term = (-x.shape[0] * empirical_fisher(x, theta0) if curvature == "fisher"
                 else hessian(log_lik, argnums=1)(x, theta0))
    return g, h_tilde + data_term


def expansion(x_tilde: torch.Tensor, x: torch.Tensor, theta0: torch.Tensor, dtheta: torch.Tensor,
              curvature: str = "fisher") -> torch.Tensor:
    """Return the second-order expansion of S_X(x̃) at Δθ: ``curvature="fisher"`` is ROSE Eq. 13,
    gᵀΔθ + ½ Δθᵀ(∇² log p(x̃|θ0) − N F_X(θ0)) Δθ; ``"hessian"`` puts the Hessian of log p(X|θ0) (E.16) in place
    of −N F_X."""
    return _quadratic(*_expansion_terms(x_tilde, x, theta0, curvature), dtheta)


def _quadratic(g: torch.Tensor, c: torch.Tensor, dtheta: torch.Tensor) -> torch.Tensor:
    return g @ dtheta + 0.5 * dtheta @ c @ dtheta


def optimal_step(x_tilde: torch.Tensor, x: torch.Tensor, theta0: torch.Tensor) -> torch.Tensor:
    """Return Δθ* = (N F_X(θ0) − ∇² log p(x̃|θ0))⁻¹ ∇ log p(x̃|θ0), the maximiser of Eq. 13 (ROSE Eq. 3)."""
    g = grad(log_lik, argnums=1)(x_tilde, theta0)
    h_tilde = hessian(log_lik, argnums=1)(x_tilde, theta0)
    return torch.linalg.solve(x.shape[0] * empirical_fisher(x, theta0) - h_tilde, g)


def convergence(x_tilde: torch.Tensor, x: torch.Tensor, direction: torch.Tensor, scales) -> pd.DataFrame:
    """Return, for Δθ = t·direction/‖direction‖ at each t of ``scales``: the exact S_X(x̃), Eq. 13 with F_X and
    with the Hessian, and each one's absolute error."""
    theta0 = mle(x)
    unit = direction / torch.linalg.vector_norm(direction)
    terms = {c: _expansion_terms(x_tilde, x, theta0, c) for c in ("fisher", "hessian")}   # once, not per Δθ
    rows = []
    for t in scales:
        dtheta = float(t) * unit
        exact = float(exact_score(x_tilde, x, theta0, theta0 + dtheta))
        fisher, hess = (float(_quadratic(*terms[c], dtheta)) for c in ("fisher", "hessian"))
        rows.append({"‖Δθ‖": float(t), "exact S": exact, "Eq. 13 (F_X)": fisher, "Eq. 13 (Hessian)": hess,
                     "error (F_X)": abs(exact - fisher), "error (Hessian)": abs(exact - hess)})
    return pd.DataFrame(rows)


def error_slope(scales, errors) -> float:
    """Return the slope of log error against log ‖Δθ‖ (least squares): 3 for an O(‖Δθ‖³) error, 2 for O(‖Δθ‖²)."""
    s, e = np.log(np.asarray(scales, float)), np.log(np.asarray(errors, float))
    return float(np.polyfit(s, e, 1)[0])


def optimum_score(x_tilde: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Return S_X(x̃) at its own θ1, the maximum likelihood estimate on X ∪ {x̃} (closed form here): the score
    ROSE's Eq. 1 defines before any approximation."""
    theta0 = mle(x)
    return exact_score(x_tilde, x, theta0, mle(torch.cat([x, x_tilde[None]])))


def rose_score(x_tilde: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Return s(x̃; θ0)ᵀ F_X(θ0)⁻¹ s(x̃; θ0) (ROSE Eq. 5) with the exact empirical Fisher of X."""
    theta0 = mle(x)
    s = grad(log_lik, argnums=1)(x_tilde, theta0)
    return s @ torch.linalg.solve(empirical_fisher(x, theta0), s)


DATA_KINDS = ("gaussian", "student-t")


def toy_data(kind: str, n: int, d: int = 3, seed: int = 0) -> torch.Tensor:
    """Return n×d float64 in-distribution data: ``"gaussian"`` (the model is right) or ``"student-t"`` (5 degrees of
    freedom: heavier tails than the model's, so F_X and −∇² log p(X|θ0)/N differ however large n is)."""
    g = torch.Generator().manual_seed(seed)
    if kind == "gaussian":
        return torch.randn(n, d, generator=g, dtype=torch.float64)
    if kind == "student-t":
        z = torch.randn(n, d, generator=g, dtype=torch.float64)
        chi2 = torch.randn(n, d, 5, generator=g, dtype=torch.float64).pow(2).sum(-1)
        return z / torch.sqrt(chi2 / 5)
    raise BadInput(f"unknown toy data {kind!r}; choose one of: {', '.join(DATA_KINDS)}")


def curvature_gap(x: torch.Tensor) -> float:
    """Return ‖N F_X(θ0) + ∇² log p(X|θ0)‖₂ / N at the MLE θ0: how far Eq. 13's −N F_X is from the Hessian that
    E.16 has (0 where they agree)."""
    theta0 = mle(x)
    gap = x.shape[0] * empirical_fisher(x, theta0) + hessian(log_lik, argnums=1)(x, theta0)
    return float(torch.linalg.matrix_norm(gap, ord=2) / x.shape[0])


def step_and_rank_check(x: torch.Tensor, n_test: int = 200, shift: float = 2.0, seed: int = 0) -> dict:
    """Check Eq. 3 and Eq. 5 on ``n_test`` test points (half drawn like ``x``'s Gaussian, half shifted by ``shift``
    in every coordinate): the mean relative error of Eq. 3's Δθ* against the exact θ1 − θ0, and the Spearman
    correlation of Eq. 5's score with the exact S_X(x̃) at θ1 (``optimum_score``)."""
    from scipy.stats import spearmanr   # deferred: SciPy's statistics are slow to import, this alone needs them

    g = torch.Generator().manual_seed(seed + 1)
    tests = torch.randn(n_test, x.shape[1], generator=g, dtype=torch.float64)
    tests[n_test // 2:] += shift
    theta0 = mle(x)
    step_errors, exact, rose = [], [], []
    for xt in tests:
        moved = mle(torch.cat([x, xt[None]])) - theta0
        step_errors.append(float(torch.linalg.vector_norm(optimal_step(xt, x, theta0) - moved)
                                 / torch.linalg.vector_norm(moved)))
        exact.append(float(optimum_score(xt, x)))
        rose.append(float(rose_score(xt, x)))
    return {"Eq. 3: mean relative error of Δθ*": float(np.mean(step_errors)),
            "Eq. 5: Spearman ρ with the exact S_X": float(spearmanr(rose, exact).statistic)}


def proposition2_rows(slopes: dict, checks: dict) -> pd.DataFrame:
    """Return the App. E page's values as rows (ood = the kind of training data, method, metric, value):
    ``slopes`` {kind: {"F_X" | "Hessian": error slope}}, ``checks`` {kind: ``step_and_rank_check``'s dict}."""
    rows = [{"ood": kind, "method": f"Eq. 13 ({c})", "metric": "error slope", "value": v}
            for kind, s in slopes.items() for c, v in s.items()]
    for kind, c in checks.items():
        rows.append({"ood": kind, "method": "Eq. 3", "metric": "relative step error",
                     "value": c["Eq. 3: mean relative error of Δθ*"]})
        rows.append({"ood": kind, "method": "Eq. 5", "metric": "Spearman ρ",
                     "value": c["Eq. 5: Spearman ρ with the exact S_X"]})
    return pd.DataFrame(rows)
