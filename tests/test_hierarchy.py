"""Schirrmeister et al.'s hierarchies chapter: the outlier and margin losses by hand on fake models (S4.3's
stabilisation included), skipped batches in ``train``, the supervised Glow's marginal likelihood, finetuning
(``cache.start_from``), the Raw / 4x4 / Diff scores, Fourier amplitude/phase mixing, the general set and its
evaluation halves, the claim rule ``seeds``, and the chapter's recipes."""

import hashlib
import json
import math
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from oodlib import cache, claims, data, results, zoo
from oodlib.chapters import hierarchy
from oodlib.data.halves import BINARY_NAME, GENERAL_PARTS, HALVES_SEED
from oodlib.data.loading import _read_raw
from oodlib.errors import BadInput, UnknownName
from oodlib.fourier import mix_amplitude_phase, mixing_pairs
from oodlib.models import (ClassifierConfig, DenseGlow, DenseGlowConfig, Glow, GlowConfig, LocalGlow, LocalGlowConfig,
                           build)
from oodlib.models.flow_layers import standard_normal_log_density
from oodlib.models.glow_variants import DenseCoupling, FixedOrthogonal
from oodlib.outlier_loss import MarginLoss, OutlierLoss
from oodlib.penalties import make_penalty
from oodlib.scores import LastScale, LikelihoodDiff, RawLikelihood
from oodlib.scores.complexity import code_length_bits
from oodlib.scores.hierarchy import NONFINITE_LOG_LIKELIHOOD, InDistributionProbability, finite_log_likelihood
from oodlib.train import TrainConfig, train

C, S = 3, 4
D = C * S * S                     # sub-pixels of the fake models' images
PER_DIM = D * math.log(2)


def _images(b=4, c=3, size=8, seed=0, low=0, high=256):
    return torch.randint(low, high, (b, c, size, size), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)


def _constant(values):
    """One constant C×S×S uint8 image per value (its mean is the value)."""
    return torch.tensor(values, dtype=torch.uint8)[:, None, None, None].expand(-1, C, S, S).contiguous()


class ScaledMean(nn.Module):
    """A fake density model: log p(x) = w · mean(x) (w learnable), −inf for a constant image of value ``bad``
    (all-black by default)."""

    supervised = False

    def __init__(self, w, bad=0):
        super().__init__()
        self.w, self.bad = nn.Parameter(torch.tensor(float(w), dtype=torch.float64)), bad

    def log_prob(self, x, noise=None):
        xf = x.double().flatten(1)
        lp = self.w * xf.mean(1)
        return torch.where(xf.amax(1) == self.bad, torch.full_like(lp, -math.inf), lp)


class Fixed(nn.Module):
    """A fake density model returning the given log-likelihoods (per image, in order)."""

    def __init__(self, values):
        super().__init__()
        self.values = torch.tensor(values, dtype=torch.float64)

    def log_prob(self, x, noise=None):
        return self.values[:len(x)].clone()


def _outlier_terms(w_model, w_ref, x_means, o_mean, lam, t):
    """Eq. S1 by hand for ScaledMean models, one outlier image of mean ``o_mean`` (nats per image)."""
    inlier = -sum(w_model * m for m in x_means) / len(x_means)
    u = (w_ref * o_mean - w_model * o_mean) / t
    return inlier, -lam * F.logsigmoid(torch.tensor(u, dtype=torch.float64)).item()


# ---------------------------------------------------------------------------------------------------- outlier loss


def test_outlier_loss_terms_match_eq_s1_by_hand():
    """terms_nats = (−mean log p(x), −λ·mean logσ((log p_ref(x_o) − log p(x_o))/T)) with one outlier image."""
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    x, x_o = _constant([10, 100, 200, 250]), _constant([120])
    loss = OutlierLoss(weight=7.0, outliers=x_o, reference=ref, temperature=10.0)
    inlier, outlier = loss.terms_nats(model, x)
    want = _outlier_terms(-1.0, -1.05, [10, 100, 200, 250], 120, 7.0, 10.0)
    assert inlier.item() == pytest.approx(want[0], rel=1e-12)
    assert outlier.item() == pytest.approx(want[1], rel=1e-12)


def test_outlier_loss_and_penalty_are_the_terms_in_bits_per_dim():
    """loss_and_penalty = terms_nats / (D·ln 2) with D = C·H·W."""
    model, ref = ScaledMean(-1.0), ScaledMean(-0.9)
    x, x_o = _constant([30, 60, 90, 120]), _constant([200])
    loss = OutlierLoss(weight=3.0, outliers=x_o, reference=ref, temperature=50.0)
    nats = loss.terms_nats(model, x)
    bits = loss.loss_and_penalty(model, x)
    assert bits[0].item() == pytest.approx(nats[0].item() / PER_DIM, rel=1e-12)
    assert bits[1].item() == pytest.approx(nats[1].item() / PER_DIM, rel=1e-12)
    assert loss(model, x).item() == pytest.approx(bits[1].item(), rel=1e-12)


def test_outlier_loss_gradient_reaches_the_model_not_the_reference():
    """∂L_o/∂w = λ·σ(−u)·mean(x_o)/T for the trained model; the reference gets no gradient (detached)."""
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120]), reference=ref, temperature=10.0)
    _, outlier = loss.terms_nats(model, _constant([10, 20]))
    outlier.backward()
    u = (-1.05 * 120 + 1.0 * 120) / 10.0
    assert model.w.grad.item() == pytest.approx(7.0 * torch.sigmoid(torch.tensor(-u)).item() * 120 / 10.0, rel=1e-6)
    assert ref.w.grad is None or ref.w.grad.abs().item() == 0.0


def test_outlier_loss_drops_non_finite_inliers():
    """S4.3: an image with log p = −inf is dropped; the terms equal the hand computation over the finite ones."""
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120]), reference=ref, temperature=10.0)
    inlier, outlier = loss.terms_nats(model, _constant([10, 0, 200, 250]))
    want = _outlier_terms(-1.0, -1.05, [10, 200, 250], 120, 7.0, 10.0)
    assert torch.isfinite(inlier) and inlier.item() == pytest.approx(want[0], rel=1e-12)
    assert outlier.item() == pytest.approx(want[1], rel=1e-12)


def test_outlier_loss_keeps_a_batch_with_exactly_a_quarter_finite():
    """S4.3 skips only when more than 75 % are non-finite: 3 of 4 non-finite still gives the finite image's terms."""
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120]), reference=ref, temperature=10.0)
    terms = loss.loss_and_penalty(model, _constant([0, 0, 0, 80]))
    assert terms is not None
    assert terms[0].item() == pytest.approx(80.0 / PER_DIM, rel=1e-12)


def test_outlier_loss_skips_a_batch_that_is_mostly_non_finite():
    """S4.3: 4 of 5 inliers non-finite, or every outlier non-finite, makes loss_and_penalty return None."""
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120]), reference=ref, temperature=10.0)
    assert loss.loss_and_penalty(model, _constant([0, 0, 0, 0, 80])) is None
    black = OutlierLoss(weight=7.0, outliers=_constant([0]), reference=ref, temperature=10.0)
    assert black.loss_and_penalty(model, _constant([10, 20, 30, 40])) is None
    assert black(model, _constant([10, 20, 30, 40])) is None


def test_outlier_loss_drops_non_finite_outliers():
    """A pool of one finite and one −inf outlier image: the outlier term is that of the finite image alone."""
    torch.manual_seed(0)
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120, 0]), reference=ref, temperature=10.0)
    x = _constant(list(range(10, 170, 10)))            # 16 images: the draw keeps well over a quarter finite
    _, outlier = loss.terms_nats(model, x)
    assert outlier.item() == pytest.approx(_outlier_terms(-1.0, -1.05, [1], 120, 7.0, 10.0)[1], rel=1e-12)


def test_outlier_loss_drops_outliers_the_reference_finds_non_finite():
    """An outlier whose reference log-likelihood is −inf (the model's finite) is dropped too."""
    torch.manual_seed(0)
    model, ref = ScaledMean(-1.0), ScaledMean(-1.05, bad=200)
    loss = OutlierLoss(weight=7.0, outliers=_constant([120, 200]), reference=ref, temperature=10.0)
    _, outlier = loss.terms_nats(model, _constant(list(range(10, 170, 10))))
    assert outlier.item() == pytest.approx(_outlier_terms(-1.0, -1.05, [1], 120, 7.0, 10.0)[1], rel=1e-12)


def test_outlier_loss_needs_a_reference_and_outliers():
    """OutlierLoss without a reference, or without outliers, is BadInput; so are λ < 0 and T ≤ 0."""
    with pytest.raises(BadInput, match="reference"):
        OutlierLoss(outliers=_constant([1]))
    with pytest.raises(BadInput, match="outlier images"):
        OutlierLoss(reference=ScaledMean(-1.0))
    with pytest.raises(BadInput):
        OutlierLoss(weight=-1.0, outliers=_constant([1]), reference=ScaledMean(-1.0))
    with pytest.raises(BadInput):
        OutlierLoss(temperature=0.0, outliers=_constant([1]), reference=ScaledMean(-1.0))


def test_margin_loss_matches_s7_5_by_hand():
    """Margin = λ·mean relu(D + log p(x_o) − log p(x)), both terms ÷ D·ln 2; its ∂/∂w sees only the outliers."""
    model = ScaledMean(-1.0)
    means, o_mean, lam = [10, 100, 200, 250], 120, 2.5
    loss = MarginLoss(weight=lam, outliers=_constant([o_mean]))
    inlier, margin = loss.loss_and_penalty(model, _constant(means))
    gaps = [max(0.0, D - o_mean + m) for m in means]                # D + w·m_o − w·m_i with w = −1
    assert gaps.count(0.0) == 1                                     # one inactive pair, three active ones
    assert inlier.item() == pytest.approx(sum(means) / 4 / PER_DIM, rel=1e-12)
    assert margin.item() == pytest.approx(lam * sum(gaps) / 4 / PER_DIM, rel=1e-12)
    margin.backward()        # log p(x) detached: ∂/∂w = λ·(active/n)·m_o / (D ln 2), not λ·Σ(m_o − m_i)/n
    assert model.w.grad.item() == pytest.approx(lam * 3 / 4 * o_mean / PER_DIM, rel=1e-12)


def test_margin_loss_skips_and_refuses_a_reference():
    """The margin loss skips a mostly non-finite batch (None); make_penalty('margin', reference=...) is BadInput."""
    loss = MarginLoss(weight=1.0, outliers=_constant([120]))
    assert loss.loss_and_penalty(ScaledMean(-1.0), _constant([0, 0, 0, 0, 5])) is None
    with pytest.raises(BadInput, match="reference"):
        make_penalty("margin", 1.0, "general:train", reference="abc")
    with pytest.raises(BadInput):
        MarginLoss(weight=1.0)


# ---------------------------------------------------------------------------------------------------- training


class NeverPenalty:
    """A penalty that skips every batch."""

    def __init__(self):
        self.calls = 0

    def loss_and_penalty(self, model, x, y=None):
        self.calls += 1
        return None


def test_train_skips_every_batch_a_penalty_skips():
    """A penalty returning None skips every batch: weights unchanged, history['skipped'] = number of batches."""
    model, penalty = ScaledMean(-1.0), NeverPenalty()
    cfg = TrainConfig(epochs=2, batch_size=4, lr=0.1, lr_step_epochs=None, weight_decay=0.1)
    history = train(model, _constant(list(range(10, 110, 10))), cfg, penalty=penalty, progress=False)
    assert history["skipped"] == 2 * 3 == penalty.calls          # 10 images in batches of 4: 3 per epoch
    assert model.w.item() == -1.0


def test_train_with_init_from_keeps_the_arriving_weights():
    """With init_from a Glow is not initialised from data again (skipped batches leave every tensor as it came);
    without it the data-dependent ActNorm initialisation changes them."""
    torch.manual_seed(0)
    cfg_model = GlowConfig(channels=3, image_size=8, levels=2, steps=1, hidden=4)
    x = _images(8)
    for init_from, same in (("somekey", True), (None, False)):
        m = Glow(cfg_model)
        before = {k: v.clone() for k, v in m.state_dict().items()}
        cfg = TrainConfig(epochs=1, batch_size=4, lr_step_epochs=None, init_from=init_from)
        history = train(m, x, cfg, penalty=NeverPenalty(), progress=False)
        assert history["skipped"] == 2
        assert all(torch.equal(before[k], v) for k, v in m.state_dict().items()) == same


def test_train_config_keys_omit_unused_reference_and_init_from():
    """to_dict has no penalty_reference / init_from when None (earlier cache keys hold), and has them when set."""
    d = TrainConfig(epochs=1).to_dict()
    assert set(d) == {"epochs", "batch_size", "lr", "optimizer", "weight_decay", "lr_step_epochs", "lr_gamma", "seed"}
    d = TrainConfig(epochs=1, penalty="outlier", penalty_weight=6000.0, penalty_data="general:train",
                    penalty_reference="abc", init_from="def").to_dict()
    assert d["penalty_reference"] == "abc" and d["init_from"] == "def"


# ---------------------------------------------------------------------------------------------------- supervised Glow


@torch.no_grad()
def _perturb(module, scale=0.1, seed=1):
    g = torch.Generator().manual_seed(seed)
    for p in module.parameters():
        p.add_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return module


def _glow(classes=0, seed=0, hidden=4, levels=2, size=8, perturb=True):
    """A float64 Glow on 3×size×size images, ActNorm-initialised, its weights perturbed; eval mode."""
    torch.manual_seed(seed)
    m = Glow(GlowConfig(channels=3, image_size=size, levels=levels, steps=1, hidden=hidden, classes=classes)).double()
    m.initialize(_images(16, seed=seed + 100, size=size))
    return (_perturb(m, seed=seed + 1) if perturb else m).eval()


def test_supervised_glow_marginalises_the_class():
    """log p(x) = logsumexp_y log p(x|y) − log Y, and the per-scale contributions sum to it."""
    m, x = _glow(classes=3), _images(5)
    per_class = m.class_log_likelihoods(x)
    assert per_class.shape == (5, 3)
    lp = m.log_prob(x)
    torch.testing.assert_close(lp, torch.logsumexp(per_class, 1) - math.log(3), rtol=1e-4, atol=0)
    torch.testing.assert_close(m.log_prob_per_scale(x).sum(1), lp, rtol=1e-10, atol=0)


def test_supervised_glow_class_likelihood_is_a_gaussian_at_the_last_scale():
    """log p(x|y) − log p_unsup(x) = Σ log N(z_L; μ_y, σ_y) − Σ log N(z_L; 0, 1) for the same flow weights; the
    earlier scales' contributions are the unsupervised ones."""
    unsup, x = _glow(), _images(4)
    sup = Glow(GlowConfig(channels=3, image_size=8, levels=2, steps=1, hidden=4, classes=3)).double().eval()
    sup.load_state_dict(unsup.state_dict(), strict=False)
    with torch.no_grad():
        g = torch.Generator().manual_seed(7)
        sup.class_mean.add_(0.5 * torch.randn(sup.class_mean.shape, generator=g, dtype=torch.float64))
        sup.class_logstd.add_(0.3 * torch.randn(sup.class_logstd.shape, generator=g, dtype=torch.float64))
    z = unsup.encode(x)[-1]
    for y in range(3):
        shift = (torch.distributions.Normal(sup.class_mean[y], sup.class_logstd[y].exp()).log_prob(z).flatten(1).sum(1)
                 - torch.distributions.Normal(0.0, 1.0).log_prob(z).flatten(1).sum(1))
        torch.testing.assert_close(sup.class_log_likelihoods(x)[:, y], unsup.log_prob(x) + shift, rtol=1e-8, atol=1e-8)
    torch.testing.assert_close(sup.log_prob_per_scale(x)[:, :-1], unsup.log_prob_per_scale(x)[:, :-1])


def test_fresh_class_prior_gives_the_unsupervised_likelihood():
    """With zero class parameters and the unsupervised Glow's other weights, log p(x) is the unsupervised one;
    moving one class's mean changes the marginal."""
    unsup, x = _glow(), _images(4)
    sup = Glow(GlowConfig(channels=3, image_size=8, levels=2, steps=1, hidden=4, classes=3)).double().eval()
    missing, unexpected = sup.load_state_dict(unsup.state_dict(), strict=False)
    assert sorted(missing) == ["class_logstd", "class_mean"] and not unexpected
    torch.testing.assert_close(sup.log_prob(x), unsup.log_prob(x), rtol=1e-10, atol=1e-8)
    torch.testing.assert_close(sup.log_prob_per_scale(x), unsup.log_prob_per_scale(x), rtol=1e-10, atol=1e-8)
    with torch.no_grad():
        sup.class_mean[1] += 1.0
    assert (sup.log_prob(x) - unsup.log_prob(x)).abs().min() > 1e-3


def test_supervised_glow_loss_is_the_class_conditional_nll():
    """loss(x, y) = −mean log p(x|y) / (D ln 2); loss(x) without labels is BadInput."""
    m, x, y = _glow(classes=3), _images(4), torch.tensor([0, 2, 1, 2])
    per_class = m.class_log_likelihoods(x)
    want = -per_class[torch.arange(4), y].mean() / (m.num_dims * math.log(2))
    torch.testing.assert_close(m.loss(x, y), want, rtol=1e-10, atol=0)
    with pytest.raises(BadInput, match="labelled"):
        m.loss(x)
    with pytest.raises(BadInput):
        _glow().class_log_likelihoods(x)


def test_glow_config_classes_key_and_supervised_flag():
    """GlowConfig().to_dict() has no 'classes' key; classes=10 is written; model.supervised follows it."""
    assert "classes" not in GlowConfig().to_dict()
    assert GlowConfig(classes=10).to_dict()["classes"] == 10
    small = dict(channels=3, image_size=8, levels=2, steps=1, hidden=4)
    assert build(GlowConfig(classes=10, **small).to_dict()).supervised is True
    assert build(GlowConfig(**small).to_dict()).supervised is False
    with pytest.raises(ValueError):
        Glow(GlowConfig(classes=-1, **small))


# ---------------------------------------------------------------------------------------------------- finetuning


def test_start_from_copies_every_weight():
    """start_from copies all of base's tensors (the state dicts become equal)."""
    base, model = _glow(seed=0), _glow(seed=5)
    cache.start_from(model, base)
    got, want = model.state_dict(), base.state_dict()
    assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want)


def test_start_from_an_unsupervised_base_keeps_a_fresh_class_prior():
    """A supervised Glow starts from an unsupervised one: shared tensors copied, class parameters stay zero."""
    base, model = _glow(seed=0), _glow(classes=4, seed=5, perturb=False)
    cache.start_from(model, base)
    got, want = model.state_dict(), base.state_dict()
    assert all(torch.equal(got[k], want[k]) for k in want)
    assert not model.class_mean.any() and not model.class_logstd.any()


def test_start_from_refuses_other_layers():
    """A base with another number of scales or steps is ValueError (unexpected tensors)."""
    model = _glow(seed=0, perturb=False)
    with pytest.raises(ValueError, match="architectures must match"):
        cache.start_from(model, _glow(levels=3, perturb=False))
    steps2 = Glow(GlowConfig(channels=3, image_size=8, levels=2, steps=2, hidden=4)).double()
    with pytest.raises(ValueError, match="architectures must match"):
        cache.start_from(model, steps2)


def test_start_from_refuses_another_width():
    """A base whose coupling networks are wider (hidden 8 vs 4) is ValueError, like any other mismatch, and the model
    is left as it was."""
    model = _glow(perturb=False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="other shapes"):
        cache.start_from(model, _glow(hidden=8, perturb=False))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


# ---------------------------------------------------------------------------------------------------- scores


def test_finite_log_likelihood_replaces_only_non_finite_values():
    """−inf, +inf and NaN become −3,000,000; finite values are left as they are."""
    lp = torch.tensor([-math.inf, math.inf, math.nan, -12.5, 0.0, -4e6], dtype=torch.float64)
    want = torch.tensor([-3e6, -3e6, -3e6, -12.5, 0.0, -4e6], dtype=torch.float64)
    assert NONFINITE_LOG_LIKELIHOOD == -3_000_000.0
    assert torch.equal(finite_log_likelihood(lp), want)


def test_raw_and_last_scale_scores():
    """Raw = −log p(x) and 4x4 = −c_L(x) (the last per-scale contribution), in eval mode."""
    m, x = _glow(), _images(5)
    with torch.no_grad():
        lp, last = m.log_prob(x), m.log_prob_per_scale(x)[:, -1]
    torch.testing.assert_close(RawLikelihood().fit(m).score(x).double(), -lp)
    torch.testing.assert_close(LastScale().fit(m).score(x).double(), -last)
    assert not torch.allclose(lp, last)                  # the two scores differ: there are two scales
    with pytest.raises(BadInput):
        LastScale().fit(Fixed([0.0]))


def test_raw_score_of_a_non_finite_likelihood_is_three_million():
    """A model giving −inf / NaN: Raw scores those images +3,000,000 (the most anomalous), no NaN error."""
    s = RawLikelihood().fit(Fixed([-math.inf, math.nan, -7.0])).score(_images(3))
    assert s.tolist() == [3e6, 3e6, 7.0]


def test_likelihood_diff_to_a_general_glow():
    """Diff = log p_general(x) − log p_in(x)."""
    m, general, x = _glow(seed=0), _glow(seed=3), _images(5)
    with torch.no_grad():
        want = general.log_prob(x) - m.log_prob(x)
    torch.testing.assert_close(LikelihoodDiff(general).fit(m).score(x), want, rtol=1e-10, atol=1e-8)


def test_likelihood_diff_makes_a_non_finite_general_likelihood_finite_first():
    """A general model with log p = −inf on one image: that image's Diff is −3,000,000 − log p_in(x)."""
    m, x = _glow(), _images(3)
    general = Fixed([-5.0, -math.inf, -9.0])
    with torch.no_grad():
        lp = m.log_prob(x)
    want = torch.tensor([-5.0, NONFINITE_LOG_LIKELIHOOD, -9.0], dtype=torch.float64) - lp
    torch.testing.assert_close(LikelihoodDiff(general).fit(m).score(x), want, rtol=1e-12, atol=1e-8)


def test_likelihood_diff_to_png():
    """Diff to PNG = −L_png(x)·ln 2 − log p(x); 'jpeg' is not a general model (BadInput)."""
    m, x = _glow(), _images(4)
    with torch.no_grad():
        lp = m.log_prob(x)
    want = -code_length_bits(x, "png") * math.log(2) - lp
    torch.testing.assert_close(LikelihoodDiff("png").fit(m).score(x), want, rtol=1e-12, atol=1e-8)
    with pytest.raises(BadInput):
        LikelihoodDiff("jpeg")
    with pytest.raises(BadInput):
        LikelihoodDiff(object())


# ---------------------------------------------------------------------------------------------------- Fourier mixing


def test_mixing_an_image_with_itself_returns_it():
    """|F(a)|·exp(i·arg F(a)) = F(a): mixing a with a gives a exactly, uint8, same shape."""
    a = _images(3, size=8)
    mixed = mix_amplitude_phase(a, a)
    assert mixed.dtype == torch.uint8 and mixed.shape == a.shape
    assert torch.equal(mixed, a)


def test_mixing_keeps_the_amplitude_image_channel_means():
    """The DC coefficient is real and ≥ 0 in both images (phase 0), so each channel's mean follows the amplitude
    image: within rounding (±0.5) where no pixel clips — values 120..136 on 8×8 keep every mixed pixel within
    ‖a − ā‖₂ ≤ 64 of the mean (Parseval), inside 0..255."""
    a, p = _images(4, size=8, seed=1, low=120, high=137), _images(4, size=8, seed=2)
    mixed = mix_amplitude_phase(a, p)
    assert mixed.dtype == torch.uint8 and mixed.shape == a.shape
    gap = (mixed.double().mean((2, 3)) - a.double().mean((2, 3))).abs()
    assert gap.max() <= 0.5 + 1e-9
    assert not torch.equal(mixed, a)                     # the phases did change the pixels


def test_mixing_refuses_different_shapes():
    """Amplitude and phase images of different shapes are BadInput."""
    with pytest.raises(BadInput, match="same shape"):
        mix_amplitude_phase(_images(2, size=8), _images(2, size=16))


def test_mixing_pairs_are_a_seeded_derangement():
    """The phase images are a permutation of the images, none paired with itself, the same for the same seed."""
    x = torch.arange(7, dtype=torch.uint8)[:, None, None, None].expand(-1, 3, 4, 4).contiguous()   # distinct images
    for seed in range(5):
        amp, phase = mixing_pairs(x, seed)
        assert torch.equal(amp, x)
        partner = phase[:, 0, 0, 0].long()
        assert sorted(partner.tolist()) == list(range(7))
        assert not (partner == torch.arange(7)).any()
        assert torch.equal(mixing_pairs(x, seed)[1], phase)
    assert len({tuple(mixing_pairs(x, s)[1][:, 0, 0, 0].tolist()) for s in range(5)}) > 1
    with pytest.raises(BadInput):
        mixing_pairs(x[:1])


# ---------------------------------------------------------------------------------------------------- general set


def _bytes(x):
    return Counter(bytes(img.numpy().tobytes()) for img in x)


@pytest.fixture(scope="module")
def general():
    if not data.is_available("general", "train"):
        pytest.skip("the general set's parts are not on this machine")
    return data.load("general", "train")


def test_general_set_is_the_first_half_of_every_part(general):
    """The general set holds ⌊N/2⌋ images of every part, labelled by the part's index."""
    from oodlib.data.loading import _read_raw

    sizes = [len(_read_raw(name, split)[0]) for name, split in GENERAL_PARTS]
    assert len(general.x) == sum(n // 2 for n in sizes) and general.x.shape[1:] == (3, 32, 32)
    counts = torch.bincount(general.y, minlength=len(GENERAL_PARTS)).tolist()
    assert counts == [n // 2 for n in sizes]


def test_evaluation_half_is_the_rest_of_the_part(general):
    """lsun_church's evaluation half: N − ⌊N/2⌋ images, none in the general set, the two halves make up the set."""
    label = [name for name, _ in GENERAL_PARTS].index("lsun_church")
    whole = data.load("lsun_church", "test", channels=3).x
    half = data.evaluation_half("lsun_church")
    assert len(half.x) == len(whole) - len(whole) // 2
    in_general = _bytes(general.x[general.y == label])
    assert not set(_bytes(half.x)) & set(in_general)
    assert in_general + _bytes(half.x) == _bytes(whole)
    assert torch.equal(data.evaluation_half("lsun_church", n=10).x, half.x[:10])


def test_evaluation_half_only_of_a_part_and_the_general_version():
    """cifar10 is no part of the general set (ValueError); the general set's version is 12 hex digits."""
    with pytest.raises(ValueError, match="not a part"):
        data.evaluation_half("cifar10")
    assert re.fullmatch(r"[0-9a-f]{12}", data.data_version("general"))


# ---------------------------------------------------------------------------------------------------- claim rule seeds


def _seed_rows(cells):
    """cells: {method: (mean, std or None)} → Table S2 results rows (cifar10 → x), with "AUROC std" rows."""
    base = {"paper": "hierarchy", "section": "§S7.3", "table": "Table S2", "model": "Glow", "in_dist": "cifar10",
            "ood": "x", "paper_value": float("nan"), "profile": "smoke", "seed": 0}
    rows = []
    for method, (mean, std) in cells.items():
        rows.append({**base, "method": method, "metric": "AUROC", "value": mean})
        if std is not None:
            rows.append({**base, "method": method, "metric": "AUROC std", "value": std})
    return pd.DataFrame(rows, columns=results.COLUMNS)


SEEDS = claims.Claim("t", "hierarchy", "§S7.3", "hierarchy/s7_3_seeds", "Diff beats Raw",
                     {"paper": "hierarchy", "table": "Table S2", "metric": "AUROC"}, "seeds",
                     method="Diff/{}", versus="Raw/{}")


@pytest.mark.parametrize("diff, raw, expected", [
    ((0.80, 0.02), (0.70, 0.03), "reproduced"),          # gap 0.10 > 0.05
    ((0.60, 0.02), (0.70, 0.03), "not reproduced"),      # gap −0.10 < −0.05
    ((0.74, 0.02), (0.70, 0.03), "inconclusive"),        # gap 0.04: beyond either std, within their sum
    ((0.66, 0.02), (0.70, 0.03), "inconclusive"),
    ((0.80, None), (0.70, 0.03), "inconclusive"),        # no spread written
], ids=["higher", "lower", "overlap above", "overlap below", "no std"])
def test_seeds_rule_compares_mean_gap_with_the_stds(diff, raw, expected):
    """Reproduced when the mean gap exceeds the two stds together, not reproduced below −(sum), else inconclusive."""
    v = claims.verdict(SEEDS, _seed_rows({"Diff/Unsupervised": diff, "Raw/Unsupervised": raw}))
    assert v["verdict"] == expected, v
    assert v["evidence"].startswith("0 of 1" if expected != "reproduced" else "1 of 1")


def test_seeds_rule_pairs_the_same_setting():
    """'{}' stands for the same text: Diff/Supervised against Raw/Supervised, never against Raw/Unsupervised."""
    rows = _seed_rows({"Diff/Unsupervised": (0.80, 0.01), "Raw/Unsupervised": (0.70, 0.01),
                       "Diff/Supervised": (0.95, 0.01), "Raw/Supervised": (0.90, 0.01)})
    v = claims.verdict(SEEDS, rows)
    assert v["verdict"] == "reproduced" and v["evidence"].startswith("2 of 2 cells hold"), v


# ---------------------------------------------------------------------------------------------------- the chapter


def test_outlier_recipe_finetunes_from_and_compares_with_the_general_glow():
    """'outlier@1': train seed 1, the outlier loss, reference and starting point = the general Glow's key."""
    _, _, tcfg = hierarchy.hier_glow_recipe("cifar10", "smoke", 0, "outlier@1")
    general_key = cache.model_key(*hierarchy.general_recipe("general", "smoke", 0))
    assert tcfg.seed == 1 and tcfg.penalty == "outlier"
    assert tcfg.penalty_reference == general_key and tcfg.init_from == general_key
    model, _, _ = hierarchy.hier_glow_recipe("cifar10", "smoke", 0, "outlier-sup@0")
    assert model.classes == 10
    assert hierarchy.hier_glow_recipe("cifar10", "smoke", 0, "outlier@0")[0].classes == 0


def test_dagger_recipe_compares_with_the_supervised_outlier_glow():
    """Diff†'s 'sup@2' has the key of hier_glow_recipe 'outlier-sup@2' as its reference, 'unsup@2' that of 'outlier@2';
    both start from the general Glow."""
    general_key = cache.model_key(*hierarchy.general_recipe("general", "smoke", 0))
    for variant, glow in (("sup@2", "outlier-sup@2"), ("unsup@2", "outlier@2")):
        _, spec, tcfg = hierarchy.dagger_recipe("cifar10", "smoke", 0, variant)
        assert tcfg.penalty_reference == cache.model_key(*hierarchy.hier_glow_recipe("cifar10", "smoke", 0, glow))
        assert tcfg.seed == 2 and spec.name == "general" and tcfg.init_from == general_key


def test_profile_models_come_after_the_models_they_need():
    """Every model of profile_models('smoke') is listed after the models its init_from / penalty_reference name."""
    seen = set()
    for kind, in_dist, extra in hierarchy.profile_models("smoke"):
        recipe = zoo.recipe(kind, in_dist, "smoke", 0, extra)
        needs = {recipe[2].init_from, recipe[2].penalty_reference} - {None}
        assert needs <= seen, (kind, extra, needs - seen)
        seen.add(cache.model_key(*recipe))
    assert len(seen) == len(hierarchy.profile_models("smoke"))


def test_unknown_variants_and_sets_are_unknown_names():
    """Unknown Glow / Diff† variants, an in-distribution set other than CIFAR-10 and a general model of another
    set are UnknownName."""
    with pytest.raises(UnknownName):
        hierarchy.hier_glow_recipe("cifar10", "smoke", 0, "bogus@0")
    with pytest.raises(UnknownName):
        hierarchy.dagger_recipe("cifar10", "smoke", 0, "bogus@0")
    with pytest.raises(UnknownName):
        hierarchy.hier_glow_recipe("celeba", "smoke", 0, "finetune")
    with pytest.raises(UnknownName):
        hierarchy.general_recipe("cifar10", "smoke", 0)


def test_over_seeds_gives_the_mean_and_the_sample_std():
    """Values 1, 2, 4 over three seeds: mean 7/3 and std (ddof 1) √(7/3); a constant method has std 0."""
    aurocs = pd.DataFrame([{"training_seed": k, "ood": "a", "method": m, "value": v}
                           for m, vs in (("M", (1.0, 2.0, 4.0)), ("N", (0.5, 0.5, 0.5))) for k, v in enumerate(vs)])
    t = hierarchy.over_seeds(aurocs).set_index(["method", "metric"]).value
    assert t["M", "AUROC"] == pytest.approx(7 / 3) and t["M", "AUROC std"] == pytest.approx(math.sqrt(7 / 3))
    assert t["N", "AUROC"] == pytest.approx(0.5) and t["N", "AUROC std"] == 0.0


# ---------------------------------------------------------------------------------------------------- Glow variants




LOCAL = LocalGlowConfig(channels=3, image_size=16, patch=8, steps=1, hidden=4)
QUADRANTS = [(r, c) for r in range(2) for c in range(2)]           # row-major order of the four 8×8 patches


def _quadrant(x, r, c):
    return x[:, :, 8 * r:8 * (r + 1), 8 * c:8 * (c + 1)]


def _local_glow(seed=0):
    """A float64 LocalGlow on 3×16×16 images (four 8×8 patches), ActNorm-initialised, weights perturbed; eval mode."""
    torch.manual_seed(seed)
    m = LocalGlow(LOCAL).double()
    m.initialize(_images(4, size=16, seed=seed + 100))
    return _perturb(m, seed=seed + 1).eval()


def test_local_glow_patches_are_image_then_row_major():
    """patches(x) is B·4×C×8×8: image b's patch (r, c) at index 4b + 2r + c, as slicing x by hand."""
    m, x = _local_glow(), _images(3, size=16)
    p = m.patches(x)
    assert p.shape == (12, 3, 8, 8)
    want = torch.stack([_quadrant(x, r, c)[b] for b in range(3) for r, c in QUADRANTS])
    assert torch.equal(p, want)


def test_local_glow_log_prob_is_the_sum_over_patches():
    """log p(x) = Σ over the four hand-sliced 8×8 patches of the single-scale Glow's log p(patch); one scale column."""
    m, x = _local_glow(), _images(3, size=16)
    with torch.no_grad():
        lp = m.log_prob(x)
        want = sum(m.glow.log_prob(_quadrant(x, r, c).contiguous()) for r, c in QUADRANTS)
        per_scale = m.log_prob_per_scale(x)
    torch.testing.assert_close(lp, want, rtol=1e-10, atol=1e-8)
    assert per_scale.shape == (3, 1)
    torch.testing.assert_close(per_scale[:, 0], lp, rtol=0, atol=0)


def test_local_glow_ignores_where_the_patches_are():
    """Swapping two quadrants of an image leaves log p unchanged (independent patches); flipping one changes it."""
    m, x = _local_glow(), _images(3, size=16)
    swapped = x.clone()
    swapped[:, :, 0:8, 0:8], swapped[:, :, 8:16, 8:16] = _quadrant(x, 1, 1), _quadrant(x, 0, 0)
    flipped = x.clone()
    flipped[:, :, 0:8, 0:8] = _quadrant(x, 0, 0).flip(3)
    assert not torch.equal(swapped, x)
    with torch.no_grad():
        lp = m.log_prob(x)
        torch.testing.assert_close(m.log_prob(swapped), lp, rtol=1e-10, atol=1e-8)
        assert (m.log_prob(flipped) - lp).abs().min() > 1e-3


def test_local_glow_needs_a_whole_number_of_patches():
    """An image side that is not a multiple of the patch side is ValueError."""
    with pytest.raises(ValueError, match="multiple of patch"):
        LocalGlow(LocalGlowConfig(channels=3, image_size=12, patch=8, steps=1, hidden=4))


def test_fixed_orthogonal_is_orthogonal_and_untrained():
    """FixedOrthogonal maps the basis vectors (B×d×1×1) to the rows of a Q with QQᵀ = QᵀQ = I (not I itself),
    log|det| = 0; DenseGlow's are buffers only: no trainable parameter."""
    torch.manual_seed(0)
    model = DenseGlow(DenseGlowConfig(channels=3, image_size=8, levels=2, steps=1, hidden=4, reflections=2)).double()
    layers = [m for m in model.modules() if isinstance(m, FixedOrthogonal)]
    assert len(layers) == 2
    for layer in layers:
        d = layer.perm.numel()
        q, logdet = layer(torch.eye(d, dtype=torch.float64).view(d, d, 1, 1))
        q = q.view(d, d)
        eye = torch.eye(d, dtype=torch.float64)
        torch.testing.assert_close(q @ q.T, eye, rtol=0, atol=1e-12)
        torch.testing.assert_close(q.T @ q, eye, rtol=0, atol=1e-12)
        assert not torch.allclose(q, eye)
        assert torch.equal(logdet, torch.zeros(d, dtype=torch.float64))
        assert list(layer.parameters()) == [] and set(layer.state_dict()) == {"perm", "vectors"}
    names = {n for n, _ in model.named_parameters()}
    assert names and not any(n.endswith(("perm", "vectors")) for n in names)


def test_dense_coupling_log_det_is_that_of_its_jacobian():
    """DenseCoupling's log|det| equals log|det| of its autograd Jacobian on a 7-dimensional vector."""
    torch.manual_seed(0)
    layer = DenseCoupling(7, 3).double()
    with torch.no_grad():
        layer.net[2].weight.normal_(std=0.5)
        layer.net[2].bias.normal_(std=0.5)
    v = torch.randn(1, 7, 1, 1, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda u: layer(u.view(1, 7, 1, 1))[0].flatten(), v.flatten())
    _, logdet = layer(v)
    assert jac[:3, :3].equal(torch.eye(3, dtype=torch.float64)) and jac[:3, 3:].abs().max() == 0   # h_a unchanged
    assert logdet.item() != 0.0
    assert logdet.item() == pytest.approx(torch.linalg.slogdet(jac)[1].item(), abs=1e-10)


@pytest.mark.parametrize("levels", [1, 2])
def test_dense_glow_likelihood_is_a_brute_force_change_of_variables(levels):
    """On 1×4×4 images, log p(x) = log N(z; 0, I) + log|det ∂z/∂h| − D·log 256, h = (x + ½)/256 − ½, with z every
    scale's latent and the Jacobian from autograd; the per-scale contributions sum to it."""
    torch.manual_seed(0)
    model = DenseGlow(DenseGlowConfig(channels=1, image_size=4, levels=levels, steps=1, hidden=3)).double()
    model.initialize(_images(8, c=1, size=4, seed=5))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, DenseCoupling):
                m.net[2].weight.normal_(std=0.1)
                m.net[2].bias.normal_(std=0.1)
    model.eval()
    x, d = _images(3, c=1, size=4, seed=6), 16

    def latent(h):                      # h ↦ z on one image: the pixel values whose dequantised, centred input is h
        zs, _ = model._forward(((h + 0.5) * 256.0 - 0.5).view(1, 1, 4, 4), noise=False)
        return torch.cat([z.flatten() for z in zs])

    with torch.no_grad():
        lp, per_scale = model.log_prob(x), model.log_prob_per_scale(x)
    assert per_scale.shape == (3, levels)
    torch.testing.assert_close(per_scale.sum(1), lp, rtol=1e-12, atol=0)
    for i in range(3):
        h = (x[i].double().flatten() + 0.5) / 256.0 - 0.5
        jac = torch.autograd.functional.jacobian(latent, h)
        z = latent(h)
        want = standard_normal_log_density(z[None]) + torch.linalg.slogdet(jac)[1] - d * math.log(256)
        assert lp[i].item() == pytest.approx(want.item(), abs=1e-8)


def test_glow_variants_build_from_their_configs():
    """build(cfg.to_dict()) gives a LocalGlow / DenseGlow with that very config (kinds local_glow and dense_glow)."""
    local = LocalGlowConfig(channels=3, image_size=16, patch=8, steps=1, hidden=4)
    dense = DenseGlowConfig(channels=3, image_size=8, levels=2, steps=1, hidden=4, reflections=2)
    assert local.to_dict()["kind"] == "local_glow" and dense.to_dict()["kind"] == "dense_glow"
    for cfg, cls in ((local, LocalGlow), (dense, DenseGlow)):
        model = build(cfg.to_dict())
        assert type(model) is cls and model.config == cfg


# ---------------------------------------------------------------------------------------------------- p(in | x)


class FixedLogits(nn.Module):
    """A fake classifier returning the given logits (per image, in order)."""

    def __init__(self, logits):
        super().__init__()
        self.values = torch.tensor(logits, dtype=torch.float64)

    def logits(self, x):
        return self.values[:len(x)].clone()


def test_in_distribution_probability_is_minus_the_in_class_softmax():
    """Score = −softmax(logits)[:, in_class]: class 1 by default, class 0 when asked."""
    logits = [[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]]
    p = torch.softmax(torch.tensor(logits, dtype=torch.float64), 1)
    s = InDistributionProbability().fit(FixedLogits(logits)).score(_images(3))
    torch.testing.assert_close(s.double(), -p[:, 1], rtol=1e-12, atol=0)
    assert s[2].item() == pytest.approx(-0.5)
    s0 = InDistributionProbability(in_class=0).fit(FixedLogits(logits)).score(_images(3))
    torch.testing.assert_close(s0.double(), -p[:, 0], rtol=1e-12, atol=0)


def test_in_distribution_probability_needs_a_classifier():
    """Fitting a model without logits(x) (a density model) is BadInput."""
    with pytest.raises(BadInput, match="logits"):
        InDistributionProbability().fit(Fixed([0.0]))


# ---------------------------------------------------------------------------------------------------- the binary set


@pytest.fixture(scope="module")
def binary():
    if not data.is_available(BINARY_NAME, "train"):
        pytest.skip("cifar10_vs_general's parts are not on this machine")
    return data.load(BINARY_NAME, "train")


def test_binary_set_is_the_general_set_then_as_many_cifar10_images(binary, general):
    """cifar10_vs_general: 18,208 images, 9,104 zeros (the general set, in order) then 9,104 ones (CIFAR-10 train,
    the first of the HALVES_SEED draw)."""
    assert len(binary.x) == 18_208 and binary.x.shape[1:] == (3, 32, 32)
    assert torch.equal(binary.y, torch.cat([torch.zeros(9_104), torch.ones(9_104)]).long())
    assert torch.equal(binary.x[:9_104], general.x)
    xi, _ = _read_raw("cifar10", "train")
    take = np.random.default_rng(HALVES_SEED).permutation(len(xi))[:9_104]
    assert torch.equal(binary.x[9_104:], torch.from_numpy(xi[take]).permute(0, 3, 1, 2))


def test_binary_set_has_its_own_version():
    """cifar10_vs_general's data version differs from the general set's and from CIFAR-10's."""
    version = data.data_version(BINARY_NAME)
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert version != data.data_version("general") and version != data.data_version("cifar10")


# ---------------------------------------------------------------------------------------------------- promote


KEY = "0123456789abcdef"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_cache(tmp_path, monkeypatch):
    """A cached model KEY with snapshots of epochs 1..3 in a scratch cache; checkpoints/ and its manifest in tmp."""
    ckpt = tmp_path / "checkpoints"
    ckpt.mkdir()
    monkeypatch.setenv("OODLIB_CHECKPOINTS", str(ckpt))
    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path / "local"))
    models = cache.cache_dir()
    (models / f"{KEY}.snapshots").mkdir(parents=True)
    save_file({"w": torch.linspace(0, 1, 6).view(3, 2), "n": torch.arange(3)}, str(models / f"{KEY}.safetensors"))
    (models / f"{KEY}.json").write_text(json.dumps({"key": KEY, "model": {"kind": "toy"}, "data": {}, "train": {},
                                                    "history": []}))
    for k in (1, 2, 3):
        save_file({"w": torch.full((3, 2), k + 0.1), "n": torch.arange(3)},
                  str(models / f"{KEY}.snapshots" / f"epoch{k}.safetensors"))
    (models / f"{KEY}.snapshots" / "snapshots.json").write_text(json.dumps({"key": KEY, "epochs": [1, 2, 3]}))
    return ckpt


def test_promote_commits_the_chosen_snapshot_epochs_in_half_precision(fake_cache):
    """snapshot_epochs=[1, 3]: the committed folder holds epoch1 and epoch3 in float16 (integers kept), its index
    lists [1, 3], snapshots(key) finds them, and the manifest lists the weights' and both files' sha256."""
    dst = cache.promote(KEY, with_snapshots=True, snapshot_epochs=[3, 1])
    folder = fake_cache / f"{KEY}.snapshots"
    assert sorted(p.name for p in folder.iterdir()) == ["epoch1.safetensors", "epoch3.safetensors", "snapshots.json"]
    for k in (1, 3):
        t = load_file(str(folder / f"epoch{k}.safetensors"))
        assert t["w"].dtype == torch.float16 and torch.equal(t["w"], torch.full((3, 2), k + 0.1).half())
        assert torch.equal(t["n"], torch.arange(3))
    assert json.loads((folder / "snapshots.json").read_text())["epochs"] == [1, 3]
    assert cache.snapshots(KEY) == {1: folder / "epoch1.safetensors", 3: folder / "epoch3.safetensors"}
    entry = json.loads(cache.manifest_path().read_text())[KEY]
    assert entry["sha256"] == _sha(dst) and load_file(str(dst))["w"].dtype == torch.float32
    assert entry["snapshots"] == {f"epoch{k}.safetensors": _sha(folder / f"epoch{k}.safetensors") for k in (1, 3)}


def test_promote_refuses_epochs_not_kept_and_drops_stale_ones(fake_cache):
    """An epoch the cache did not keep ([4]) is ValueError, leaving the committed snapshots as they were; promoting
    again with [1] removes epoch3's committed file and its manifest entry."""
    cache.promote(KEY, with_snapshots=True, snapshot_epochs=[1, 3])
    folder = fake_cache / f"{KEY}.snapshots"
    with pytest.raises(ValueError, match=r"\[4\]"):
        cache.promote(KEY, with_snapshots=True, snapshot_epochs=[4])
    assert set(cache.snapshots(KEY)) == {1, 3}
    cache.promote(KEY, with_snapshots=True, snapshot_epochs=[1])
    assert not (folder / "epoch3.safetensors").exists()
    assert cache.snapshots(KEY) == {1: folder / "epoch1.safetensors"}
    assert set(json.loads(cache.manifest_path().read_text())[KEY]["snapshots"]) == {"epoch1.safetensors"}
    cache.promote(KEY, with_snapshots=True)                       # no snapshot_epochs: every epoch kept
    assert set(cache.snapshots(KEY)) == {1, 2, 3}


# ---------------------------------------------------------------------------------------------------- after_epochs


def _one_row(profile):
    row = {"paper": "hierarchy", "section": "§S5", "table": "Fig. S2", "model": "Glow", "in_dist": "cifar10",
           "ood": "x", "method": "Diff", "metric": "AUROC", "value": 0.9, "paper_value": float("nan"),
           "profile": profile, "seed": 0}
    return pd.DataFrame([row], columns=results.COLUMNS)


def test_after_epochs_reads_a_profile_field_that_is_one_number():
    """after_epochs=("hi_epochs", "cifar10", 125): not tested at cpu (12 epochs), tested (reproduced) at paper (250)."""
    claim = claims.Claim("t", "hierarchy", "§S5", "hierarchy/x", "text", {"paper": "hierarchy", "metric": "AUROC"},
                         "above", threshold=0.5, after_epochs=("hi_epochs", "cifar10", 125), sizes=hierarchy.SIZES)
    cpu = claims.verdict(claim, _one_row("cpu"))
    assert cpu["verdict"] == "not tested" and "trains 12 epochs" in cpu["evidence"], cpu
    paper = claims.verdict(claim, _one_row("paper"))
    assert paper["verdict"] == "reproduced", paper


# ---------------------------------------------------------------------------------------------------- recipes


def test_binary_classifier_recipe_tells_cifar10_from_the_general_set():
    """S9's classifier: a two-class ClassifierConfig trained on cifar10_vs_general (the profile's image count)."""
    model, spec, tcfg = hierarchy.binary_classifier_recipe("cifar10", "smoke")
    assert isinstance(model, ClassifierConfig) and model.classes == 2
    assert spec.name == BINARY_NAME and spec.split == "train" and spec.n == hierarchy.SIZES["smoke"].hi_classifier_n
    assert tcfg.epochs == hierarchy.SIZES["smoke"].hi_classifier_epochs and tcfg.init_from is None


def test_recipes_use_the_from_scratch_or_the_finetuning_rate():
    """Local, dense and 'scratch' Glows train from scratch at hi_lr; 'finetune@0' starts from the general Glow at
    hi_finetune_lr (cpu profile, where the two differ)."""
    p = hierarchy.SIZES["cpu"]
    assert p.hi_lr != p.hi_finetune_lr
    for recipe, cls in ((hierarchy.local_recipe, LocalGlowConfig), (hierarchy.dense_recipe, DenseGlowConfig)):
        model, _, tcfg = recipe("cifar10", "cpu")
        assert isinstance(model, cls) and tcfg.init_from is None and tcfg.lr == p.hi_lr
    assert hierarchy.local_recipe("cifar10", "cpu")[0].patch == p.hi_local_arch["patch"]
    scratch = hierarchy.hier_glow_recipe("cifar10", "cpu", 0, "scratch")[2]
    assert scratch.init_from is None and scratch.lr == p.hi_lr
    finetune = hierarchy.hier_glow_recipe("cifar10", "cpu", 0, "finetune@0")[2]
    assert finetune.init_from == cache.model_key(*hierarchy.general_recipe("general", "cpu", 0))
    assert finetune.lr == p.hi_finetune_lr


def test_train_does_not_take_a_step_whose_gradient_is_not_finite():
    """A loss whose gradient is NaN on every batch leaves the weights as they were, every step counted as skipped."""

    class NaNGradient(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(1))

        def loss(self, x):
            return self.w.sum() * float("nan")

    model = NaNGradient()
    x = torch.randint(0, 256, (8, 1, 4, 4), dtype=torch.uint8)
    history = train(model, x, TrainConfig(epochs=2, batch_size=4, lr_step_epochs=None), progress=False)
    assert model.w.item() == 1.0 and history["nonfinite_steps"] == 4


def test_evaluation_half_asked_for_more_than_it_holds_is_all_of_it_without_a_warning():
    """lsun_church's evaluation half holds 100 images: n=500 gives those 100, and no "has only" warning."""
    import warnings

    if not data.is_available("lsun_church", "test"):
        pytest.skip("lsun_church is not on this machine")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        half = data.evaluation_half("lsun_church", n=500)
    assert len(half) == 100 and torch.equal(half.x, data.evaluation_half("lsun_church").x)
