"""ROSE's appendices: Proposition 2 on the diagonal Gaussian of ``oodlib.laplace`` (App. E) against closed forms,
scipy and brute force; the six App. D classifiers (``oodlib.models.layered``) and layer-wise ROSE's Fig. 6 rows;
the brightness / perturbation / layer tables' helpers; the claim rule ``beats`` with ``per_model``; and the
recipes of the perturbation study's and App. D's models.

Every test is fast and needs no dataset file: float64 toy data, tiny random uint8 images, narrow networks."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import torch
import torch.nn.functional as F
import torchvision.models.vgg as tv_vgg
from sklearn.metrics import roc_auc_score
from torch import nn

from oodlib import claims, laplace, layerwise, results, sweeps, zoo
from oodlib.chapters import rose as rose_chapter
from oodlib.data import ImageSet
from oodlib.errors import BadInput, UnknownName
from oodlib.evaluate import difference_label
from oodlib.models import LayeredClassifier, LayeredClassifierConfig, RNDConfig, build
from oodlib.models.layered import ARCHS, VGG_CONFIGS, predicted_label_log_lik
from oodlib.train import TrainConfig

NAN = float("nan")
f64 = dict(dtype=torch.float64)


def _images(b, c=1, size=32, seed=0, low=0, high=256):
    return torch.randint(low, high, (b, c, size, size), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)


# --------------------------------------------------------------------------------------------------
# closed forms of the diagonal Gaussian, θ = (μ, log σ)
# --------------------------------------------------------------------------------------------------

def _split(theta, d):
    theta = np.asarray(theta, float)
    return theta[:d], np.exp(theta[d:])


def _grad_closed(x, theta):
    """∇_θ log N(x; μ, σ²) of one point: ((x−μ)/σ², −1 + (x−μ)²/σ²)."""
    x = np.asarray(x, float)
    mu, sigma = _split(theta, x.shape[-1])
    r = x - mu
    return np.concatenate([r / sigma ** 2, -1 + r ** 2 / sigma ** 2])


def _hessian_closed(x, theta):
    """∇²_θ log N(x; μ, σ²) summed over the rows of x (N×d or d): per coordinate [[−1/σ², −2r/σ²],
    [−2r/σ², −2r²/σ²]], zero across coordinates."""
    x = np.atleast_2d(np.asarray(x, float))
    d = x.shape[1]
    mu, sigma = _split(theta, d)
    r = x - mu
    h = np.zeros((2 * d, 2 * d))
    for j in range(d):
        h[j, j] = -len(x) / sigma[j] ** 2
        h[j, d + j] = h[d + j, j] = -2 * r[:, j].sum() / sigma[j] ** 2
        h[d + j, d + j] = -2 * (r[:, j] ** 2).sum() / sigma[j] ** 2
    return h


def _fisher_loop(x, theta):
    """F_X = (1/N) Σ_i g_i g_iᵀ, one sample at a time."""
    x = np.asarray(x, float)
    f = np.zeros((2 * x.shape[1], 2 * x.shape[1]))
    for xi in x:
        g = _grad_closed(xi, theta)
        f += np.outer(g, g)
    return f / len(x)


def _t(a):
    return torch.as_tensor(np.asarray(a, float), **f64)


X_TILDE = torch.tensor([2.5, -1.0, 0.5], **f64)
DIRECTION = torch.randn(6, generator=torch.Generator().manual_seed(0), **f64)
SCALES = np.logspace(-4, -1, 7)


# --------------------------------------------------------------------------------------------------
# log_lik, mle, empirical_fisher
# --------------------------------------------------------------------------------------------------

def test_log_lik_matches_scipy_norm_logpdf():
    """log_lik is scipy's norm.logpdf(x, μ, σ) summed over rows and coordinates, for N×d data and for one point."""
    x = laplace.toy_data("student-t", 50, 3, seed=4)
    theta = torch.tensor([0.3, -1.2, 2.0, -0.5, 0.1, 0.9], **f64)
    mu, sigma = _split(theta.numpy(), 3)
    want = scipy.stats.norm.logpdf(x.numpy(), mu, sigma).sum()
    assert float(laplace.log_lik(x, theta)) == pytest.approx(want, rel=1e-12)
    assert float(laplace.log_lik(x[7], theta)) == pytest.approx(scipy.stats.norm.logpdf(x[7].numpy(), mu, sigma).sum(),
                                                                rel=1e-12)


@pytest.mark.parametrize("kind", laplace.DATA_KINDS)
def test_mle_is_the_closed_form_maximum(kind):
    """mle is (mean, log of the ddof-0 std) (numpy); the autograd gradient of log p(X|θ) vanishes there, and any
    nearby θ has a lower likelihood."""
    x = laplace.toy_data(kind, 200, 3, seed=1)
    theta0 = laplace.mle(x)
    a = x.numpy()
    np.testing.assert_allclose(theta0.numpy(), np.concatenate([a.mean(0), np.log(a.std(0, ddof=0))]), rtol=1e-12)
    t = theta0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(laplace.log_lik(x, t), t)
    assert float(g.abs().max()) < 1e-9
    best = float(laplace.log_lik(x, theta0))
    gen = torch.Generator().manual_seed(2)
    for _ in range(20):
        assert float(laplace.log_lik(x, theta0 + 1e-2 * torch.randn(6, generator=gen, **f64))) < best


@pytest.mark.parametrize("bad", [torch.zeros(1, 3, **f64), torch.zeros(5, **f64), torch.zeros(2, 3, 1, **f64)],
                         ids=["one row", "1-d", "3-d"])
def test_mle_needs_n_by_d_with_two_rows(bad):
    with pytest.raises(BadInput, match="N >= 2"):
        laplace.mle(bad)


@pytest.mark.parametrize("at_mle", [True, False], ids=["at the MLE", "elsewhere"])
def test_empirical_fisher_is_a_loop_of_closed_form_outer_products(at_mle):
    """F_X(θ) = mean over X of g gᵀ with g = ((x−μ)/σ², −1 + (x−μ)²/σ²), computed one sample at a time."""
    x = laplace.toy_data("student-t", 60, 3, seed=3)
    theta = laplace.mle(x) if at_mle else torch.tensor([0.5, 0.0, -0.3, 0.2, -0.4, 0.1], **f64)
    got = laplace.empirical_fisher(x, theta).numpy()
    np.testing.assert_allclose(got, _fisher_loop(x.numpy(), theta.numpy()), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, got.T)
    assert np.linalg.eigvalsh(got).min() > 0


def test_fisher_mean_block_is_one_over_variance_at_the_mle():
    """At the MLE, F_μjμj = 1/σ_j² = −H_μjμj/N exactly, and F_sjsj = m4/σ⁴ − 1 (the sample kurtosis minus 1), while
    −H_sjsj/N = 2: the two agree on the mean block, not the log σ block."""
    x = laplace.toy_data("student-t", 500, 3, seed=5)
    theta0 = laplace.mle(x)
    f = laplace.empirical_fisher(x, theta0).numpy()
    a = x.numpy()
    var = a.var(0)
    np.testing.assert_allclose(np.diag(f)[:3], 1 / var, rtol=1e-10)
    kurt = ((a - a.mean(0)) ** 4).mean(0) / var ** 2
    np.testing.assert_allclose(np.diag(f)[3:], kurt - 1, rtol=1e-10)
    np.testing.assert_allclose(kurt, scipy.stats.kurtosis(a, axis=0, fisher=False), rtol=1e-10)
    h = _hessian_closed(a, theta0.numpy()) / len(a)
    np.testing.assert_allclose(np.diag(h)[:3], -1 / var, rtol=1e-10)
    np.testing.assert_allclose(np.diag(h)[3:], -2.0, rtol=1e-10)


# --------------------------------------------------------------------------------------------------
# the expansion (Eq. 13 / E.16), exact score
# --------------------------------------------------------------------------------------------------

def test_exact_score_is_the_difference_of_four_log_likelihoods():
    """S_X(x̃) at θ1 = log p(x̃|θ1) − log p(x̃|θ0) + log p(X|θ1) − log p(X|θ0) (scipy), and 0 at θ1 = θ0."""
    x = laplace.toy_data("gaussian", 40, 3, seed=0)
    theta0 = laplace.mle(x)
    theta1 = theta0 + 0.05 * DIRECTION
    ll = lambda pts, th: scipy.stats.norm.logpdf(pts, *_split(th.numpy(), 3)).sum()  # noqa: E731
    want = ll(X_TILDE.numpy(), theta1) - ll(X_TILDE.numpy(), theta0) + ll(x.numpy(), theta1) - ll(x.numpy(), theta0)
    assert float(laplace.exact_score(X_TILDE, x, theta0, theta1)) == pytest.approx(want, rel=1e-9)
    assert float(laplace.exact_score(X_TILDE, x, theta0, theta0)) == 0.0


@pytest.mark.parametrize("curvature", ["fisher", "hessian"])
def test_expansion_matches_the_closed_form_quadratic(curvature):
    """Eq. 13 is g̃ᵀΔθ + ½Δθᵀ(H̃ + C)Δθ with C = −N·F_X (loop of outer products) or the closed-form Hessian of
    log p(X|θ0), at any θ0."""
    x = laplace.toy_data("student-t", 30, 3, seed=6)
    theta0 = torch.tensor([0.2, -0.1, 0.4, 0.3, -0.2, 0.0], **f64)
    dtheta = 0.07 * DIRECTION
    g = _grad_closed(X_TILDE.numpy(), theta0.numpy())
    h_tilde = _hessian_closed(X_TILDE.numpy(), theta0.numpy())
    c = (-len(x) * _fisher_loop(x.numpy(), theta0.numpy()) if curvature == "fisher"
         else _hessian_closed(x.numpy(), theta0.numpy()))
    dt = dtheta.numpy()
    want = g @ dt + 0.5 * dt @ (h_tilde + c) @ dt
    assert float(laplace.expansion(X_TILDE, x, theta0, dtheta, curvature)) == pytest.approx(want, rel=1e-10)


def test_expansion_rejects_an_unknown_curvature():
    x = laplace.toy_data("gaussian", 10, 3)
    with pytest.raises(BadInput, match="curvature"):
        laplace.expansion(X_TILDE, x, laplace.mle(x), DIRECTION, "ggn")


def test_error_slopes_are_three_for_the_hessian_and_two_for_the_fisher_on_student_t():
    """On Student-t data the Hessian expansion's error is O(‖Δθ‖³) (slope ≈ 3), the F_X one's O(‖Δθ‖²)
    (slope ≈ 2): F_X's log σ block (kurtosis − 1 ≈ 6 here) is not −H/N (= 2)."""
    x = laplace.toy_data("student-t", 1000, 3, seed=0)
    r = laplace.convergence(X_TILDE, x, DIRECTION, SCALES)
    assert list(r.columns) == ["‖Δθ‖", "exact S", "Eq. 13 (F_X)", "Eq. 13 (Hessian)", "error (F_X)", "error (Hessian)"]
    np.testing.assert_allclose(r["‖Δθ‖"], SCALES)
    assert laplace.error_slope(r["‖Δθ‖"], r["error (Hessian)"]) == pytest.approx(3.0, abs=0.1)
    assert laplace.error_slope(r["‖Δθ‖"], r["error (F_X)"]) == pytest.approx(2.0, abs=0.1)
    # the F_X error at small Δθ is the second-order gap ½ Δθᵀ(H + N F_X)Δθ
    theta0 = laplace.mle(x)
    u = (DIRECTION / torch.linalg.vector_norm(DIRECTION)).numpy()
    gap = _hessian_closed(x.numpy(), theta0.numpy()) + len(x) * _fisher_loop(x.numpy(), theta0.numpy())
    assert r["error (F_X)"].iloc[0] == pytest.approx(0.5 * SCALES[0] ** 2 * abs(u @ gap @ u), rel=1e-2)


def test_convergence_columns_are_consistent_with_exact_score_and_expansion():
    """Each row of convergence is exact_score and both expansions at Δθ = t·direction/‖direction‖, and the errors
    are their absolute differences."""
    x = laplace.toy_data("gaussian", 100, 3, seed=2)
    r = laplace.convergence(X_TILDE, x, 3.0 * DIRECTION, [0.01, 0.1])        # the direction's length is ignored
    theta0 = laplace.mle(x)
    unit = DIRECTION / torch.linalg.vector_norm(DIRECTION)
    for row in r.itertuples(index=False):
        t, exact, fisher, hess, e_f, e_h = row
        assert exact == pytest.approx(float(laplace.exact_score(X_TILDE, x, theta0, theta0 + t * unit)), rel=1e-12)
        assert fisher == pytest.approx(float(laplace.expansion(X_TILDE, x, theta0, t * unit, "fisher")), rel=1e-12)
        assert hess == pytest.approx(float(laplace.expansion(X_TILDE, x, theta0, t * unit, "hessian")), rel=1e-12)
        assert e_f == pytest.approx(abs(exact - fisher)) and e_h == pytest.approx(abs(exact - hess))


def test_gaussian_data_has_a_much_smaller_fisher_error_than_student_t():
    """At the same Δθ, Eq. 13 with F_X is far closer to the exact score on Gaussian data (the model is right: F_X ≈
    −H/N) than on Student-t data; the Hessian version is third order on both."""
    errors = {kind: laplace.convergence(X_TILDE, laplace.toy_data(kind, 1000, 3, seed=0), DIRECTION, SCALES)
              for kind in laplace.DATA_KINDS}
    assert (errors["gaussian"]["error (F_X)"] * 5 < errors["student-t"]["error (F_X)"]).all()
    assert laplace.error_slope(SCALES, errors["gaussian"]["error (Hessian)"]) == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("kind", laplace.DATA_KINDS)
def test_pure_mean_step_makes_fisher_and_hessian_expansions_coincide(kind):
    """With Δθ only in one μ coordinate, at the MLE F_μμ = 1/σ² = −H_μμ/N, so Eq. 13 with F_X equals Eq. 13 with the
    Hessian whatever the data's tails; a step in log σ separates them on Student-t data."""
    x = laplace.toy_data(kind, 400, 3, seed=7)
    theta0 = laplace.mle(x)
    for j in range(3):
        for t in (1e-3, 0.1, 0.5):
            dtheta = torch.zeros(6, **f64)
            dtheta[j] = t
            f = float(laplace.expansion(X_TILDE, x, theta0, dtheta, "fisher"))
            h = float(laplace.expansion(X_TILDE, x, theta0, dtheta, "hessian"))
            assert f == pytest.approx(h, rel=1e-10, abs=1e-12)
    # on 1-d data every pure-mean step is such a step
    x1 = x[:, :1]
    t1 = laplace.mle(x1)
    step = torch.tensor([0.3, 0.0], **f64)
    assert float(laplace.expansion(X_TILDE[:1], x1, t1, step, "fisher")) == pytest.approx(
        float(laplace.expansion(X_TILDE[:1], x1, t1, step, "hessian")), rel=1e-10)
    if kind == "student-t":
        dtheta = torch.zeros(6, **f64)
        dtheta[3] = 0.1
        f = float(laplace.expansion(X_TILDE, x, theta0, dtheta, "fisher"))
        h = float(laplace.expansion(X_TILDE, x, theta0, dtheta, "hessian"))
        assert abs(f - h) > 1.0


# --------------------------------------------------------------------------------------------------
# Eq. 3, Eq. 5, the optimum, the curvature gap
# --------------------------------------------------------------------------------------------------

def test_optimal_step_is_the_closed_form_solve_and_maximises_eq13():
    """Δθ* = (N F_X − H̃)⁻¹ g̃ (numpy solve of the closed forms), and Eq. 13 (F_X) at Δθ* beats it at nearby steps."""
    x = laplace.toy_data("student-t", 80, 3, seed=8)
    theta0 = laplace.mle(x)
    got = laplace.optimal_step(X_TILDE, x, theta0)
    a = len(x) * _fisher_loop(x.numpy(), theta0.numpy()) - _hessian_closed(X_TILDE.numpy(), theta0.numpy())
    want = np.linalg.solve(a, _grad_closed(X_TILDE.numpy(), theta0.numpy()))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-9)
    best = float(laplace.expansion(X_TILDE, x, theta0, got, "fisher"))
    gen = torch.Generator().manual_seed(1)
    for _ in range(10):
        other = got + 1e-2 * torch.randn(6, generator=gen, **f64)
        assert float(laplace.expansion(X_TILDE, x, theta0, other, "fisher")) < best


def test_rose_score_is_the_closed_form_quadratic_form():
    """Eq. 5: s(x̃)ᵀ F_X⁻¹ s(x̃) with the closed-form gradient and the looped Fisher; positive."""
    x = laplace.toy_data("gaussian", 70, 3, seed=9)
    theta0 = laplace.mle(x).numpy()
    s = _grad_closed(X_TILDE.numpy(), theta0)
    want = s @ np.linalg.solve(_fisher_loop(x.numpy(), theta0), s)
    assert float(laplace.rose_score(X_TILDE, x)) == pytest.approx(want, rel=1e-9)
    assert want > 0


def test_optimum_score_is_the_exact_score_at_the_mle_with_the_test_point():
    """optimum_score is S_X at θ1 = MLE of X ∪ {x̃} (numpy mean / ddof-0 std), the largest S_X over θ1."""
    x = laplace.toy_data("gaussian", 50, 3, seed=10)
    both = np.vstack([x.numpy(), X_TILDE.numpy()[None]])
    theta1 = _t(np.concatenate([both.mean(0), np.log(both.std(0))]))
    theta0 = laplace.mle(x)
    got = float(laplace.optimum_score(X_TILDE, x))
    assert got == pytest.approx(float(laplace.exact_score(X_TILDE, x, theta0, theta1)), rel=1e-10)
    assert got > 0
    gen = torch.Generator().manual_seed(3)
    for _ in range(20):
        other = theta1 + 1e-2 * torch.randn(6, generator=gen, **f64)
        assert float(laplace.exact_score(X_TILDE, x, theta0, other)) < got


@pytest.mark.parametrize("point", [[0.3, -0.5], [2.5, 1.0], [-1.5, 3.0]])
def test_optimum_score_is_rose_score_over_2n_for_large_n(point):
    """For large N on Gaussian data, S_X at its optimum ≈ ½ g̃ᵀ(N F_X)⁻¹ g̃ = rose_score / (2N)."""
    n = 20000
    x = laplace.toy_data("gaussian", n, 2, seed=0)
    xt = torch.tensor(point, **f64)
    assert float(laplace.optimum_score(xt, x)) == pytest.approx(float(laplace.rose_score(xt, x)) / (2 * n), rel=0.05)


def test_curvature_gap_closed_form_in_one_dimension():
    """In 1-d, (N F_X + H)/N at the MLE is [[0, m3/σ⁴], [m3/σ⁴, m4/σ⁴ − 3]]: curvature_gap is its largest |eigenvalue|."""
    x = laplace.toy_data("student-t", 300, 1, seed=11)
    a = x.numpy()[:, 0]
    r = a - a.mean()
    var = (r ** 2).mean()
    m3, m4 = (r ** 3).mean() / var ** 2, (r ** 4).mean() / var ** 2
    want = np.abs(np.linalg.eigvalsh(np.array([[0.0, m3], [m3, m4 - 3]]))).max()
    assert laplace.curvature_gap(x) == pytest.approx(want, rel=1e-9)


def test_curvature_gap_shrinks_with_n_on_gaussian_data_only():
    """On Gaussian data F_X → −H/N as N grows (the gap falls ~1/√N); on Student-t data it stays large."""
    gauss = [laplace.curvature_gap(laplace.toy_data("gaussian", n, 3, seed=0)) for n in (100, 1000, 10000)]
    assert gauss[0] > gauss[1] > gauss[2] and gauss[2] < gauss[0] / 5 and gauss[2] < 0.2
    student = laplace.curvature_gap(laplace.toy_data("student-t", 10000, 3, seed=0))
    assert student > 2.0 and student > 10 * gauss[2]


def test_step_and_rank_check_on_gaussian_data():
    """Eq. 3's Δθ* is close to the exact move of the MLE and Eq. 5 ranks like the exact optimum (Gaussian, N = 1000);
    the keys are those proposition2_rows reads."""
    c = laplace.step_and_rank_check(laplace.toy_data("gaussian", 1000, 3, seed=0), n_test=30, seed=0)
    assert set(c) == {"Eq. 3: mean relative error of Δθ*", "Eq. 5: Spearman ρ with the exact S_X"}
    assert 0 < c["Eq. 3: mean relative error of Δθ*"] < 0.2
    assert c["Eq. 5: Spearman ρ with the exact S_X"] > 0.95


def test_error_slope_recovers_the_exponent_of_a_power_law():
    """For errors = c·t^p exactly, error_slope is p (least squares on the logs)."""
    t = np.logspace(-4, -1, 7)
    for c, p in ((1.0, 3.0), (0.02, 2.0), (7.5, 1.5), (3.0, -1.0)):
        assert laplace.error_slope(t, c * t ** p) == pytest.approx(p, abs=1e-10)
    assert laplace.error_slope(list(t), list(5 * t ** 2)) == pytest.approx(2.0, abs=1e-10)


# --------------------------------------------------------------------------------------------------
# toy_data, proposition2_rows
# --------------------------------------------------------------------------------------------------

def test_toy_data_shapes_seeds_and_distributions():
    """n×d float64, the same for the same seed; Gaussian passes a KS test against N(0, 1) and Student-t against
    t(5) (and fails the other's)."""
    for kind in laplace.DATA_KINDS:
        x = laplace.toy_data(kind, 7, 4, seed=3)
        assert x.shape == (7, 4) and x.dtype == torch.float64
        assert torch.equal(x, laplace.toy_data(kind, 7, 4, seed=3)) and not torch.equal(x, laplace.toy_data(kind, 7, 4, 4))
    g = laplace.toy_data("gaussian", 20000, 1, seed=0).numpy().ravel()
    t = laplace.toy_data("student-t", 20000, 1, seed=0).numpy().ravel()
    assert scipy.stats.kstest(g, "norm").pvalue > 1e-3
    assert scipy.stats.kstest(t, scipy.stats.t(5).cdf).pvalue > 1e-3
    assert scipy.stats.kstest(t, "norm").pvalue < 1e-6


def test_toy_data_unknown_kind_raises():
    with pytest.raises(BadInput, match="gaussian, student-t"):
        laplace.toy_data("cauchy", 10)


def test_proposition2_rows():
    """One row per (kind, curvature) slope, then Eq. 3 and Eq. 5 per kind, with their values; the methods and metrics
    are those the App. E claims select."""
    slopes = {"gaussian": {"F_X": 2.1, "Hessian": 3.0}, "student-t": {"F_X": 2.0, "Hessian": 2.99}}
    checks = {k: {"Eq. 3: mean relative error of Δθ*": e, "Eq. 5: Spearman ρ with the exact S_X": r}
              for k, e, r in (("gaussian", 0.07, 0.99), ("student-t", 0.3, 0.95))}
    t = laplace.proposition2_rows(slopes, checks)
    assert list(t.columns) == ["ood", "method", "metric", "value"] and len(t) == 8
    assert set(t.method) == {"Eq. 13 (F_X)", "Eq. 13 (Hessian)", "Eq. 3", "Eq. 5"}
    assert set(t.metric) == {"error slope", "relative step error", "Spearman ρ"}
    cell = lambda ood, method: t[(t.ood == ood) & (t.method == method)]  # noqa: E731
    assert cell("student-t", "Eq. 13 (Hessian)").value.item() == 2.99
    assert cell("gaussian", "Eq. 13 (F_X)").metric.item() == "error slope"
    assert cell("student-t", "Eq. 3").value.item() == 0.3 and cell("student-t", "Eq. 3").metric.item() == \
        "relative step error"
    assert cell("gaussian", "Eq. 5").value.item() == 0.99 and cell("gaussian", "Eq. 5").metric.item() == "Spearman ρ"
    # the chapter's App. E claims select these rows
    for cid in ("rose-e-prop2-hessian", "rose-e-prop2", "rose-e-eq5-rank"):
        c = next(c for c in rose_chapter.CLAIMS if c.id == cid)
        assert ((t.method == c.select["method"]) & (t.metric == c.select["metric"])).sum() == 2


# --------------------------------------------------------------------------------------------------
# the App. D classifiers
# --------------------------------------------------------------------------------------------------

DEPTH = {"cnn4": 5, "vgg11": 9, "vgg13": 11, "vgg16": 14, "vgg19": 17, "resnet18": 21}


def _classifier(arch, channels=1, classes=10, seed=0):
    torch.manual_seed(seed)
    width = 1.0 if arch == "resnet18" else 0.125
    cfg = LayeredClassifierConfig(arch=arch, channels=channels, classes=classes, width=width)
    model = build(cfg.to_dict())
    return model.eval()


def _forward_order(model, x):
    """The Conv2d / Linear modules in the order a forward pass calls them (forward hooks)."""
    called, hooks = [], []
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            hooks.append(m.register_forward_hook(lambda mod, i, o, name=name: called.append(name)))
    with torch.no_grad():
        model.logits(x)
    for h in hooks:
        h.remove()
    return called


@pytest.mark.parametrize("arch", ARCHS)
def test_layered_classifier_logits_and_depth_layers(arch):
    """B×classes logits of uint8 images; depth_layers lists every Conv2d and Linear once, in the order a forward pass
    calls them (cnn4 5, VGG-11/13/16/19 their 8/10/13/16 convs + 1, ResNet-18 1 + 16 + 3 shortcut convs + 1), the
    last "fc"."""
    assert ARCHS == ("cnn4", "vgg11", "vgg13", "vgg16", "vgg19", "resnet18")
    model = _classifier(arch, channels=1, classes=7)
    assert isinstance(model, LayeredClassifier) and model.config.arch == arch
    x = _images(2, 1, seed=1)
    logits = model.logits(x)
    assert logits.shape == (2, 7) and torch.isfinite(logits).all()
    assert torch.equal(model(x), logits)
    layers = model.depth_layers()
    assert len(layers) == DEPTH[arch] and layers[-1] == "fc" and len(set(layers)) == len(layers)
    modules = dict(model.named_modules())
    assert sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in modules.values()) == len(layers)
    assert [type(modules[n]) for n in layers[:-1]] == [nn.Conv2d] * (len(layers) - 1)
    assert _forward_order(model, x) == layers
    if arch.startswith("vgg"):
        plan = tv_vgg.cfgs[VGG_CONFIGS[arch]]
        assert len(layers) == sum(v != "M" for v in plan) + 1
    if arch == "resnet18":
        assert sum("downsample" in n for n in layers) == 3 and layers[0] == "body.conv1"


def test_layered_classifier_widths_and_channels():
    """width scales the basic CNN's and VGG's channels (0.125 × 64–512, rounded, at least 1); ResNet-18 keeps 64; the first
    conv takes ``channels``; the basic CNN also runs at 16×16 (three 2× pools)."""
    m = _classifier("cnn4", channels=3)
    convs = [mod for mod in m.modules() if isinstance(mod, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [8, 16, 32, 32] and convs[0].in_channels == 3
    assert [c.kernel_size for c in convs] == [(5, 5), (5, 5), (3, 3), (3, 3)]
    assert m.fc.in_features == 32 * 4 * 4
    v = _classifier("vgg11", channels=3)
    vconvs = [mod for mod in v.modules() if isinstance(mod, nn.Conv2d)]
    assert vconvs[0].in_channels == 3 and vconvs[0].out_channels == 8 and vconvs[-1].out_channels == 64
    assert v.fc.in_features == 64
    r = _classifier("resnet18", channels=1)
    assert r.body.conv1.in_channels == 1 and r.body.conv1.out_channels == 64 and r.fc.in_features == 512
    tiny = build(LayeredClassifierConfig(arch="cnn4", channels=1, image_size=16, width=0.01).to_dict())
    assert tiny.logits(_images(3, 1, size=16)).shape == (3, 10)
    assert [mod.out_channels for mod in tiny.modules() if isinstance(mod, nn.Conv2d)] == [1, 1, 3, 3]   # round(64·0.01) = 1, …, round(256·0.01) = 3
    assert LayeredClassifierConfig(arch="vgg16", width=0.5).to_dict() == {
        "kind": "layered_classifier", "arch": "vgg16", "channels": 1, "classes": 10, "image_size": 32, "width": 0.5}


def test_layered_classifier_rejects_unknown_arch_and_wrong_images():
    with pytest.raises(UnknownName, match="resnet18"):
        LayeredClassifierConfig(arch="alexnet")
    model = _classifier("cnn4", channels=1)
    with pytest.raises(BadInput, match="channels"):
        model.logits(_images(2, 3))
    with pytest.raises(BadInput, match="32×32"):
        model.logits(_images(2, 1, size=28))


def test_layered_classifier_loss_is_cross_entropy():
    """loss(x, y) is the mean cross-entropy of the logits (torch's F.cross_entropy and a hand log-softmax)."""
    model = _classifier("cnn4")
    x = _images(5, seed=2)
    y = torch.tensor([0, 3, 9, 3, 1])
    with torch.no_grad():
        logits = model.logits(x)
        got = float(model.loss(x, y))
    assert got == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-6)
    lse = torch.logsumexp(logits.double(), 1)
    assert got == pytest.approx(float((lse - logits.double()[torch.arange(5), y]).mean()), rel=1e-5)
    assert model.supervised


@pytest.mark.parametrize("arch", ["cnn4", "vgg11"])
def test_predicted_label_log_lik_is_the_log_softmax_at_the_argmax(arch):
    """Σ_i log softmax(f(x_i))[argmax] by hand; between −B log K and 0; minus B × loss(x, ŷ)."""
    model = _classifier(arch)
    x = _images(4, seed=3)
    with torch.no_grad():
        logits = model.logits(x).double()
        got = float(predicted_label_log_lik(model, x))
        loss = float(model.loss(x, logits.argmax(1)))
    hand = sum(float(row[row.argmax()] - torch.logsumexp(row, 0)) for row in logits)
    assert got == pytest.approx(hand, rel=1e-5, abs=1e-6)
    assert -4 * math.log(10) - 1e-5 <= got <= 0
    assert got == pytest.approx(-4 * loss, rel=1e-5)


# --------------------------------------------------------------------------------------------------
# layer-wise ROSE (Fig. 6)
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fig6():
    torch.manual_seed(0)
    model = build(LayeredClassifierConfig(arch="cnn4", channels=1, width=0.125).to_dict())
    x_train = _images(16, seed=10)                       # = the smoke profile's n_fisher: the Fisher sees them all
    fitted = layerwise.layerwise_rose(model, x_train, rose_chapter.SIZES["smoke"].n_fisher, 0)
    id_test = ImageSet("fmnist", "test", _images(12, seed=11), torch.full((12,), -1))
    ood = {"bright": ImageSet("bright", "test", _images(8, seed=12, low=128), torch.full((8,), -1)),
           "dark": ImageSet("dark", "test", _images(9, seed=13, high=64), torch.full((9,), -1))}
    real = layerwise.metrics.paired_auroc_difference
    with pytest.MonkeyPatch.context() as mp:     # 50 bootstrap replicates, not 1,000: the same point, 20× faster
        mp.setattr(layerwise.metrics, "paired_auroc_difference", lambda *a, **kw: real(*a, **{**kw, "n_boot": 50}))
        rows = layerwise.layerwise_rows(fitted, id_test, ood, seed=0)
    return model, x_train, fitted, id_test, ood, rows


def _per_sample_layer_grads(model, x, layer):
    """The gradient of log softmax at the predicted label w.r.t. one layer's parameters, one image at a time."""
    params = list(dict(model.named_modules())[layer].parameters())
    out = []
    for i in range(len(x)):
        gs = torch.autograd.grad(predicted_label_log_lik(model, x[i:i + 1]), params)
        out.append(torch.cat([g.flatten() for g in gs]))
    return torch.stack(out).double()


def test_layerwise_rose_layer_scores_by_brute_force(fig6):
    """layerwise_rose fits DIAG ROSE on every depth layer, in depth order; column k of layer_scores is
    Σ g_k² / (mean of the training images' g_k² + damping), g_k per image by autograd."""
    model, x_train, fitted, id_test, _, _ = fig6
    assert list(fitted.groups) == model.depth_layers() and fitted.n_fisher == 16
    assert fitted.log_lik is predicted_label_log_lik
    x = id_test.x[:4]
    got = fitted.layer_scores(x).double()
    assert got.shape == (4, 5)
    for k, layer in enumerate(model.depth_layers()):
        fisher = _per_sample_layer_grads(model, x_train, layer).pow(2).mean(0) + fitted.damping
        want = (_per_sample_layer_grads(model, x, layer).pow(2) / fisher).sum(1)
        torch.testing.assert_close(got[:, k], want, rtol=2e-3, atol=1e-6)


def test_layerwise_rows_auroc_per_layer_and_picks(fig6):
    """One "ROSE/layer k" AUROC row per layer and OOD set, sklearn's roc_auc_score of layer_scores column k (OOD
    positive); "ROSE/first" / "middle" (layer ⌊5/2⌋ + 1 = 3) / "last" repeat layers 1, 3, 5."""
    model, _, fitted, id_test, ood, rows = fig6
    depth = len(model.depth_layers())
    id_s = fitted.layer_scores(id_test.x).numpy()
    for name, imgs in ood.items():
        r = rows[rows.ood == name]
        auc = r[r.metric == "AUROC"].set_index("method").value
        assert list(auc.index) == [f"ROSE/layer {k}" for k in range(1, depth + 1)] + ["ROSE/first", "ROSE/middle",
                                                                                        "ROSE/last"]
        ood_s = fitted.layer_scores(imgs.x).numpy()
        for k in range(depth):
            labels = np.r_[np.zeros(len(id_s)), np.ones(len(ood_s))]
            want = roc_auc_score(labels, np.r_[id_s[:, k], ood_s[:, k]])
            assert auc[f"ROSE/layer {k + 1}"] == pytest.approx(want, abs=1e-12)
        assert auc["ROSE/first"] == auc["ROSE/layer 1"]
        assert auc["ROSE/middle"] == auc["ROSE/layer 3"]
        assert auc["ROSE/last"] == auc[f"ROSE/layer {depth}"]
    assert set(rows.ood) == set(ood) and list(rows.columns) == ["ood", "method", "metric", "value"]


def test_layerwise_rows_paired_differences(fig6):
    """Rows "ROSE/middle − ROSE/first", "ROSE/middle − ROSE/last", "ROSE/last − ROSE/first": ΔAUROC is the AUROC
    difference, with ΔAUROC low ≤ high."""
    _, _, _, _, ood, rows = fig6
    for name in ood:
        r = rows[rows.ood == name]
        auc = r[r.metric == "AUROC"].set_index("method").value
        for a, b in (("middle", "first"), ("middle", "last"), ("last", "first")):
            d = r[r.method == difference_label(f"ROSE/{a}", f"ROSE/{b}")].set_index("metric").value
            assert list(d.index) == ["ΔAUROC", "ΔAUROC low", "ΔAUROC high"]
            assert d["ΔAUROC"] == pytest.approx(auc[f"ROSE/{a}"] - auc[f"ROSE/{b}"], abs=1e-12)
            assert d["ΔAUROC low"] <= d["ΔAUROC high"]
            assert -1 <= d["ΔAUROC low"] and d["ΔAUROC high"] <= 1
    assert len(rows) == len(ood) * (5 + 3 + 3 * 3)


def test_layer_curves_of_layerwise_rows(fig6):
    """layer_curves reads the "ROSE/layer k" AUROC rows of one model: {ood: ([1 … L], AUROCs)}, ignoring the picks,
    the difference rows and other models."""
    _, _, _, _, ood, rows = fig6
    table = pd.concat([rows.assign(model="cnn4"), rows.assign(model="vgg11", value=0.123)], ignore_index=True)
    curves = layerwise.layer_curves(table, "cnn4")
    assert list(curves) == list(ood)
    for name, (depths, values) in curves.items():
        auc = rows[(rows.ood == name) & (rows.metric == "AUROC")].set_index("method").value
        assert depths == [1, 2, 3, 4, 5]
        assert values == [auc[f"ROSE/layer {k}"] for k in depths]
    assert layerwise.layer_curves(table, "resnet18") == {}


def test_layer_curves_parses_two_digit_layers():
    rows = pd.DataFrame([{"model": "vgg13", "ood": "mnist", "method": f"ROSE/layer {k}", "metric": "AUROC",
                          "value": k / 100} for k in range(1, 12)]
                        + [{"model": "vgg13", "ood": "mnist", "method": "ROSE/layer 3", "metric": "AUPRC",
                            "value": 0.9}])
    depths, values = layerwise.layer_curves(rows, "vgg13")["mnist"]
    assert depths == list(range(1, 12)) and values == pytest.approx([k / 100 for k in range(1, 12)])


def test_classifier_summary_counts_layers_and_accuracy():
    """Per classifier: its depth_layers count and the fraction of id_test whose argmax logit is the label."""
    models = {a: _classifier(a) for a in ("cnn4", "vgg11")}
    x = _images(10, seed=20)
    with torch.no_grad():
        pred = models["cnn4"].logits(x).argmax(1)
    y = pred.clone()
    y[:3] = (pred[:3] + 1) % 10                              # 7 of 10 right for cnn4
    t = layerwise.classifier_summary(models, ImageSet("fmnist", "test", x, y))
    assert list(t.columns) == ["cnn4", "vgg11"] and list(t.index) == ["layers (conv + linear)", "test accuracy"]
    assert t.loc["layers (conv + linear)", "cnn4"] == 5 and t.loc["layers (conv + linear)", "vgg11"] == 9
    assert t.loc["test accuracy", "cnn4"] == pytest.approx(0.7)
    with torch.no_grad():
        vgg_acc = float((models["vgg11"].logits(x).argmax(1) == y).float().mean())
    assert t.loc["test accuracy", "vgg11"] == pytest.approx(vgg_acc)


# --------------------------------------------------------------------------------------------------
# brightness_curves, perturbation_ranges
# --------------------------------------------------------------------------------------------------

def _as_results(values: pd.DataFrame, table: str) -> pd.DataFrame:
    out = values.copy()
    for col, v in {"paper": "rose", "section": "§3.2", "table": table, "model": "VAE", "in_dist": "cifar10",
                   "paper_value": NAN, "profile": "smoke", "seed": 0}.items():
        out[col] = v
    return out[results.COLUMNS]


def test_brightness_curves_of_sweep_rows():
    """brightness_curves gives each row (LRatio/SVD, RND/GB, ROSE) its brightness factors and AUROCs (sklearn),
    leaving out Mean, Std, the Std-difference rows and the other tables."""
    gen = np.random.default_rng(0)
    id_scores = {m: gen.normal(size=30) for m in ("LRatio/SVD", "RND/GB", "ROSE")}
    sweep = {m: {sweeps.factor_label(k): gen.normal(loc=k - 1, size=20) for k in sweeps.FACTORS} for m in id_scores}
    parts = [sweeps.sweep_rows(m, id_scores[m], sweep[m], "celeba") for m in id_scores]
    parts.append(sweeps.std_difference_rows("ROSE", id_scores["ROSE"], sweep["ROSE"], "LRatio/SVD",
                                            id_scores["LRatio/SVD"], sweep["LRatio/SVD"], "celeba", n_boot=20))
    table = pd.concat([_as_results(pd.concat(parts, ignore_index=True), "Table 1"),
                       _as_results(sweeps.sweep_rows("ROSE", id_scores["ROSE"], sweep["RND/GB"], "svhn"), "Table 8")],
                      ignore_index=True)
    curves = rose_chapter.brightness_curves(table, "Table 1")
    assert list(curves) == ["LRatio/SVD", "RND/GB", "ROSE"]
    labels = np.r_[np.zeros(30), np.ones(20)]
    for m, (xs, ys) in curves.items():
        assert xs == pytest.approx(list(sweeps.FACTORS))
        want = [roc_auc_score(labels, np.r_[id_scores[m], sweep[m][sweeps.factor_label(k)]]) for k in sweeps.FACTORS]
        assert ys == pytest.approx(want, abs=1e-12)
    assert list(rose_chapter.brightness_curves(table, "Table 8")) == ["ROSE"]
    assert rose_chapter.brightness_curves(table, "Table 9") == {}


def test_perturbation_ranges():
    """Per OOD set and table, the range max − min of the perturbations' AUROCs and which perturbations give the best
    and the worst ("SVD28 (0.912)"); other metrics and tables are ignored."""
    gen = np.random.default_rng(1)
    names = list(rose_chapter.PERTURBATIONS)
    values, rows = {}, []
    for table, detector in (("Table 10", "LRatio"), ("Table 11", "RND")):
        for ood in ("svhn", "mnist", "noise"):
            v = gen.uniform(0, 1, len(names))
            values[table, ood] = v
            rows += [{"ood": ood, "method": f"{detector}/{n}", "metric": "AUROC", "value": x} for n, x in zip(names, v)]
            rows += [{"ood": ood, "method": f"{detector}/{n}", "metric": "AUPRC", "value": 2.0} for n in names]
    rows += [{"ood": "svhn", "method": "ROSE", "metric": "AUROC", "value": 5.0}]
    table = pd.concat([_as_results(pd.DataFrame(rows[:-1]).iloc[:len(rows) // 2], "Table 10"),
                       _as_results(pd.DataFrame(rows[:-1]).iloc[len(rows) // 2:], "Table 11"),
                       _as_results(pd.DataFrame(rows[-1:]), "Table 2")], ignore_index=True)
    out = rose_chapter.perturbation_ranges(table)
    assert list(out.index) == ["svhn", "mnist", "noise"]
    assert list(out.columns) == [f"{d}: {w}" for d in ("LRatio", "RND") for w in ("range", "best", "worst")]
    for table_name, detector in (("Table 10", "LRatio"), ("Table 11", "RND")):
        for ood in ("svhn", "mnist", "noise"):
            v = values[table_name, ood]
            assert out.loc[ood, f"{detector}: range"] == pytest.approx(v.max() - v.min())
            assert out.loc[ood, f"{detector}: best"] == f"{names[v.argmax()]} ({v.max():.3f})"
            assert out.loc[ood, f"{detector}: worst"] == f"{names[v.argmin()]} ({v.min():.3f})"


# --------------------------------------------------------------------------------------------------
# the claim rule beats, per_model
# --------------------------------------------------------------------------------------------------

def _fig6_results(cells):
    """cells: {(model, ood): ({method: AUROC}, {(a, b): (diff, low, high)})} → results rows of Fig 6."""
    rows = []
    base = {"paper": "rose", "section": "App. D", "table": "Fig 6", "in_dist": "fmnist", "paper_value": NAN,
            "profile": "smoke", "seed": 0}
    for (model, ood), (values, diffs) in cells.items():
        rows += [{**base, "model": model, "ood": ood, "method": m, "metric": "AUROC", "value": v}
                 for m, v in values.items()]
        rows += [{**base, "model": model, "ood": ood, "method": difference_label(a, b), "metric": metric, "value": v}
                 for (a, b), ci in diffs.items() for metric, v in zip(("ΔAUROC", "ΔAUROC low", "ΔAUROC high"), ci)]
    return pd.DataFrame(rows, columns=results.COLUMNS)


def _beats(per_model):
    return claims.Claim("t", "rose", "App. D", "rose/d_layerwise", "last beats first",
                        {"paper": "rose", "table": "Fig 6", "metric": "AUROC", "method": ["ROSE/last", "ROSE/first"]},
                        "beats", method="ROSE/last", per_model=per_model)


UP = ((0.1, 0.05, 0.15))
DOWN = ((-0.1, -0.15, -0.05))


def test_per_model_beats_judges_each_model_as_a_cell():
    """Two models in the same in_dist/ood/metric: per_model=True makes two cells, judged on each model's own paired
    interval (one above 0, one below: "partly", both models named); per_model=False makes one."""
    r = _fig6_results({("vgg11", "mnist"): ({"ROSE/last": 0.8, "ROSE/first": 0.7}, {("ROSE/last", "ROSE/first"): UP}),
                       ("vgg13", "mnist"): ({"ROSE/last": 0.6, "ROSE/first": 0.7},
                                            {("ROSE/last", "ROSE/first"): DOWN})})
    v = claims.verdict(_beats(True), r)
    assert v["verdict"] == "partly" and v["evidence"].startswith("1 of 2 cells hold"), v
    assert "Hold: vgg11, fmnist→mnist, ROSE/last" in v["evidence"]
    assert "Fail: vgg13, fmnist→mnist, ROSE/last" in v["evidence"]
    assert "difference +0.100 [+0.050, +0.150]" in v["evidence"] and "difference -0.100" in v["evidence"]
    one = claims.verdict(_beats(False), r)
    assert re.search(r"^\d of 1 cells hold", one["evidence"]), one


@pytest.mark.parametrize("second, verdict", [(UP, "reproduced"), (DOWN, "partly"), ((0.02, -0.01, 0.05), "partly")],
                         ids=["both above", "one below", "one contains 0"])
def test_per_model_beats_verdicts(second, verdict):
    """Both models' intervals above 0: reproduced; one below 0 or containing 0: partly; each OOD set a cell too."""
    r = _fig6_results({(m, o): ({"ROSE/last": 0.8, "ROSE/first": 0.7},
                                {("ROSE/last", "ROSE/first"): UP if (m, o) != ("vgg13", "kmnist") else second})
                       for m in ("vgg11", "vgg13") for o in ("mnist", "kmnist")})
    v = claims.verdict(_beats(True), r)
    assert v["verdict"] == verdict
    assert v["evidence"].startswith(f"{4 if verdict == 'reproduced' else 3} of 4 cells hold")


def test_fig6_rise_fall_claim_needs_the_middle_above_first_and_last_per_network():
    """The chapter's rose-fig6-rise-fall: a network holds only when middle − first and middle − last both lie above
    0; cnn4 rows are not selected by it, and rose-fig6-cnn judges only cnn4."""
    rise_fall = next(c for c in rose_chapter.CLAIMS if c.id == "rose-fig6-rise-fall")
    cnn = next(c for c in rose_chapter.CLAIMS if c.id == "rose-fig6-cnn")
    assert rise_fall.per_model and cnn.per_model
    values = {"ROSE/first": 0.6, "ROSE/middle": 0.8, "ROSE/last": 0.7}
    r = _fig6_results({
        ("vgg16", "mnist"): (values, {("ROSE/middle", "ROSE/first"): UP, ("ROSE/middle", "ROSE/last"): UP}),
        ("resnet18", "mnist"): (values, {("ROSE/middle", "ROSE/first"): UP, ("ROSE/middle", "ROSE/last"): DOWN}),
        ("cnn4", "mnist"): (values, {("ROSE/middle", "ROSE/first"): DOWN, ("ROSE/middle", "ROSE/last"): DOWN,
                                     ("ROSE/last", "ROSE/first"): UP})})
    v = claims.verdict(rise_fall, r)
    assert v["verdict"] == "partly" and v["evidence"].startswith("1 of 2 cells hold"), v
    assert "Hold: vgg16" in v["evidence"] and "Fail: resnet18" in v["evidence"] and "cnn4" not in v["evidence"]
    c = claims.verdict(cnn, r)
    assert c["verdict"] == "reproduced" and c["evidence"].startswith("1 of 1 cells hold"), c


# --------------------------------------------------------------------------------------------------
# recipes
# --------------------------------------------------------------------------------------------------

def test_profile_models_include_the_perturbation_study_and_app_d_models():
    """Every perturbation's background VAE and RND on CIFAR-10 and every App. D classifier on Fashion-MNIST; none of
    those kinds is committed."""
    entries = zoo.profile_models("cpu")
    for spec in rose_chapter.PERTURBATIONS.values():
        assert ("oe-background-vae", "cifar10", spec) in entries and ("rnd", "cifar10", spec) in entries
    for arch in ARCHS:
        assert ("layered-classifier", "fmnist", arch) in entries
    assert len(entries) == len(set(entries))
    known = zoo.kinds()
    for kind in ("oe-background-vae", "rnd", "layered-classifier"):
        assert known[kind].committed is False
    assert known["vae"].committed is True
    for kind, d, extra in entries:                 # every recipe of these kinds writes without error
        if kind in ("oe-background-vae", "rnd", "layered-classifier"):
            zoo.recipe(kind, d, "cpu", 0, extra)


@pytest.mark.parametrize("profile", ["cpu", "smoke"])
def test_oe_background_vae_recipe(profile):
    """"random:0.2" trains with perturb_mu = 0.2 and no perturbation; "svd:28" with perturbation "svd:28" and no
    perturb_mu; both the ROSE VAE on oe_n_train images for oe_background_epochs, λ = 0."""
    p = rose_chapter.SIZES[profile]
    vae, vae_spec, _ = rose_chapter.vae_recipe("cifar10", profile)
    m, spec, tcfg = rose_chapter.oe_background_vae_recipe("cifar10", profile, 0, "random:0.2")
    assert m == vae and spec.n == p.oe_n_train and spec.name == vae_spec.name == "cifar10"
    assert tcfg.perturb_mu == 0.2 and tcfg.perturbation is None
    assert (tcfg.epochs, tcfg.lr_step_epochs) == p.oe_background_epochs and tcfg.weight_decay == 0.0
    m2, spec2, tcfg2 = rose_chapter.oe_background_vae_recipe("cifar10", profile, 0, "svd:28")
    assert m2 == vae and spec2 == spec
    assert tcfg2.perturbation == "svd:28" and tcfg2.perturb_mu is None
    assert (tcfg2.epochs, tcfg2.lr_step_epochs) == p.oe_background_epochs
    assert isinstance(tcfg2, TrainConfig)
    assert zoo.recipe("oe-background-vae", "cifar10", profile, 0, None) == (m2, spec2, tcfg2)   # default svd:28


@pytest.mark.parametrize("spec", ["svd:28", "random:0.2"])
def test_oe_background_vae_l2_recipe_differs_from_lambda_zero_in_weight_decay_only(spec):
    """The λ = 10 background is the λ = 0 recipe with Adam's weight_decay = OE_L2 = 10 (so another cache key); the
    λ = 0 recipe is unchanged by the l2 argument's default."""
    zero = rose_chapter.oe_background_vae_recipe("cifar10", "cpu", 0, spec)
    assert rose_chapter.oe_background_vae_recipe("cifar10", "cpu", 0, spec, l2=0.0) == zero
    m, data_spec, tcfg = rose_chapter.oe_background_vae_l2_recipe("cifar10", "cpu", 0, spec)
    assert (m, data_spec) == zero[:2] and rose_chapter.OE_L2 == 10.0
    assert tcfg == replace(zero[2], weight_decay=10.0) and tcfg.to_dict() != zero[2].to_dict()
    assert zoo.recipe("oe-background-vae-l2", "cifar10", "cpu", 0, spec) == (m, data_spec, tcfg)


def test_profile_models_include_table_1s_lambda_ten_backgrounds_uncommitted():
    """The cpu profile lists the λ = 10 background of each of Table 1's four perturbations, and no other; the kind
    is not committed."""
    entries = [e for e in zoo.profile_models("cpu") if e[0] == "oe-background-vae-l2"]
    names = rose_chapter.BRIGHTNESS_TABLES["Table 1"][1]
    assert entries == [("oe-background-vae-l2", "cifar10", rose_chapter.PERTURBATIONS[n]) for n in names]
    assert zoo.kinds()["oe-background-vae-l2"].commits("gb") is False


def test_table_3_widths_are_committed_up_to_the_papers_width():
    """The cpu width sweep is 0.125× to the paper's 4×, the same cache keys as the quarter-width sweep it extends
    (0.125×–1×); widths up to 1× are committed, the paper's 2× and 4× not (ModelKind.commits)."""
    p = rose_chapter.SIZES["cpu"]
    widths = [w * p.width_base for w in p.widths]
    assert widths == [0.125, 0.25, 0.5, 1.0, 2.0, 4.0]
    kind = zoo.kinds()["width-vae"]
    assert [kind.commits(w) for w in widths] == [True, True, True, True, False, False]
    assert kind.commits(None) is True                  # the default width, 1×
    assert zoo.kinds()["vae"].commits(1.0) is True and zoo.kinds()["rnd"].commits("gb") is False
    for w in widths:
        assert ("width-vae", "fmnist", w) in zoo.profile_models("cpu")


def _sweep_evaluation(method, rng, shift, n_id=50, n_ood=40, ood="celeba"):
    """An Evaluation of ``method`` on ``ood`` at every brightness: ID scores N(0, 1), OOD scores a base plus shift."""
    from oodlib.evaluate import Evaluation

    base = rng.normal(size=n_ood)
    ood_scores = {f"{ood}@{sweeps.factor_label(k)}": base + shift + 0.1 * i for i, k in enumerate(sweeps.FACTORS)}
    return Evaluation(method, "cifar10", rng.normal(size=n_id), ood_scores, pd.DataFrame())


def test_l2_rows_feed_the_lambda_claim_end_to_end():
    """l2_rows writes each λ = 10 brightness row and λ = 0's Mean minus λ = 10's, paired; the claim rose-b3-lambda
    reads them, one cell per perturbation: λ = 0 far better on SVD, DCT and GB, far worse on Random → partly."""
    rng = np.random.default_rng(0)
    names = rose_chapter.BRIGHTNESS_TABLES["Table 1"][1]
    evals = {}
    for n in names:
        better = n != "Random0.2"
        evals[f"LRatio/{n}"] = _sweep_evaluation(f"LRatio/{n}", rng, 1.5 if better else 0.0)
        evals[f"LRatio λ=10/{n}"] = _sweep_evaluation(f"LRatio λ=10/{n}", rng, 0.0 if better else 1.5)
    evals["ROSE"] = _sweep_evaluation("ROSE", rng, 1.0)
    evals |= {f"RND/{n}": _sweep_evaluation(f"RND/{n}", rng, 0.5) for n in names}
    rows = rose_chapter.l2_rows(evals, "Table 1", seed=0)
    labels = set(rows.method)
    for row in ("SVD", "DCT", "GB", "Random"):
        assert {f"LRatio λ=10/{row}; 1x", f"LRatio λ=10/{row}; Mean", f"LRatio λ=10/{row}; Std",
                f"LRatio/{row}; Mean − LRatio λ=10/{row}; Mean"} <= labels
    ten = rows[rows.method == "LRatio λ=10/SVD; Mean"].value.iloc[0]
    assert np.isclose(ten, np.mean([roc_auc_score(np.r_[np.zeros(50), np.ones(40)],
                                                  np.r_[evals["LRatio λ=10/SVD28"].id_scores, s])
                                    for s in evals["LRatio λ=10/SVD28"].ood_scores.values()]))
    zero = rose_chapter.brightness_rows(evals, "Table 1", seed=0)
    frame = pd.concat([zero, rows], ignore_index=True).assign(
        paper="rose", section="App. B.3", table="Table 1", model="VAE", in_dist="cifar10",
        paper_value=float("nan"), profile="cpu", seed=0)[results.COLUMNS]
    claim = next(c for c in rose_chapter.CLAIMS if c.id == "rose-b3-lambda")
    v = claims.verdict(claim, frame)
    assert v["verdict"] == "partly" and v["evidence"].startswith("3 of 4 cells hold"), v
    assert "Fail: cifar10→celeba, LRatio/Random; Mean" in v["evidence"]


@pytest.mark.parametrize("recipe", [rose_chapter.oe_background_vae_recipe, rose_chapter.rnd_recipe])
@pytest.mark.parametrize("bad", ["svd:5", "blur", "random:0.5"])
def test_perturbation_study_recipes_reject_unknown_perturbations(recipe, bad):
    with pytest.raises(UnknownName, match="svd:28"):
        recipe("cifar10", "cpu", 0, bad)


@pytest.mark.parametrize("profile", ["cpu", "smoke"])
def test_rnd_recipe(profile):
    """RNDConfig with the profile's rnd_width / rnd_features, 3 channels, the perturbation; Adam at rnd_lr for
    rnd_epochs on oe_n_train CIFAR-10 images, batch 128, γ 0.1."""
    p = rose_chapter.SIZES[profile]
    m, spec, tcfg = rose_chapter.rnd_recipe("cifar10", profile, 0, "dct:28")
    assert m == RNDConfig(channels=3, width=p.rnd_width, features=p.rnd_features, perturbation="dct:28")
    assert spec.name == "cifar10" and spec.n == p.oe_n_train and spec.channels == 3
    assert (tcfg.epochs, tcfg.lr, tcfg.lr_step_epochs, tcfg.lr_gamma, tcfg.batch_size) == \
        (p.rnd_epochs, p.rnd_lr, p.rnd_lr_step, 0.1, 128)
    assert zoo.recipe("rnd", "cifar10", profile, 0, "gb")[0].perturbation == "gb"


def test_layered_classifier_recipe():
    """An App. D classifier on Fashion-MNIST: 1 channel, the profile's fig6_width, fig6_n_train images, fig6_epochs."""
    p = rose_chapter.SIZES["cpu"]
    for arch in ARCHS:
        m, spec, tcfg = zoo.recipe("layered-classifier", "fmnist", "cpu", 0, arch)
        assert m == LayeredClassifierConfig(arch=arch, channels=1, width=p.fig6_width)
        assert spec.name == "fmnist" and spec.n == p.fig6_n_train and tcfg.epochs == p.fig6_epochs
    assert zoo.recipe("layered-classifier", "fmnist", "cpu")[0].arch == "cnn4"
