"""OOD detection metrics. Convention everywhere: a score is higher for "more OOD".

AUROC is symmetric in the choice of positive class. AUPRC and FPR80 follow ROSE (Tables 4–5):
in-distribution is the positive class, detected by a *low* score. TNR@95%TPR follows Chali et al.
(in-distribution positive). ``balanced=True`` subsamples the larger group to the smaller one's
size with a fixed seed before computing (Chali et al. §4.3).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from .checks import check_scores
from .errors import BadInput, UnknownName


def _prepare(id_scores, ood_scores, balanced: bool, seed: int):
    s_in = check_scores(id_scores, "id_scores")
    s_out = check_scores(ood_scores, "ood_scores")
    if balanced and len(s_in) != len(s_out):
        rng = np.random.default_rng(seed)
        m = min(len(s_in), len(s_out))
        s_in = s_in[rng.permutation(len(s_in))[:m]] if len(s_in) > m else s_in
        s_out = s_out[rng.permutation(len(s_out))[:m]] if len(s_out) > m else s_out
    return s_in, s_out


def _labels_scores(s_in, s_out, positive: str):
    """Return (labels, scores) so that a higher score means 'more positive'."""
    scores = np.concatenate([s_in, s_out])
    is_ood = np.concatenate([np.zeros(len(s_in)), np.ones(len(s_out))])
    if positive == "ood":
        return is_ood, scores
    if positive == "id":
        return 1 - is_ood, -scores
    raise UnknownName(f"unknown positive class {positive!r}; use 'id' or 'ood'")


def auroc(id_scores, ood_scores, balanced: bool = False, seed: int = 0) -> float:
    """Return the area under the ROC curve of separating OOD (high score) from ID."""
    s_in, s_out = _prepare(id_scores, ood_scores, balanced, seed)
    return float(roc_auc_score(*_labels_scores(s_in, s_out, "ood")))


def auprc(id_scores, ood_scores, positive: str = "id", balanced: bool = False, seed: int = 0) -> float:
    """Return the area under the precision-recall curve (average precision) with ``positive`` as positive class."""
    s_in, s_out = _prepare(id_scores, ood_scores, balanced, seed)
    return float(average_precision_score(*_labels_scores(s_in, s_out, positive)))


def fpr_at_tpr(id_scores, ood_scores, tpr: float = 0.8, positive: str = "id", balanced: bool = False,
               seed: int = 0) -> float:
    """Return the false positive rate at the first threshold reaching ``tpr`` (ROSE FPR80: tpr=0.8, ID positive)."""
    if not 0 < tpr <= 1:
        raise BadInput(f"tpr must be in (0, 1], got {tpr}")
    s_in, s_out = _prepare(id_scores, ood_scores, balanced, seed)
    fpr, tpr_curve, _ = roc_curve(*_labels_scores(s_in, s_out, positive), drop_intermediate=False)
    return float(fpr[np.searchsorted(tpr_curve, tpr, side="left")])


def tnr_at_tpr(id_scores, ood_scores, tpr: float = 0.95, balanced: bool = False, seed: int = 0) -> float:
    """Return the true negative rate (OOD rejected) when ``tpr`` of ID is accepted (Chali TNR@95%TPR)."""
    return 1.0 - fpr_at_tpr(id_scores, ood_scores, tpr, "id", balanced, seed)


METRICS = {
    "AUROC": lambda i, o, **kw: auroc(i, o, **kw),
    "AUPRC": lambda i, o, **kw: auprc(i, o, "id", **kw),           # ROSE Table 4 (ID positive)
    "AUPRC_ood": lambda i, o, **kw: auprc(i, o, "ood", **kw),
    "FPR80": lambda i, o, **kw: fpr_at_tpr(i, o, 0.8, "id", **kw),  # ROSE Table 5 (ID positive)
    "AUPR": lambda i, o, **kw: auprc(i, o, "id", **kw),            # Chali Table 2's name (ID positive, as TNR)
    "TNR@95TPR": lambda i, o, **kw: tnr_at_tpr(i, o, 0.95, **kw),   # Chali Table 2
}


def compute(metric: str, id_scores, ood_scores, **kw) -> float:
    """Return the metric called ``metric`` (one of METRICS) for these scores."""
    if metric not in METRICS:
        raise UnknownName(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    return METRICS[metric](id_scores, ood_scores, **kw)


def batch_mean_auroc(id_scores, ood_scores, batch_size: int, n_partitions: int = 20, balanced: bool = False,
                     seed: int = 0) -> float:
    """Return the AUROC of *batch means*: one score per batch of ``batch_size`` images, not per image.

    ID and OOD scores are each split at random into disjoint batches of ``batch_size`` (a remainder is left
    out); a batch's score is the mean of its images' scores, and the AUROC separates OOD batches from ID
    batches. The result is the mean over ``n_partitions`` random splits (seeded), so it does not hang on one
    split. ``batch_size`` = 1 gives the per-image ``auroc``.

    This is how Chali et al.'s public code evaluates the approximate mass (chsamy/ood_detection_approximate_mass:
    ``ood_density_detection.py`` writes one mean norm per test batch of 32, ``experiment3.py`` takes the AUROC
    of those): a detector of whole batches. Averaging b scores shrinks each side's spread by
    about √b, so the batch-level AUROC of a model is far above its per-image one (for normal scores of equal
    variance, Φ(√b · Φ⁻¹(per-image AUROC))). scikit-learn has no batch-level metric, hence this function.
    """
    s_in, s_out = _prepare(id_scores, ood_scores, balanced, seed)
    if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= min(len(s_in), len(s_out)):
        raise BadInput(f"batch_size must be an integer from 1 to the smaller side's count "
                       f"({min(len(s_in), len(s_out))}), got {batch_size!r}")
    if n_partitions < 1:
        raise BadInput(f"n_partitions must be at least 1, got {n_partitions}")
    if batch_size == 1:
        return auroc(s_in, s_out)
    rng = np.random.default_rng(seed)

    def means(s):
        n = len(s) // batch_size * batch_size
        return s[rng.permutation(len(s))[:n]].reshape(-1, batch_size).mean(axis=1)

    return float(np.mean([auroc(means(s_in), means(s_out)) for _ in range(n_partitions)]))


def paired_auroc_difference(id_a, ood_a, id_b, ood_b, n_boot: int = 1000, level: float = 0.95,
                            seed: int = 0) -> tuple[float, float, float]:
    """Return (AUROC(b) − AUROC(a), low, high): the difference of two scorers' AUROCs on the *same* images
    and its paired bootstrap percentile interval at ``level``.

    The i-th ID (and OOD) score of a and of b must be of the same image. Each replicate draws ID and OOD images
    with replacement (separately, keeping their counts) and computes both AUROCs on that draw, so the interval
    measures how much the difference depends on which test images were drawn; it says nothing of the spread
    between two trainings of the same model. scikit-learn has no paired bootstrap, hence this function.
    """
    id_a, ood_a = check_scores(id_a, "id_a"), check_scores(ood_a, "ood_a")
    id_b, ood_b = check_scores(id_b, "id_b"), check_scores(ood_b, "ood_b")
    if len(id_a) != len(id_b) or len(ood_a) != len(ood_b):
        raise BadInput(f"paired scores need the same images: a has {len(id_a)} ID / {len(ood_a)} OOD scores, "
                       f"b has {len(id_b)} / {len(ood_b)}; score the same ID and OOD images with both")
    if n_boot < 1 or not 0 < level < 1:
        raise BadInput(f"need n_boot >= 1 and 0 < level < 1, got n_boot={n_boot}, level={level}")
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for r in range(n_boot):          # one replicate = two sorts of a few thousand scores: no per-image loop
        i, o = rng.integers(0, len(id_a), len(id_a)), rng.integers(0, len(ood_a), len(ood_a))
        diffs[r] = auroc(id_b[i], ood_b[o]) - auroc(id_a[i], ood_a[o])
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return auroc(id_b, ood_b) - auroc(id_a, ood_a), float(low), float(high)
