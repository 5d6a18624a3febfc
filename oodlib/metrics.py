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


def bootstrap_aurocs(id_scores: np.ndarray, ood_scores: np.ndarray, id_draws: np.ndarray, ood_draws: np.ndarray,
                     chunk: int = 64) -> np.ndarray:
    """Return the AUROC of every bootstrap replicate r: of ``id_scores[id_draws[r]]`` against ``ood_scores[ood_draws[r]]``
    (index arrays of shape replicates × count), each equal to ``auroc`` of those scores (ties count one half).

    The Mann–Whitney count, vectorised over replicates: the scores are coded by their rank among the distinct
    values once, and each replicate's AUROC is Σ over its OOD draws of (# ID draws below + ½ # equal) / (n_ID n_OOD),
    from one histogram of its ID draws. scikit-learn's ``roc_auc_score`` validates its input on every call (~5 ms);
    a bootstrap calls it thousands of times, hence this function."""
    values = np.unique(np.concatenate([id_scores, ood_scores]))
    id_codes, ood_codes = np.searchsorted(values, id_scores), np.searchsorted(values, ood_scores)
    n_rep, k = len(id_draws), len(values)
    out = np.empty(n_rep)
    for start in range(0, n_rep, chunk):
        ids, oods = id_codes[id_draws[start:start + chunk]], ood_codes[ood_draws[start:start + chunk]]
        rows = len(ids)
        counts = np.bincount((ids + k * np.arange(rows)[:, None]).ravel(), minlength=rows * k).reshape(rows, k)
        below_or_half = np.cumsum(counts, axis=1) - counts + 0.5 * counts
        out[start:start + rows] = np.take_along_axis(below_or_half, oods, axis=1).sum(axis=1)
    return out / (id_draws.shape[1] * ood_draws.shape[1])


def paired_auroc_difference(id_a, ood_a, id_b, ood_b, n_boot: int = 1000, level: float = 0.95,
                            seed: int = 0, balanced: bool = False, balance_seed: int = 0) -> tuple[float, float, float]:
    """Return (AUROC(b) − AUROC(a), low, high): the difference of two scorers' AUROCs on the *same* images
    and its paired bootstrap percentile interval at ``level``.

    The i-th ID (and OOD) score of a and of b must be of the same image. Each replicate draws ID and OOD images
    with replacement (separately, keeping their counts) and computes both AUROCs on that draw, so the interval
    measures how much the difference depends on which test images were drawn; it says nothing of the spread
    between two trainings of the same model. ``balanced`` first subsamples both scorers' larger side to the
    smaller one's size exactly as ``auroc(..., balanced=True, seed=balance_seed)`` does, so the point difference
    is that of the balanced AUROCs. scikit-learn has no paired bootstrap, hence this function.
    """
    return paired_mean_auroc_difference([(id_a, [ood_a])], [(id_b, [ood_b])], n_boot, level, seed, balanced,
                                        balance_seed)


def paired_mean_auroc_difference(groups_a, groups_b, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
                                 balanced: bool = False, balance_seed: int = 0) -> tuple[float, float, float]:
    """Return (mean AUROC of b − mean AUROC of a, low, high) over several (ID, OOD) pairs, with a paired bootstrap
    percentile interval: e.g. Chali et al. §4.3's mean AUROC over Table 2's OOD sets, scorer b against scorer a.

    ``groups_a`` / ``groups_b``: lists of (id_scores, [ood_scores, ...]), one group per in-distribution set, the
    same images in the same order for a and b. The mean is over every (group, OOD set) pair. Each replicate
    redraws, with replacement, every pair's ID and OOD images (ID images shared by a group's pairs are redrawn per
    pair when ``balanced`` subsamples them differently per pair; otherwise once per group).
    """
    if len(groups_a) != len(groups_b) or any(len(ga[1]) != len(gb[1]) for ga, gb in zip(groups_a, groups_b)):
        raise BadInput("paired scores need the same groups and OOD sets for a and b")
    if n_boot < 1 or not 0 < level < 1:
        raise BadInput(f"need n_boot >= 1 and 0 < level < 1, got n_boot={n_boot}, level={level}")
    pairs = []                           # (group index, id_a, ood_a, id_b, ood_b) after balancing
    for g, ((id_a, oods_a), (id_b, oods_b)) in enumerate(zip(groups_a, groups_b)):
        for ood_a, ood_b in zip(oods_a, oods_b):
            ia, oa = check_scores(id_a, "id_a"), check_scores(ood_a, "ood_a")
            ib, ob = check_scores(id_b, "id_b"), check_scores(ood_b, "ood_b")
            if len(ia) != len(ib) or len(oa) != len(ob):
                raise BadInput(f"paired scores need the same images: a has {len(ia)} ID / {len(oa)} OOD scores, "
                               f"b has {len(ib)} / {len(ob)}; score the same ID and OOD images with both")
            ia, oa = _prepare(ia, oa, balanced, balance_seed)      # same lengths → the same subsample for a and b
            ib, ob = _prepare(ib, ob, balanced, balance_seed)
            pairs.append((g if not balanced else len(pairs), ia, oa, ib, ob))
    rng = np.random.default_rng(seed)
    draws = [[] for _ in pairs]      # per pair: its (ID, OOD) draws, replicate after replicate, pair after pair
    for _ in range(n_boot):
        id_draw = {}
        for p, (key, ia, oa, _, _) in enumerate(pairs):
            if key not in id_draw:
                id_draw[key] = rng.integers(0, len(ia), len(ia))
            draws[p].append((id_draw[key], rng.integers(0, len(oa), len(oa))))
    diffs = np.zeros(n_boot)
    for (_, ia, oa, ib, ob), drawn in zip(pairs, draws):
        i, o = np.stack([d[0] for d in drawn]), np.stack([d[1] for d in drawn])
        diffs += bootstrap_aurocs(ib, ob, i, o) - bootstrap_aurocs(ia, oa, i, o)
    diffs /= len(pairs)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    point = float(np.mean([auroc(ib, ob) - auroc(ia, oa) for _, ia, oa, ib, ob in pairs]))
    return point, float(low), float(high)
