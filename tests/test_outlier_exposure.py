"""The outlier-exposing baselines of ROSE App. B.3 and §3.2's brightness sweep: the input perturbations
(``oodlib.data.perturb``: SVD / DCT / Gaussian blur, Random) against per-image numpy / scipy computations,
``TrainConfig.perturbation``, the RND networks and their score, the sweep rows and the paired bootstrap of the
difference of two Stds (``oodlib.sweeps``), and the claim rule ``beats`` with ``lower=True``.

Every test is fast and needs no dataset file: tiny random tensors, one 16×16 RND trained for a few seconds."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.fft
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch import nn

from oodlib import claims, data, results, scores, sweeps
from oodlib.data.perturb import dct_blur, gaussian_blur, perturb, perturbation, svd_blur
from oodlib.errors import BadInput, UnknownName
from oodlib.evaluate import difference_label
from oodlib.models import RND, RNDConfig, build
from oodlib.scores import RNDScore
from oodlib.train import TrainConfig, train


def _images(b=3, c=3, h=12, w=16, seed=0, low=0, high=256):
    return torch.randint(low, high, (b, c, h, w), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


def _to_uint8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------------
# reference computations, one image and channel at a time
# --------------------------------------------------------------------------------------------------

def _svd_reference(x: torch.Tensor, k: int) -> torch.Tensor:
    """numpy's SVD per image and channel, keeping the top rank − k singular values."""
    a = x.numpy().astype(np.float64)
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        for c in range(a.shape[1]):
            u, s, vh = np.linalg.svd(a[i, c], full_matrices=False)
            rank = int(np.linalg.matrix_rank(a[i, c]))
            keep = max(rank - k, 0)
            out[i, c] = (u[:, :keep] * s[:keep]) @ vh[:keep]
    return torch.from_numpy(_to_uint8(out))


def _dct_reference(x: torch.Tensor, k: int) -> torch.Tensor:
    """scipy's orthonormal 2-D DCT per image and channel, keeping the k largest-magnitude coefficients."""
    a = x.numpy().astype(np.float64)
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        for c in range(a.shape[1]):
            coef = scipy.fft.dctn(a[i, c], norm="ortho").ravel()
            kept = np.zeros_like(coef)
            top = np.argsort(-np.abs(coef), kind="stable")[:k]
            kept[top] = coef[top]
            out[i, c] = scipy.fft.idctn(kept.reshape(a.shape[2:]), norm="ortho")
    return torch.from_numpy(_to_uint8(out))


def _gaussian_reference(x: torch.Tensor, kernel=3, sigma=0.8) -> torch.Tensor:
    """A direct depthwise conv with the normalised kernel exp(−d²/2σ²) (d the offset from the centre), reflect
    padding."""
    r = kernel // 2
    d = torch.arange(-r, r + 1, dtype=torch.float64)
    g = torch.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma ** 2))
    g = g / g.sum()
    c = x.shape[1]
    padded = F.pad(x.double(), (r, r, r, r), mode="reflect")
    out = F.conv2d(padded, g.expand(c, 1, kernel, kernel).contiguous(), groups=c)
    return out.round().clamp(0, 255).to(torch.uint8)


def _max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> int:
    return int((a.int() - b.int()).abs().max())


# --------------------------------------------------------------------------------------------------
# svd_blur
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, 1, 3, 11, 12, 20])
def test_svd_blur_matches_per_channel_numpy_svd(k):
    """svd_blur keeps the top rank − k singular values of every image's every channel (numpy's SVD, one at a time);
    12×16 random images have rank 12, so k >= 12 leaves nothing."""
    x = _images(b=3, c=3, h=12, w=16, seed=k)
    got = svd_blur(x, k)
    assert got.dtype == torch.uint8 and got.shape == x.shape
    want = _svd_reference(x, k)
    assert _max_abs_diff(got, want) <= 1 and (got != want).float().mean() < 1e-3
    if k == 0:
        assert torch.equal(got, x)
    if k >= 12:
        assert not got.any()


def test_svd_blur_of_rank_one_images():
    """A rank-1 image (an outer product) is unchanged with k = 0 and becomes all zeros with k >= its rank, 1."""
    u = torch.arange(1, 13, dtype=torch.int32)
    v = torch.arange(1, 17, dtype=torch.int32)
    x = (u[:, None] * v[None, :]).clamp(max=255)[:, :].to(torch.uint8)   # 12 × 16, max 192: exactly rank 1
    assert np.linalg.matrix_rank(x.numpy().astype(float)) == 1
    batch = torch.stack([x, x.flip(0)])[:, None].expand(2, 2, 12, 16).contiguous()
    assert torch.equal(svd_blur(batch, 0), batch)
    for k in (1, 2, 28):
        assert not svd_blur(batch, k).any()
    constant = torch.full((1, 1, 5, 5), 77, dtype=torch.uint8)          # rank 1 too
    assert torch.equal(svd_blur(constant, 0), constant) and not svd_blur(constant, 1).any()
    assert not svd_blur(torch.zeros(1, 1, 4, 4, dtype=torch.uint8), 0).any()   # rank 0


def test_svd_blur_of_a_rank_two_image_keeps_its_leading_component():
    """A rank-2 image with k = 1 becomes its best rank-1 approximation σ1 u1 v1ᵀ (Eckart–Young), per channel."""
    a = np.outer(np.arange(1, 9), np.ones(10)) * 12 + np.outer(np.ones(8), np.arange(10)) * 5   # rank 2, max 141
    assert np.linalg.matrix_rank(a) == 2
    x = torch.from_numpy(np.stack([a, a[::-1]]).astype(np.uint8))[None]     # 1 × 2 × 8 × 10
    got = svd_blur(x, 1)
    for c, channel in enumerate((a, a[::-1])):
        u, s, vh = np.linalg.svd(channel, full_matrices=False)
        want = _to_uint8(s[0] * np.outer(u[:, 0], vh[0]))
        assert np.abs(got[0, c].numpy().astype(int) - want.astype(int)).max() <= 1
    assert not torch.equal(got, x) and torch.equal(svd_blur(x, 0), x) and not svd_blur(x, 2).any()


# --------------------------------------------------------------------------------------------------
# dct_blur
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 5, 28, 100, 192])
def test_dct_blur_matches_per_channel_scipy_dct(k):
    """dct_blur keeps the k largest |coefficients| of each channel's orthonormal 2-D DCT (scipy, one at a time;
    random images, so no ties at the k-th magnitude)."""
    x = _images(b=3, c=3, h=12, w=16, seed=100 + k)
    got = dct_blur(x, k)
    assert got.dtype == torch.uint8 and got.shape == x.shape
    want = _dct_reference(x, k)
    assert _max_abs_diff(got, want) <= 1 and (got != want).float().mean() < 1e-3


def test_dct_blur_with_every_coefficient_returns_the_image():
    """With k = H·W every coefficient is kept: the image comes back exactly."""
    x = _images(b=2, c=3, h=8, w=10, seed=3)
    assert torch.equal(dct_blur(x, 80), x)


def test_dct_blur_with_one_coefficient_is_the_channel_mean():
    """With k = 1 only the DC coefficient (the largest for bright, low-contrast images) survives: every pixel
    becomes its channel's mean, rounded."""
    x = _images(b=3, c=2, h=8, w=8, seed=4, low=100, high=156)
    got = dct_blur(x, 1)
    means = x.double().mean((2, 3), keepdim=True).round().expand_as(x).to(torch.uint8)
    assert torch.equal(got, means)


# --------------------------------------------------------------------------------------------------
# gaussian_blur
# --------------------------------------------------------------------------------------------------

def test_gaussian_blur_of_a_constant_image_is_constant():
    """The kernel sums to 1 and reflect padding adds no new values: a constant image stays the same."""
    x = torch.full((2, 3, 9, 7), 173, dtype=torch.uint8)
    assert torch.equal(gaussian_blur(x), x)
    assert torch.equal(gaussian_blur(x, 5, 2.0), x)


@pytest.mark.parametrize("kernel, sigma", [(3, 0.8), (5, 1.5), (1, 0.8)])
def test_gaussian_blur_matches_a_direct_convolution(kernel, sigma):
    """gaussian_blur equals a depthwise conv with the normalised kernel exp(−d²/2σ²) on the reflect-padded image,
    within 1 for the rounding; kernel 1 is the identity."""
    x = _images(b=2, c=3, h=10, w=12, seed=kernel)
    got = gaussian_blur(x, kernel, sigma)
    assert got.dtype == torch.uint8 and got.shape == x.shape
    assert _max_abs_diff(got, _gaussian_reference(x, kernel, sigma)) <= 1
    if kernel == 1:
        assert torch.equal(got, x)
    else:
        assert not torch.equal(got, x)


# --------------------------------------------------------------------------------------------------
# perturb and perturbation(spec)
# --------------------------------------------------------------------------------------------------

def test_perturb_replaces_the_given_fraction_of_subpixels():
    """μ = 0 leaves the images alone; μ = 0.2 changes about 0.2 × 255/256 of the sub-pixels (a shift u = 0 keeps
    the value), reproducibly from a seeded generator; the replacement values are spread over 0..255."""
    x = _images(b=8, c=3, h=16, w=16, seed=5)
    assert torch.equal(perturb(x, 0.0, torch.Generator().manual_seed(0)), x)
    a = perturb(x, 0.2, torch.Generator().manual_seed(1))
    b = perturb(x, 0.2, torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and a.dtype == torch.uint8
    changed = (a != x).double().mean().item()
    assert abs(changed - 0.2 * 255 / 256) < 0.02
    full = perturb(x, 1.0, torch.Generator().manual_seed(2))
    assert abs((full != x).double().mean().item() - 255 / 256) < 0.01
    assert np.histogram(full.numpy(), bins=4, range=(0, 256))[0].min() > 0.2 * full.numel()


@pytest.mark.parametrize("spec, direct", [
    ("svd:3", lambda x: svd_blur(x, 3)),
    ("svd:0", lambda x: svd_blur(x, 0)),
    ("dct:28", lambda x: dct_blur(x, 28)),
    ("gb", lambda x: gaussian_blur(x, 3, 0.8)),
    ("gb:5:1.5", lambda x: gaussian_blur(x, 5, 1.5)),
])
def test_perturbation_spec_is_the_direct_function(spec, direct):
    """perturbation(spec) returns the function the name says, with its arguments."""
    x = _images(b=2, c=3, h=12, w=12, seed=6)
    assert torch.equal(perturbation(spec)(x), direct(x))


def test_random_perturbation_draws_from_the_global_generator():
    """perturbation("random:0.2") is perturb(x, 0.2) drawn from torch's global generator: the same after the same
    seed."""
    x = _images(b=4, c=3, h=8, w=8, seed=7)
    torch.manual_seed(11)
    a = perturbation("random:0.2")(x)
    torch.manual_seed(11)
    b = perturb(x, 0.2)
    assert torch.equal(a, b) and not torch.equal(a, x)


def test_perturbations_reject_bad_inputs():
    """Float or 3-D images, k < 0, a DCT k outside 1..H·W, an even kernel or σ <= 0, and μ outside [0, 1] raise
    BadInput."""
    x = _images(b=1, c=1, h=4, w=4)
    for fn in (lambda t: svd_blur(t, 1), lambda t: dct_blur(t, 1), gaussian_blur):
        with pytest.raises(BadInput):
            fn(x.float())
        with pytest.raises(BadInput):
            fn(x[0])
    with pytest.raises(BadInput):
        svd_blur(x, -1)
    for k in (0, 17):
        with pytest.raises(BadInput):
            dct_blur(x, k)
    for kernel, sigma in ((4, 0.8), (0, 0.8), (3, 0.0), (3, -1.0)):
        with pytest.raises(BadInput):
            gaussian_blur(x, kernel, sigma)
    with pytest.raises(BadInput):
        perturb(x.float(), 0.1)
    for mu in (-0.1, 1.5):
        with pytest.raises(BadInput):
            perturb(x, mu)


@pytest.mark.parametrize("spec", ["svd:-1", "dct:0", "gb:4:0.8", "gb:3:0", "svd:x", "svd:2.5", "random:1.5",
                                  "random:abc"])
def test_perturbation_rejects_bad_arguments(spec):
    """A known name with an argument out of range or of the wrong type raises BadInput."""
    with pytest.raises(BadInput):
        perturbation(spec)


@pytest.mark.parametrize("spec", ["blur:3", "svd", "dct", "random", "gb:3", "svd:1:2", "", "SVD:28"])
def test_perturbation_rejects_unknown_names(spec):
    """An unknown name, or a known one with the wrong number of arguments, raises UnknownName naming the choices."""
    with pytest.raises(UnknownName, match="svd:K"):
        perturbation(spec)


def test_perturbation_accepts_a_large_valid_gaussian_kernel():
    """"gb:9:2" names a valid blur of 32×32 images: perturbation returns it, equal to gaussian_blur(x, 9, 2)."""
    x = _images(b=1, c=3, h=32, w=32, seed=15)
    assert torch.equal(perturbation("gb:9:2")(x), gaussian_blur(x, 9, 2.0))


# --------------------------------------------------------------------------------------------------
# TrainConfig.perturbation
# --------------------------------------------------------------------------------------------------

def test_train_config_perturbation_in_the_cache_key_only_when_set():
    """An unset perturbation is dropped from to_dict (earlier recipes keep their cache keys); a set one is kept."""
    assert "perturbation" not in TrainConfig(epochs=1).to_dict()
    assert TrainConfig(epochs=1).to_dict() == TrainConfig(epochs=1, perturbation=None).to_dict()
    assert TrainConfig(epochs=1, perturbation="svd:28").to_dict()["perturbation"] == "svd:28"
    assert TrainConfig(epochs=1, perturbation="gb").to_dict() != TrainConfig(epochs=1, perturbation="dct:28").to_dict()


def test_train_config_perturbation_checked_at_construction():
    """perturb_mu with perturbation, an unknown name, or a bad argument fail when the config is written."""
    with pytest.raises(BadInput, match="perturb_mu"):
        TrainConfig(epochs=1, perturb_mu=0.2, perturbation="random:0.2")
    with pytest.raises(UnknownName):
        TrainConfig(epochs=1, perturbation="blur:3")
    with pytest.raises(BadInput):
        TrainConfig(epochs=1, perturbation="svd:-2")


class _Recorder(nn.Module):
    """A fake model whose loss records the batches it is given."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(()))
        self.seen = []

    def loss(self, x):
        self.seen.append(x.clone())
        return self.w * x.float().mean()


def test_train_feeds_the_model_perturbed_batches():
    """With TrainConfig.perturbation the model's loss sees perturbation(spec) of its training images, never the
    clean ones."""
    x = _images(b=10, c=3, h=8, w=8, seed=8)
    want = [e for e in perturbation("svd:2")(x)]
    model = _Recorder()
    train(model, x, TrainConfig(epochs=2, batch_size=4, lr_step_epochs=None, perturbation="svd:2"), progress=False)
    seen = [img for batch in model.seen for img in batch]
    assert len(seen) == 20
    for img in seen:
        assert any(torch.equal(img, e) for e in want)
        assert not any(torch.equal(img, e) for e in x)


# --------------------------------------------------------------------------------------------------
# RND
# --------------------------------------------------------------------------------------------------

def _rnd(perturbation_spec="svd:2", seed=0):
    torch.manual_seed(seed)
    return build(RNDConfig(channels=3, image_size=16, width=4, features=8, perturbation=perturbation_spec).to_dict())


def _norm(x):
    return (x.float() / 255.0 - 0.5) / 0.25


def test_rnd_builds_from_its_config_dict():
    """build(RNDConfig(...).to_dict()) gives an RND with frozen targets g0, g1 and a trainable predictor f."""
    model = _rnd()
    assert isinstance(model, RND) and model.config.perturbation == "svd:2"
    assert RNDConfig().to_dict()["kind"] == "rnd"
    assert all(not p.requires_grad for p in [*model.g0.parameters(), *model.g1.parameters()])
    assert all(p.requires_grad for p in model.f.parameters())
    x = _images(b=2, c=3, h=16, w=16)
    assert model.f(_norm(x)).shape == model.g0(_norm(x)).shape == (2, 8)
    with pytest.raises(UnknownName):
        RNDConfig(perturbation="blur")


@pytest.mark.parametrize("spec", ["svd:8", "gb", "dct:10"])
def test_rnd_loss_is_the_hand_computation(spec):
    """loss(x) = mean over the batch of ½(‖f(x) − g0(x)‖² + ‖f(x̃) − g1(x̃)‖²), x̃ the perturbed copy, inputs
    normalised as (x/255 − 0.5)/0.25; g1 sees x̃, not x."""
    model = _rnd(spec)
    x = _images(b=5, c=3, h=16, w=16, seed=9)
    xt = perturbation(spec)(x)
    with torch.no_grad():
        clean, blurred = _norm(x), _norm(xt)
        d0 = (model.f(clean) - model.g0(clean)).pow(2).sum(1)
        d1 = (model.f(blurred) - model.g1(blurred)).pow(2).sum(1)
        want = (0.5 * (d0 + d1)).mean()
        unperturbed = (0.5 * (d0 + (model.f(clean) - model.g1(clean)).pow(2).sum(1))).mean()
        got = model.loss(x)
    assert torch.allclose(got, want, rtol=1e-5)
    assert (got - unperturbed).abs() > 100 * (got - want).abs() + 1e-7     # g1 must see x̃: the check tells apart
    assert torch.allclose(model.distance(x), d0, rtol=1e-5)


def test_rnd_gradients_reach_the_predictor_only():
    """After loss.backward() the targets' .grad stays None and every predictor parameter has a gradient."""
    model = _rnd()
    model.loss(_images(b=4, c=3, h=16, w=16, seed=10)).backward()
    assert all(p.grad is None for p in [*model.g0.parameters(), *model.g1.parameters()])
    grads = [p.grad for p in model.f.parameters()]
    assert all(g is not None for g in grads) and any(g.abs().sum() > 0 for g in grads)


def test_rnd_loss_checks_its_input():
    """Images of the wrong size or channel count raise BadInput."""
    model = _rnd()
    with pytest.raises(BadInput):
        model.loss(_images(b=2, c=3, h=8, w=8))
    with pytest.raises(BadInput):
        model.loss(_images(b=2, c=1, h=16, w=16))


@pytest.fixture(scope="module")
def trained_rnd():
    """(untrained copy, trained model, training images): 64 random 3×16×16 images, 25 epochs of Adam at 1e-3."""
    x = _images(b=64, c=3, h=16, w=16, seed=12)
    model = _rnd("svd:2", seed=1)
    before = copy.deepcopy(model)
    history = train(model, x, TrainConfig(epochs=25, lr=1e-3, lr_step_epochs=None, batch_size=16), progress=False)
    return before, model, x, history


def test_rnd_training_lowers_the_distance_on_training_images(trained_rnd):
    """A short training brings f close to g0 on the training images: their distances drop, and the loss falls."""
    before, after, x, history = trained_rnd
    with torch.no_grad():
        d_before, d_after = before.distance(x), after.distance(x)
    assert d_after.mean() < 0.5 * d_before.mean()
    assert (d_after < d_before).float().mean() > 0.9
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_rnd_training_leaves_the_targets_unchanged(trained_rnd):
    """The frozen targets g0 and g1 have the same weights after training; the predictor's changed."""
    before, after, _, _ = trained_rnd
    for name in ("g0", "g1"):
        old, new = getattr(before, name).state_dict(), getattr(after, name).state_dict()
        assert all(torch.equal(old[k], new[k]) for k in old)
    assert any(not torch.equal(before.f.state_dict()[k], v) for k, v in after.f.state_dict().items())


def test_rnd_score_is_the_distance(trained_rnd):
    """RNDScore().fit(model).score(x) equals model.distance(x) per image, whatever the batching."""
    _, model, x, _ = trained_rnd
    x = torch.cat([x[:10], _images(b=11, c=3, h=16, w=16, seed=13)])
    scorer = RNDScore().fit(model)
    scorer.batch_size = 4
    got = scorer.score(x)
    with torch.no_grad():
        want = model.distance(x.float())
    assert got.shape == (21,) and torch.allclose(got, want, rtol=1e-5, atol=1e-6)
    assert torch.allclose(RNDScore().fit(model).score(x), want, rtol=1e-5, atol=1e-6)


def test_rnd_score_needs_a_model_with_distance():
    """fit on a model without distance(x) raises BadInput; the scorer is registered as SCORERS["RND"]."""
    with pytest.raises(BadInput, match="RND"):
        RNDScore().fit(nn.Linear(2, 2))
    assert scores.SCORERS["RND"] is RNDScore


# --------------------------------------------------------------------------------------------------
# the brightness sweep: rows, the fast AUROC, the paired bootstrap of the Std difference
# --------------------------------------------------------------------------------------------------

def _sklearn_auroc(id_s, ood_s):
    id_s, ood_s = np.asarray(id_s, float), np.asarray(ood_s, float)
    return roc_auc_score(np.r_[np.zeros(len(id_s)), np.ones(len(ood_s))], np.r_[id_s, ood_s])


def _sweep(seed, n_id=40, n_ood=30, shifts=None):
    """(ID scores, {factor label: OOD scores}): the OOD images' scores are the same base plus a shift per factor."""
    rng = np.random.default_rng(seed)
    shifts = np.linspace(-1.5, 1.5, len(sweeps.FACTORS)) if shifts is None else shifts
    base = rng.normal(size=n_ood)
    return rng.normal(size=n_id), {sweeps.factor_label(k): base + s for k, s in zip(sweeps.FACTORS, shifts)}


def test_factor_labels_are_the_papers_columns():
    """The nine factors are labelled "0.2x" … "1.8x", 1.0 as "1x"."""
    assert [sweeps.factor_label(k) for k in sweeps.FACTORS] == [
        "0.2x", "0.4x", "0.6x", "0.8x", "1x", "1.2x", "1.4x", "1.6x", "1.8x"]


@pytest.mark.parametrize("method, names", [
    ("ROSE", ["ROSE/0.2x", "ROSE/0.4x", "ROSE/0.6x", "ROSE/0.8x", "ROSE/1x", "ROSE/1.2x", "ROSE/1.4x",
              "ROSE/1.6x", "ROSE/1.8x", "ROSE/Mean", "ROSE/Std"]),
    ("LRatio/SVD", ["LRatio/SVD; 0.2x", "LRatio/SVD; 0.4x", "LRatio/SVD; 0.6x", "LRatio/SVD; 0.8x", "LRatio/SVD; 1x",
                    "LRatio/SVD; 1.2x", "LRatio/SVD; 1.4x", "LRatio/SVD; 1.6x", "LRatio/SVD; 1.8x",
                    "LRatio/SVD; Mean", "LRatio/SVD; Std"]),
])
def test_sweep_rows_are_sklearn_aurocs_their_mean_and_population_std(method, names):
    """One AUROC row per factor (sklearn, OOD the positive class), then their mean and population (ddof 0) std."""
    id_s, sweep = _sweep(0)
    rows = sweeps.sweep_rows(method, id_s, sweep, "svhn")
    assert list(rows.columns) == ["ood", "method", "metric", "value"]
    assert list(rows.method) == names and set(rows.ood) == {"svhn"} and set(rows.metric) == {"AUROC"}
    per_factor = np.array([_sklearn_auroc(id_s, s) for s in sweep.values()])
    np.testing.assert_allclose(rows.value.to_numpy()[:9], per_factor, atol=1e-12)
    np.testing.assert_allclose(rows.value.iloc[9], per_factor.mean(), atol=1e-12)
    np.testing.assert_allclose(rows.value.iloc[10], np.std(per_factor, ddof=0), atol=1e-12)
    assert not np.isclose(rows.value.iloc[10], np.std(per_factor, ddof=1))


def _bootstrap_reference(id_a, sweep_a, id_b, sweep_b, n_boot, seed, level=0.95):
    """The paired bootstrap by hand, sklearn's AUROC: each replicate redraws the ID and the OOD images once, for
    a and b and every factor alike."""
    rng = np.random.default_rng(seed)
    oa, ob = np.stack(list(sweep_a.values())), np.stack(list(sweep_b.values()))
    diffs = []
    for _ in range(n_boot):
        i = rng.integers(0, len(id_a), len(id_a))
        o = rng.integers(0, oa.shape[1], oa.shape[1])
        diffs.append(np.std([_sklearn_auroc(id_a[i], r[o]) for r in oa])
                     - np.std([_sklearn_auroc(id_b[i], r[o]) for r in ob]))
    tail = 100 * (1 - level) / 2
    return np.percentile(diffs, [tail, 100 - tail])


def test_paired_std_difference_point_and_interval():
    """The point is Std(a) − Std(b) of the sklearn AUROCs; the interval is the percentile interval of the paired
    bootstrap (computed again by hand) and contains the point; a stable detector's Std is lower."""
    id_a, sweep_a = _sweep(1, shifts=np.full(9, 1.0) + np.linspace(-0.05, 0.05, 9))
    id_b, sweep_b = _sweep(2)
    point, low, high = sweeps.paired_std_difference(id_a, sweep_a, id_b, sweep_b, n_boot=60, seed=3)
    want = (np.std([_sklearn_auroc(id_a, s) for s in sweep_a.values()])
            - np.std([_sklearn_auroc(id_b, s) for s in sweep_b.values()]))
    assert np.isclose(point, want, atol=1e-12)
    np.testing.assert_allclose([low, high], _bootstrap_reference(id_a, sweep_a, id_b, sweep_b, 60, 3), atol=1e-12)
    assert low <= point <= high < 0
    assert sweeps.paired_std_difference(id_a, sweep_a, id_b, sweep_b, n_boot=60, seed=3) == (point, low, high)


def test_paired_std_difference_is_paired():
    """Identical inputs give (0, 0, 0); so does b = a monotone transform of a's scores (same AUROCs on every
    resample, which only a paired bootstrap sees)."""
    id_s, sweep = _sweep(4)
    assert sweeps.paired_std_difference(id_s, sweep, id_s, sweep, n_boot=30) == (0.0, 0.0, 0.0)
    twisted = {k: np.exp(v) * 3 + 1 for k, v in sweep.items()}
    point, low, high = sweeps.paired_std_difference(id_s, sweep, np.exp(id_s) * 3 + 1, twisted, n_boot=30)
    assert abs(point) < 1e-12 and abs(low) < 1e-12 and abs(high) < 1e-12


def test_paired_std_difference_rejects_unpaired_inputs():
    """Different factors, numbers of ID or OOD images, n_boot < 1 or a level outside (0, 1) raise BadInput."""
    id_s, sweep = _sweep(5)
    other = dict(list(sweep.items())[:-1])
    with pytest.raises(BadInput, match="factors"):
        sweeps.paired_std_difference(id_s, sweep, id_s, other)
    reordered = dict(reversed(list(sweep.items())))
    with pytest.raises(BadInput):
        sweeps.paired_std_difference(id_s, sweep, id_s, reordered)
    with pytest.raises(BadInput):
        sweeps.paired_std_difference(id_s, sweep, id_s[:-1], sweep)
    with pytest.raises(BadInput):
        sweeps.paired_std_difference(id_s, sweep, id_s, {k: v[:-1] for k, v in sweep.items()})
    with pytest.raises(BadInput):
        sweeps.paired_std_difference(id_s, sweep, id_s, sweep, n_boot=0)
    with pytest.raises(BadInput):
        sweeps.paired_std_difference(id_s, sweep, id_s, sweep, level=1.0)


def test_std_difference_rows_name_the_paired_difference():
    """The rows carry method "ROSE/Std − LRatio/SVD; Std", metrics ΔAUROC / low / high, paired_std_difference's
    numbers."""
    id_a, sweep_a = _sweep(6, shifts=np.full(9, 1.0))
    id_b, sweep_b = _sweep(7)
    rows = sweeps.std_difference_rows("ROSE", id_a, sweep_a, "LRatio/SVD", id_b, sweep_b, "svhn", seed=2, n_boot=40)
    assert list(rows.method) == ["ROSE/Std − LRatio/SVD; Std"] * 3
    assert list(rows.metric) == ["ΔAUROC", "ΔAUROC low", "ΔAUROC high"] and set(rows.ood) == {"svhn"}
    want = sweeps.paired_std_difference(id_a, sweep_a, id_b, sweep_b, n_boot=40, seed=2)
    np.testing.assert_allclose(rows.value.to_numpy(), want)


def test_brightened_is_data_brightness_per_factor():
    """brightened(images) maps "0.2x" … "1.8x" to data.brightness(images, k): scaled, rounded, clipped."""
    x = _images(b=3, c=3, h=4, w=4, seed=14)
    images = data.ImageSet("t", "test", x, torch.full((3,), -1, dtype=torch.int64))
    out = sweeps.brightened(images)
    assert list(out) == [sweeps.factor_label(k) for k in sweeps.FACTORS]
    for k in sweeps.FACTORS:
        got = out[sweeps.factor_label(k)].x
        assert torch.equal(got, data.brightness(images, k).x)
        assert torch.equal(got, (x.double() * k).round().clamp(0, 255).to(torch.uint8))
    assert torch.equal(out["1x"].x, x)
    assert list(sweeps.brightened(images, (0.5, 1.0))) == ["0.5x", "1x"]


# --------------------------------------------------------------------------------------------------
# the claim rule beats with lower=True
# --------------------------------------------------------------------------------------------------

LABEL = "ROSE/Std − LRatio/SVD; Std"


def _std_results(rose_std, lratio_std, ci):
    """Results rows of one cell cifar10→svhn: the two Std rows and the paired difference rows (diff, low, high)."""
    base = {"paper": "rose", "section": "§3.2", "table": "Table 1", "model": "VAE", "in_dist": "cifar10",
            "ood": "svhn", "paper_value": float("nan"), "profile": "cpu", "seed": 0}
    rows = [{**base, "method": "ROSE/Std", "metric": "AUROC", "value": rose_std},
            {**base, "method": "LRatio/SVD; Std", "metric": "AUROC", "value": lratio_std}]
    rows += [{**base, "method": LABEL, "metric": m, "value": v}
             for m, v in zip(("ΔAUROC", "ΔAUROC low", "ΔAUROC high"), ci)]
    return pd.DataFrame(rows, columns=results.COLUMNS)


def _std_claim(lower=True):
    return claims.Claim("t", "rose", "§3.2", "rose/s3_2_brightness", "ROSE's AUROC varies least with brightness",
                        {"paper": "rose", "metric": "AUROC", "method": ["ROSE/Std", "LRatio/SVD; Std"]}, "beats",
                        method="ROSE/Std", lower=lower)


@pytest.mark.parametrize("rose, lratio, ci, lower, expected", [
    (0.02, 0.10, (-0.08, -0.12, -0.04), True, "reproduced"),
    (0.10, 0.02, (0.08, 0.04, 0.12), True, "not reproduced"),
    (0.04, 0.05, (-0.01, -0.03, 0.01), True, "inconclusive"),
    (0.02, 0.10, (-0.08, -0.12, -0.04), False, "not reproduced"),
    (0.10, 0.02, (0.08, 0.04, 0.12), False, "reproduced"),
], ids=["lower, below 0", "lower, above 0", "lower, contains 0", "higher, below 0", "higher, above 0"])
def test_beats_lower_reads_the_interval_the_other_way(rose, lratio, ci, lower, expected):
    """With lower=True the claim holds when the paired interval of "A − B" lies below 0 and fails when it lies
    above 0; without it, the other way round."""
    v = claims.verdict(_std_claim(lower), _std_results(rose, lratio, ci))
    assert v["verdict"] == expected, v
    assert "LRatio/SVD; Std" in v["evidence"]


def test_sweep_rows_feed_the_lower_claim_end_to_end():
    """A detector whose AUROC barely moves with brightness against one that swings: the rows sweep_rows and
    std_difference_rows write make the lower=True claim reproduced (and the plain claim not)."""
    id_a, sweep_a = _sweep(8, n_id=60, n_ood=50, shifts=np.full(9, 1.0) + np.linspace(-0.05, 0.05, 9))
    id_b, sweep_b = _sweep(9, n_id=60, n_ood=50, shifts=np.linspace(-2, 2, 9))
    values = pd.concat([sweeps.sweep_rows("ROSE", id_a, sweep_a, "svhn"),
                        sweeps.sweep_rows("LRatio/SVD", id_b, sweep_b, "svhn"),
                        sweeps.std_difference_rows("ROSE", id_a, sweep_a, "LRatio/SVD", id_b, sweep_b, "svhn",
                                                   n_boot=50)], ignore_index=True)
    frame = values.assign(paper="rose", section="§3.2", table="Table 1", model="VAE", in_dist="cifar10",
                          paper_value=float("nan"), profile="cpu", seed=0)[results.COLUMNS]
    assert claims.verdict(_std_claim(True), frame)["verdict"] == "reproduced"
    assert claims.verdict(_std_claim(False), frame)["verdict"] == "not reproduced"


# --------------------------------------------------------------------------------------------------
# App. B.3: the backgrounds at λ = 0 against λ = 10 — the rows' means, paired, and the claim rule beats with
# templates (one cell per perturbation)
# --------------------------------------------------------------------------------------------------

def test_paired_sweep_difference_of_means_is_the_mean_auroc_gap():
    """statistic="Mean": the point is the difference of the two rows' mean sklearn AUROCs, and the interval the
    paired percentile bootstrap of that difference, computed again by hand."""
    id_a, sweep_a = _sweep(20, n_id=120, n_ood=100, shifts=np.full(9, 2.0))
    id_b, sweep_b = _sweep(21, n_id=120, n_ood=100, shifts=np.full(9, 0.0))
    point, low, high = sweeps.paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, "Mean", n_boot=50, seed=4)
    want = (np.mean([_sklearn_auroc(id_a, s) for s in sweep_a.values()])
            - np.mean([_sklearn_auroc(id_b, s) for s in sweep_b.values()]))
    assert np.isclose(point, want, atol=1e-12)
    rng = np.random.default_rng(4)
    oa, ob = np.stack(list(sweep_a.values())), np.stack(list(sweep_b.values()))
    diffs = []
    for _ in range(50):
        i, o = rng.integers(0, len(id_a), len(id_a)), rng.integers(0, oa.shape[1], oa.shape[1])
        diffs.append(np.mean([_sklearn_auroc(id_a[i], r[o]) for r in oa])
                     - np.mean([_sklearn_auroc(id_b[i], r[o]) for r in ob]))
    np.testing.assert_allclose([low, high], np.percentile(diffs, [2.5, 97.5]), atol=1e-12)
    assert 0 < low <= point <= high


def test_paired_std_difference_is_the_std_statistic():
    """paired_std_difference is paired_sweep_difference with statistic "Std", its default."""
    id_a, sweep_a = _sweep(22)
    id_b, sweep_b = _sweep(23, shifts=np.linspace(-0.5, 0.5, 9))
    want = sweeps.paired_std_difference(id_a, sweep_a, id_b, sweep_b, n_boot=20, seed=1)
    assert sweeps.paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, "Std", n_boot=20, seed=1) == want
    assert sweeps.paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, n_boot=20, seed=1) == want


def test_paired_sweep_difference_rejects_an_unknown_statistic():
    id_s, sweep = _sweep(24)
    with pytest.raises(BadInput, match="Mean, Std"):
        sweeps.paired_sweep_difference(id_s, sweep, id_s, sweep, "Median")


def test_sweep_difference_rows_of_means_name_the_two_mean_rows():
    """The rows of a Mean difference carry method "LRatio/SVD; Mean − LRatio λ=10/SVD; Mean": the names of the two
    rows sweep_rows writes, joined as the claim rule beats looks them up."""
    id_a, sweep_a = _sweep(25, shifts=np.full(9, 1.0))
    id_b, sweep_b = _sweep(26)
    rows = sweeps.sweep_difference_rows("LRatio/SVD", id_a, sweep_a, "LRatio λ=10/SVD", id_b, sweep_b, "celeba",
                                        "Mean", seed=2, n_boot=30)
    label = "LRatio/SVD; Mean − LRatio λ=10/SVD; Mean"
    assert list(rows.method) == [label] * 3 and label == difference_label("LRatio/SVD; Mean",
                                                                               "LRatio λ=10/SVD; Mean")
    want = sweeps.paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, "Mean", n_boot=30, seed=2)
    np.testing.assert_allclose(rows.value.to_numpy(), want)
    names = set(sweeps.sweep_rows("LRatio/SVD", id_a, sweep_a, "celeba").method)
    assert "LRatio/SVD; Mean" in names


def _pair_results(cells):
    """Results rows of one cell cifar10→celeba holding, per perturbation name, "LRatio/<name>; Mean" and
    "LRatio λ=10/<name>; Mean" (values a, b) and their paired difference rows (diff, low, high)."""
    base = {"paper": "rose", "section": "App. B.3", "table": "Table 1", "model": "VAE", "in_dist": "cifar10",
            "ood": "celeba", "paper_value": float("nan"), "profile": "cpu", "seed": 0}
    rows = []
    for name, (a, b, ci) in cells.items():
        zero, ten = f"LRatio/{name}; Mean", f"LRatio λ=10/{name}; Mean"
        rows += [{**base, "method": zero, "metric": "AUROC", "value": a},
                 {**base, "method": ten, "metric": "AUROC", "value": b}]
        rows += [{**base, "method": difference_label(zero, ten), "metric": m, "value": v}
                 for m, v in zip(("ΔAUROC", "ΔAUROC low", "ΔAUROC high"), ci)]
    return pd.DataFrame(rows, columns=results.COLUMNS)


def _pair_claim():
    return claims.Claim("t", "rose", "App. B.3", "rose/s3_2", "λ = 0 performs better than λ = 10",
                        {"paper": "rose", "table": "Table 1", "metric": "AUROC"}, "beats",
                        method="LRatio/{}; Mean", versus="LRatio λ=10/{}; Mean")


@pytest.mark.parametrize("cells, expected, n_hold", [
    ({"SVD": (0.6, 0.5, (0.1, 0.05, 0.15)), "GB": (0.7, 0.4, (0.3, 0.2, 0.4))}, "reproduced", 2),
    ({"SVD": (0.6, 0.5, (0.1, 0.05, 0.15)), "GB": (0.4, 0.7, (-0.3, -0.4, -0.2))}, "partly", 1),
    ({"SVD": (0.5, 0.6, (-0.1, -0.15, -0.05)), "GB": (0.55, 0.5, (0.05, -0.02, 0.12))}, "not reproduced", 0),
    ({"SVD": (0.52, 0.5, (0.02, -0.01, 0.05)), "GB": (0.5, 0.5002, (0.0, -0.01, 0.01))}, "inconclusive", 0),
], ids=["both hold", "one holds, one fails", "one fails, one inconclusive", "inconclusive and a tie"])
def test_beats_with_templates_makes_one_cell_per_filling(cells, expected, n_hold):
    """Every "LRatio/<name>; Mean" row is judged against its own "LRatio λ=10/<name>; Mean" row only (not against
    the other perturbations' rows, which share the cell cifar10→celeba), each a cell of its own."""
    v = claims.verdict(_pair_claim(), _pair_results(cells))
    assert v["verdict"] == expected, v
    assert v["evidence"].startswith(f"{n_hold} of {len(cells)} cells hold"), v
    chunks = v["evidence"].split("cifar10→celeba, ")[1:]       # one per cell
    assert len(chunks) == len(cells)
    for name in cells:          # each cell names its own λ = 10 row and no other perturbation's
        mine = [c for c in chunks if c.startswith(f"LRatio/{name}; Mean: ")]
        assert len(mine) == 1 and f"LRatio λ=10/{name}; Mean" in mine[0]
        assert not any(f"λ=10/{o}; Mean" in mine[0] for o in cells if o != name)


def test_beats_with_templates_skips_a_row_without_its_versus():
    """A "LRatio/<name>; Mean" row whose λ = 10 row was not computed is no cell; none at all: not tested."""
    frame = _pair_results({"SVD": (0.6, 0.5, (0.1, 0.05, 0.15))})
    extra = frame.iloc[[0]].assign(method="LRatio/DCT; Mean", value=0.7)
    v = claims.verdict(_pair_claim(), pd.concat([frame, extra], ignore_index=True))
    assert v["verdict"] == "reproduced" and v["evidence"].startswith("1 of 1 cells hold"), v
    assert claims.verdict(_pair_claim(), extra)["verdict"] == "not tested"


def test_beats_without_templates_is_unchanged_by_them():
    """A plain method name (no "{}") still compares with every other selected row of the cell."""
    frame = _pair_results({"SVD": (0.6, 0.5, (0.1, 0.05, 0.15))})
    plain = claims.Claim("t", "rose", "App. B.3", "rose/s3_2", "x", {"paper": "rose", "metric": "AUROC"}, "beats",
                         method="LRatio/SVD; Mean")
    v = claims.verdict(plain, frame)
    assert v["verdict"] == "reproduced" and v["evidence"].startswith("1 of 1 cells hold"), v
