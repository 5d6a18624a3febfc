"""Tests of oodlib.metrics against scikit-learn and brute-force definitions, and of oodlib.units.

Convention: a score is higher for "more OOD". ID is the positive class of AUPRC/FPR80/TNR@95 by default.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score

from oodlib import metrics
from oodlib.errors import BadInput, UnknownName
from oodlib.units import bits_from_nats, bits_per_dim, nats_from_bits

# --------------------------------------------------------------------------------------------------
# brute-force references
# --------------------------------------------------------------------------------------------------


def brute_auroc(s_in, s_out):
    """P(s_ood > s_id) + 0.5 P(tie) over all ID/OOD pairs."""
    s_in, s_out = np.asarray(s_in, float), np.asarray(s_out, float)
    gt = (s_out[None, :] > s_in[:, None]).mean()
    eq = (s_out[None, :] == s_in[:, None]).mean()
    return gt + 0.5 * eq


def brute_fpr_at_tpr(s_in, s_out, tpr):
    """Smallest fraction of OOD accepted among thresholds t (accept as ID when score ≤ t) accepting ≥ tpr of ID."""
    s_in, s_out = np.asarray(s_in, float), np.asarray(s_out, float)
    thresholds = np.concatenate([[-np.inf], np.unique(np.concatenate([s_in, s_out])), [np.inf]])
    best = np.inf
    for t in thresholds:
        if (s_in <= t).mean() >= tpr:
            best = min(best, (s_out <= t).mean())
    return best


def brute_average_precision(labels, scores):
    """AP = Σ (R_k − R_{k−1}) P_k over distinct thresholds, predicting positive when score ≥ t."""
    labels, scores = np.asarray(labels), np.asarray(scores, float)
    n_pos = labels.sum()
    ap, prev_recall = 0.0, 0.0
    for t in np.unique(scores)[::-1]:
        pred = scores >= t
        tp = (labels[pred] == 1).sum()
        recall, precision = tp / n_pos, tp / pred.sum()
        ap += (recall - prev_recall) * precision
        prev_recall = recall
    return ap


def random_case(seed, n_in, n_out, levels=None):
    """Scores with plenty of ties when ``levels`` is given (integers in 0..levels-1), OOD shifted up."""
    rng = np.random.default_rng(seed)
    if levels is None:
        return rng.normal(0, 1, n_in), rng.normal(1, 1, n_out)
    return rng.integers(0, levels, n_in).astype(float), rng.integers(levels // 3, levels + levels // 3, n_out) * 1.0


CASES = [random_case(s, n_in, n_out, lv) for s, (n_in, n_out, lv) in enumerate(
    [(7, 5, 4), (10, 10, 3), (13, 20, 6), (30, 17, None), (25, 25, 10), (50, 40, 5), (3, 9, 2), (40, 40, None)])]
IDS = [f"case{i}" for i in range(len(CASES))]


# --------------------------------------------------------------------------------------------------
# AUROC
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("s_in,s_out", CASES, ids=IDS)
def test_auroc_matches_sklearn_and_brute_force(s_in, s_out):
    labels = np.r_[np.zeros(len(s_in)), np.ones(len(s_out))]
    value = metrics.auroc(s_in, s_out)
    assert isinstance(value, float)
    assert value == pytest.approx(roc_auc_score(labels, np.r_[s_in, s_out]), abs=1e-12)
    assert value == pytest.approx(brute_auroc(s_in, s_out), abs=1e-12)


def test_auroc_hand_case_with_ties():
    # 9 (id, ood) pairs counted by hand: 4 where OOD scores higher, 2 ties, 3 where ID scores higher
    s_in = [0.0, 1.0, 2.0]
    s_out = [1.0, 2.0, 0.5]
    # ood=1: >0 win, =1 tie, <2 loss; ood=2: win, win, tie; ood=0.5: win, loss, loss
    assert metrics.auroc(s_in, s_out) == pytest.approx((4 + 0.5 * 2) / 9)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_bootstrap_aurocs_are_sklearns_auroc_of_each_replicates_draw(seed, chunk):
    """Every replicate's AUROC equals roc_auc_score on the drawn scores: ties (scores from five values) count one
    half, unequal sizes, replicates split over chunks at any boundary."""
    rng = np.random.default_rng(seed)
    for id_s, ood_s in ((rng.integers(0, 5, 37).astype(float), rng.integers(1, 6, 23).astype(float)),
                        (rng.normal(size=50), rng.normal(0.5, 1, size=20))):
        i, o = rng.integers(0, len(id_s), (19, len(id_s))), rng.integers(0, len(ood_s), (19, len(ood_s)))
        got = metrics.bootstrap_aurocs(id_s, ood_s, i, o, chunk=chunk)
        want = [roc_auc_score(np.r_[np.zeros(len(id_s)), np.ones(len(ood_s))], np.r_[id_s[a], ood_s[b]])
                for a, b in zip(i, o)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)
    assert metrics.bootstrap_aurocs(np.zeros(4), np.zeros(6), np.zeros((2, 4), int), np.zeros((2, 6), int)).tolist() \
        == [0.5, 0.5]


def test_auroc_accepts_torch_tensors_and_lists():
    s_in, s_out = CASES[3]
    ref = metrics.auroc(s_in, s_out)
    assert metrics.auroc(torch.tensor(s_in), torch.tensor(s_out)) == pytest.approx(ref)
    assert metrics.auroc(list(s_in), list(s_out)) == pytest.approx(ref)


# --------------------------------------------------------------------------------------------------
# AUPRC
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("s_in,s_out", CASES, ids=IDS)
def test_auprc_id_positive_matches_sklearn(s_in, s_out):
    is_id = np.r_[np.ones(len(s_in)), np.zeros(len(s_out))]
    scores = np.r_[s_in, s_out]
    value = metrics.auprc(s_in, s_out, positive="id")
    assert value == pytest.approx(average_precision_score(is_id, -scores), abs=1e-12)
    assert value == pytest.approx(brute_average_precision(is_id, -scores), abs=1e-12)
    assert metrics.auprc(s_in, s_out) == value                      # ID is the default positive class
    assert metrics.compute("AUPRC", s_in, s_out) == value


@pytest.mark.parametrize("s_in,s_out", CASES, ids=IDS)
def test_auprc_ood_positive_matches_sklearn(s_in, s_out):
    is_ood = np.r_[np.zeros(len(s_in)), np.ones(len(s_out))]
    scores = np.r_[s_in, s_out]
    value = metrics.auprc(s_in, s_out, positive="ood")
    assert value == pytest.approx(average_precision_score(is_ood, scores), abs=1e-12)
    assert value == pytest.approx(brute_average_precision(is_ood, scores), abs=1e-12)
    assert metrics.compute("AUPRC_ood", s_in, s_out) == value


def test_auprc_unknown_positive_class():
    with pytest.raises(UnknownName):
        metrics.auprc([0.0, 1.0], [2.0, 3.0], positive="in")


# --------------------------------------------------------------------------------------------------
# FPR at TPR, TNR at TPR
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("s_in,s_out", CASES, ids=IDS)
@pytest.mark.parametrize("tpr", [0.8, 0.95, 0.5])
def test_fpr_at_tpr_matches_brute_force(s_in, s_out, tpr):
    value = metrics.fpr_at_tpr(s_in, s_out, tpr=tpr, positive="id")
    assert value == pytest.approx(brute_fpr_at_tpr(s_in, s_out, tpr), abs=1e-12)


@pytest.mark.parametrize("s_in,s_out,expected", [
    # identical score lists: the ROC is the diagonal (all points collinear); at TPR 0.8 the FPR is 0.8
    ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0], 0.8),
    # each threshold adds one ID and two OOD (collinear ROC points, slope 2) up to TPR 1: FPR80 = 0.4;
    # a curve with the collinear points dropped would interpolate to 0.5 instead
    ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.4),
    # vertical collinear run (ID only, TPR 0→0.4 at FPR 0) then a straight run of ties to (1, 1)
    ([0.0, 0.1, 0.2, 0.3, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4 / 6),
])
def test_fpr80_with_collinear_roc_points(s_in, s_out, expected):
    assert brute_fpr_at_tpr(s_in, s_out, 0.8) == pytest.approx(expected)
    assert metrics.fpr_at_tpr(s_in, s_out, tpr=0.8, positive="id") == pytest.approx(expected, abs=1e-12)
    assert metrics.compute("FPR80", s_in, s_out) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("s_in,s_out", CASES, ids=IDS)
def test_tnr_at_95_tpr_is_one_minus_fpr95(s_in, s_out):
    fpr95 = metrics.fpr_at_tpr(s_in, s_out, tpr=0.95, positive="id")
    assert metrics.tnr_at_tpr(s_in, s_out) == pytest.approx(1.0 - fpr95, abs=1e-15)
    assert metrics.tnr_at_tpr(s_in, s_out) == pytest.approx(1.0 - brute_fpr_at_tpr(s_in, s_out, 0.95), abs=1e-12)
    assert metrics.compute("TNR@95TPR", s_in, s_out) == pytest.approx(1.0 - fpr95, abs=1e-15)


# --------------------------------------------------------------------------------------------------
# separated and reversed scores
# --------------------------------------------------------------------------------------------------

def test_perfectly_separated_scores():
    s_in, s_out = np.arange(10.0), np.arange(10.0) + 100
    assert metrics.auroc(s_in, s_out) == 1.0
    assert metrics.fpr_at_tpr(s_in, s_out, 0.8) == 0.0
    assert metrics.tnr_at_tpr(s_in, s_out) == 1.0
    assert metrics.auprc(s_in, s_out, "id") == pytest.approx(1.0, abs=1e-12)
    assert metrics.auprc(s_in, s_out, "ood") == pytest.approx(1.0, abs=1e-12)


def test_reversed_scores():
    s_in, s_out = np.arange(10.0) + 100, np.arange(10.0)
    assert metrics.auroc(s_in, s_out) == 0.0
    assert metrics.fpr_at_tpr(s_in, s_out, 0.8) == 1.0
    assert metrics.tnr_at_tpr(s_in, s_out) == 0.0


# --------------------------------------------------------------------------------------------------
# balanced subsampling
# --------------------------------------------------------------------------------------------------

ALL = list(metrics.METRICS)


@pytest.mark.parametrize("name", ALL)
def test_balanced_equals_unbalanced_for_equal_sizes(name):
    s_in, s_out = random_case(11, 60, 60)
    assert metrics.compute(name, s_in, s_out, balanced=True, seed=3) == metrics.compute(name, s_in, s_out)


@pytest.mark.parametrize("name", ALL)
def test_balanced_reproducible_for_a_fixed_seed(name):
    s_in, s_out = random_case(12, 300, 80, levels=20)
    a = metrics.compute(name, s_in, s_out, balanced=True, seed=5)
    b = metrics.compute(name, s_in, s_out, balanced=True, seed=5)
    assert a == b
    # swap which group is larger too
    c = metrics.compute(name, s_out, s_in, balanced=True, seed=5)
    assert c == metrics.compute(name, s_out, s_in, balanced=True, seed=5)


def test_balanced_actually_subsamples():
    s_in, s_out = random_case(13, 400, 50)
    values = {metrics.auroc(s_in, s_out, balanced=True, seed=s) for s in range(6)}
    assert len(values) > 1, "balanced=True with different seeds should draw different subsets"
    # each balanced value is the AUROC of 50 ID vs all 50 OOD scores: a multiple of 1/(50·50)/2
    for v in values:
        assert (v * 50 * 50 * 2) == pytest.approx(round(v * 50 * 50 * 2), abs=1e-6)


# --------------------------------------------------------------------------------------------------
# invariance to strictly increasing transforms
# --------------------------------------------------------------------------------------------------

TRANSFORMS = {
    "affine": lambda s: 3.0 * s + 7.0,
    "exp": lambda s: np.exp(s / 4.0),
    "cube": lambda s: s ** 3,
    "arctan": lambda s: np.arctan(s / 10.0),
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("transform", list(TRANSFORMS), ids=list(TRANSFORMS))
@pytest.mark.parametrize("case", [1, 2, 3, 5], ids=lambda i: f"case{i}")
def test_metrics_invariant_under_increasing_transforms(name, transform, case):
    s_in, s_out = CASES[case]
    f = TRANSFORMS[transform]
    assert metrics.compute(name, f(s_in), f(s_out)) == pytest.approx(metrics.compute(name, s_in, s_out), abs=1e-12)


# --------------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------------

GOOD = np.array([0.1, 0.5, 0.9])
BAD = {
    "nan": np.array([0.1, np.nan, 0.3]),
    "inf": np.array([0.1, np.inf, 0.3]),
    "2d": np.array([[0.1, 0.2], [0.3, 0.4]]),
    "empty": np.array([]),
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("which", ["id", "ood"])
def test_bad_scores_raise_bad_input(name, bad, which):
    s_in, s_out = (BAD[bad], GOOD) if which == "id" else (GOOD, BAD[bad])
    with pytest.raises(BadInput):
        metrics.compute(name, s_in, s_out)


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="NaN"):
        metrics.auroc([np.nan, 1.0], [1.0, 2.0])


def test_unknown_metric_name():
    with pytest.raises(UnknownName) as e:
        metrics.compute("AUC", GOOD, GOOD + 1)
    for known in metrics.METRICS:
        assert known in str(e.value)


# --------------------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------------------

def test_bits_per_dim_hand_case():
    nll = 1024 * math.log(2) * 3          # 3 bits per dim over 1024 dims, in nats
    assert bits_per_dim(nll, 1024) == 3.0
    assert bits_per_dim(0.0, 3072) == 0.0


def test_bits_per_dim_formula_and_conversions():
    nll, dims = 5000.0, 3072
    assert bits_per_dim(nll, dims) == pytest.approx(nll / (dims * math.log(2)), rel=1e-15)
    assert bits_from_nats(math.log(2)) == pytest.approx(1.0, rel=1e-15)
    assert nats_from_bits(1.0) == pytest.approx(math.log(2), rel=1e-15)
    assert bits_from_nats(nats_from_bits(7.25)) == pytest.approx(7.25, rel=1e-15)
    arr = np.array([nll, 2 * nll])
    np.testing.assert_allclose(bits_per_dim(arr, dims), arr / (dims * math.log(2)), rtol=1e-15)


@pytest.mark.parametrize("tpr", [0.0, -0.1, 1.5])
def test_fpr_at_tpr_refuses_impossible_rates(tpr):
    with pytest.raises(BadInput, match="tpr must be in"):
        metrics.fpr_at_tpr([0.1, 0.2], [0.3, 0.4], tpr=tpr)


def test_paired_auroc_difference_is_zero_for_the_same_scorer():
    rng = np.random.default_rng(0)
    s_in, s_out = rng.normal(size=300), rng.normal(0.5, 1, size=300)
    assert metrics.paired_auroc_difference(s_in, s_out, s_in, s_out, n_boot=50) == (0.0, 0.0, 0.0)


def test_paired_auroc_difference_point_estimate_and_a_clear_gap():
    rng = np.random.default_rng(1)
    s_in, s_out = rng.normal(size=400), rng.normal(0.3, 1, size=400)
    better_out = s_out + 3.0                          # b: the same ID scores, OOD scores far higher
    diff, low, high = metrics.paired_auroc_difference(s_in, s_out, s_in, better_out, n_boot=200)
    assert diff == pytest.approx(roc_auc_score(np.r_[np.zeros(400), np.ones(400)], np.r_[s_in, better_out])
                                 - roc_auc_score(np.r_[np.zeros(400), np.ones(400)], np.r_[s_in, s_out]))
    assert 0 < low <= diff <= high


def test_paired_auroc_difference_interval_covers_zero_for_two_equally_good_scorers():
    rng = np.random.default_rng(2)
    is_ood = np.r_[np.zeros(500), np.ones(500)]
    a, b = is_ood + rng.normal(size=1000), is_ood + rng.normal(size=1000)   # independent noise, same signal
    diff, low, high = metrics.paired_auroc_difference(a[:500], a[500:], b[:500], b[500:], n_boot=300)
    assert low < 0 < high and low < diff < high


def test_paired_auroc_difference_refuses_unpaired_scores():
    with pytest.raises(BadInput, match="same images"):
        metrics.paired_auroc_difference([0.0, 1.0], [2.0], [0.0], [2.0])


def test_batch_mean_auroc_of_batch_size_one_is_the_per_image_auroc():
    rng = np.random.default_rng(3)
    s_in, s_out = rng.normal(size=300), rng.normal(0.4, 1, size=250)
    expected = roc_auc_score(np.r_[np.zeros(300), np.ones(250)], np.r_[s_in, s_out])
    assert metrics.batch_mean_auroc(s_in, s_out, 1) == pytest.approx(expected)


def test_batch_mean_auroc_matches_the_normal_closed_form():
    # ID ~ N(0, 1), OOD ~ N(μ, 1): a mean of b scores is N(·, 1/b), so AUROC = Φ(μ √b / √2).
    rng = np.random.default_rng(4)
    mu, n = 0.2, 32000
    s_in, s_out = rng.normal(size=n), rng.normal(mu, 1, size=n)
    for b in (1, 4, 16):
        assert metrics.batch_mean_auroc(s_in, s_out, b) == pytest.approx(norm.cdf(mu * np.sqrt(b / 2)), abs=0.012)


def test_batch_mean_auroc_of_separated_or_identical_scores():
    assert metrics.batch_mean_auroc(np.arange(64.0), 100 + np.arange(64.0), 8) == 1.0
    assert metrics.batch_mean_auroc(np.ones(64), np.ones(64), 8) == 0.5


def test_batch_mean_auroc_refuses_a_batch_size_it_cannot_fill():
    with pytest.raises(BadInput, match="batch_size"):
        metrics.batch_mean_auroc(np.zeros(10), np.ones(20), 11)
    with pytest.raises(BadInput, match="batch_size"):
        metrics.batch_mean_auroc(np.zeros(10), np.ones(20), 0)
    with pytest.raises(BadInput, match="n_partitions"):
        metrics.batch_mean_auroc(np.zeros(10), np.ones(20), 2, n_partitions=0)


def _two_scorers(seed, n_in=300, n_out=200, gap=0.0):
    """Scores of two scorers a, b on the same n_in ID and n_out OOD images; b's OOD scores are raised by ``gap``."""
    rng = np.random.default_rng(seed)
    id_a, ood_a = rng.normal(size=n_in), rng.normal(0.5, 1, size=n_out)
    return id_a, ood_a, id_a + rng.normal(0, 0.2, n_in), ood_a + gap + rng.normal(0, 0.2, n_out)


def test_paired_mean_auroc_difference_of_one_pair_is_the_paired_auroc_difference():
    id_a, ood_a, id_b, ood_b = _two_scorers(4, gap=0.3)
    for balanced in (False, True):
        one = metrics.paired_mean_auroc_difference([(id_a, [ood_a])], [(id_b, [ood_b])], n_boot=100, seed=3,
                                                   balanced=balanced, balance_seed=5)
        assert one == metrics.paired_auroc_difference(id_a, ood_a, id_b, ood_b, n_boot=100, seed=3,
                                                      balanced=balanced, balance_seed=5)


def test_paired_mean_auroc_difference_is_zero_for_the_same_scorer():
    id_a, ood_a, _, ood_c = _two_scorers(5)
    groups = [(id_a, [ood_a, ood_c]), (id_a[:100], [ood_a[:50]])]
    assert metrics.paired_mean_auroc_difference(groups, groups, n_boot=50) == (0.0, 0.0, 0.0)


def test_paired_mean_auroc_difference_is_the_mean_over_every_pair_and_separates_a_better_scorer():
    f_a, f_oa, f_b, f_ob = _two_scorers(6, gap=2.0)
    c_a, c_oa, c_b, c_ob = _two_scorers(7, n_in=150, n_out=250, gap=2.0)
    _, c_oa2, _, c_ob2 = _two_scorers(7, n_in=150, n_out=250, gap=1.0)
    diff, low, high = metrics.paired_mean_auroc_difference([(f_a, [f_oa]), (c_a, [c_oa, c_oa2])],
                                                           [(f_b, [f_ob]), (c_b, [c_ob, c_ob2])], n_boot=200)
    sk = lambda s_in, s_out: roc_auc_score(np.r_[np.zeros(len(s_in)), np.ones(len(s_out))],  # noqa: E731
                                           np.r_[s_in, s_out])
    expected = np.mean([sk(f_b, f_ob) - sk(f_a, f_oa), sk(c_b, c_ob) - sk(c_a, c_oa), sk(c_b, c_ob2) - sk(c_a, c_oa2)])
    assert diff == pytest.approx(expected)                 # over the three (ID, OOD) pairs, not the two groups
    assert 0 < low <= diff <= high


def test_paired_auroc_difference_balanced_point_is_the_difference_of_balanced_aurocs():
    id_a, ood_a, id_b, ood_b = _two_scorers(8, n_in=400, n_out=120, gap=0.4)
    for seed in (0, 11):
        diff, low, high = metrics.paired_auroc_difference(id_a, ood_a, id_b, ood_b, n_boot=100, balanced=True,
                                                          balance_seed=seed)
        expected = (metrics.auroc(id_b, ood_b, balanced=True, seed=seed)
                    - metrics.auroc(id_a, ood_a, balanced=True, seed=seed))
        assert diff == pytest.approx(expected) and low <= diff <= high
    unbalanced = metrics.paired_auroc_difference(id_a, ood_a, id_b, ood_b, n_boot=10)[0]
    assert unbalanced == pytest.approx(metrics.auroc(id_b, ood_b) - metrics.auroc(id_a, ood_a))
    assert unbalanced != pytest.approx(diff)               # the balanced subsample is really used


def test_paired_mean_auroc_difference_refuses_unpaired_scores():
    id_a, ood_a, id_b, ood_b = _two_scorers(9)
    with pytest.raises(BadInput, match="same images"):
        metrics.paired_mean_auroc_difference([(id_a, [ood_a])], [(id_b[:-1], [ood_b])])
    with pytest.raises(BadInput, match="same images"):
        metrics.paired_mean_auroc_difference([(id_a, [ood_a])], [(id_b, [ood_b[:10]])])
    with pytest.raises(BadInput, match="same groups"):
        metrics.paired_mean_auroc_difference([(id_a, [ood_a])], [(id_b, [ood_b, ood_b])])
    with pytest.raises(BadInput, match="same groups"):
        metrics.paired_mean_auroc_difference([(id_a, [ood_a])], [])
