"""ROSE §3.2's brightness sweep: one OOD set at brightness 0.2× … 1.8×, a row of AUROCs per detector, its mean
and standard deviation, and how sure the difference of two detectors' standard deviations is.

A row's "Std" is the population standard deviation of its nine AUROCs (ddof = 0; it agrees with the printed rows
of ROSE Tables 1, 8 and 9). ``paired_std_difference`` bootstraps the test images: the same in-distribution images
and the same OOD images (at every brightness, since each factor rescales the same images) are redrawn for both
detectors, so the interval says how much the gap between their Stds depends on which images were drawn.
``paired_sweep_difference`` does the same for the rows' Means (App. B.3's λ = 0 against λ = 10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data
from .checks import check_scores
from .errors import BadInput
from .evaluate import DIFFERENCE, INTERVAL, difference_label
from .metrics import auroc, bootstrap_aurocs

FACTORS = (0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8)    # ROSE Table 1's columns
STATISTICS = {"Mean": np.mean, "Std": np.std}   # a sweep row's summaries (population std: ddof = 0)


def factor_label(k: float) -> str:
    """Return the paper's column name of brightness ``k``: "0.2x", "1x"."""
    return f"{k:g}x"


def brightened(images: data.ImageSet, factors=FACTORS) -> dict:
    """Return {"0.2x": images at 0.2× brightness, …} (``data.brightness``: scaled, rounded, clipped)."""
    return {factor_label(k): data.brightness(images, k) for k in factors}


def sweep_rows(method: str, id_scores, sweep_scores: dict, ood: str) -> pd.DataFrame:
    """Return rows (ood, method "METHOD/<factor>", metric AUROC, value) for each factor of ``sweep_scores``
    ({"0.2x": OOD scores, …}), then "METHOD/Mean" and "METHOD/Std" (population std) of the row.

    ``method`` may carry a variant prefix ("LRatio/SVD" gives "LRatio/SVD; 0.2x", as paper_numbers.csv names them).
    """
    sep = "; " if "/" in method else "/"
    values = {k: auroc(id_scores, s) for k, s in sweep_scores.items()}
    row = np.array(list(values.values()))
    values |= {name: float(summary(row)) for name, summary in STATISTICS.items()}
    return pd.DataFrame([{"ood": ood, "method": f"{method}{sep}{k}", "metric": "AUROC", "value": v}
                         for k, v in values.items()])


def paired_sweep_difference(id_a, sweep_a: dict, id_b, sweep_b: dict, statistic: str = "Std", n_boot: int = 1000,
                            level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Return (S(a) − S(b), low, high): the difference of a summary S (``statistic``: "Std" or "Mean" of the row's
    AUROCs) of two detectors' sweeps, and its paired bootstrap percentile interval. ``sweep_a`` / ``sweep_b``:
    {factor: OOD scores}, the same factors, the i-th score of every factor being the same OOD image, for a and b
    alike; ``id_a`` / ``id_b`` the same ID images."""
    if statistic not in STATISTICS:
        raise BadInput(f"unknown sweep statistic {statistic!r}; choose one of: {', '.join(STATISTICS)}")
    summary = STATISTICS[statistic]
    if list(sweep_a) != list(sweep_b):
        raise BadInput(f"paired sweeps need the same factors: {list(sweep_a)} vs {list(sweep_b)}")
    ia, ib = check_scores(id_a, "id_a"), check_scores(id_b, "id_b")
    oa = np.stack([check_scores(sweep_a[k], f"sweep_a[{k}]") for k in sweep_a])
    ob = np.stack([check_scores(sweep_b[k], f"sweep_b[{k}]") for k in sweep_b])
    if len(ia) != len(ib) or oa.shape != ob.shape:
        raise BadInput(f"paired sweeps need the same images: a has {len(ia)} ID and {oa.shape} OOD scores, "
                       f"b has {len(ib)} and {ob.shape}")
    if n_boot < 1 or not 0 < level < 1:
        raise BadInput(f"need n_boot >= 1 and 0 < level < 1, got n_boot={n_boot}, level={level}")

    rng = np.random.default_rng(seed)
    drawn = [(rng.integers(0, len(ia), len(ia)), rng.integers(0, oa.shape[1], oa.shape[1])) for _ in range(n_boot)]
    i, o = np.stack([d[0] for d in drawn]), np.stack([d[1] for d in drawn])
    aurocs_a = np.stack([bootstrap_aurocs(ia, row, i, o) for row in oa], axis=1)     # replicates × factors
    aurocs_b = np.stack([bootstrap_aurocs(ib, row, i, o) for row in ob], axis=1)
    diffs = np.array([summary(ra) - summary(rb) for ra, rb in zip(aurocs_a, aurocs_b)])
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    point = float(summary([auroc(ia, row) for row in oa]) - summary([auroc(ib, row) for row in ob]))
    return point, float(low), float(high)


def paired_std_difference(id_a, sweep_a: dict, id_b, sweep_b: dict, n_boot: int = 1000, level: float = 0.95,
                          seed: int = 0) -> tuple[float, float, float]:
    """Return (Std(a) − Std(b), low, high): ``paired_sweep_difference`` of the rows' Stds (§3.2's claim)."""
    return paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, "Std", n_boot, level, seed)


def sweep_difference_rows(method: str, id_a, sweep_a: dict, versus: str, id_b, sweep_b: dict, ood: str,
                          statistic: str = "Std", seed: int = 0, n_boot: int = 1000) -> pd.DataFrame:
    """Return the paired rows of ``method``'s ``statistic`` (Std or Mean) minus ``versus``'s (methods named as in
    ``sweep_rows``, e.g. "ROSE" and "LRatio/SVD"): method "ROSE/Std − LRatio/SVD; Std", metrics ΔAUROC,
    ΔAUROC low / high — what the claim rule ``beats`` reads (``oodlib.claims``; ``lower=True`` for a Std)."""
    diff, low, high = paired_sweep_difference(id_a, sweep_a, id_b, sweep_b, statistic, n_boot=n_boot, seed=seed)
    label = difference_label(_summary_name(method, statistic), _summary_name(versus, statistic))
    names = [m.format(metric="AUROC") for m in (DIFFERENCE, *INTERVAL)]
    return pd.DataFrame([{"ood": ood, "method": label, "metric": n, "value": v}
                         for n, v in zip(names, (diff, low, high))])


def std_difference_rows(method: str, id_a, sweep_a: dict, versus: str, id_b, sweep_b: dict, ood: str,
                        seed: int = 0, n_boot: int = 1000) -> pd.DataFrame:
    """Return ``sweep_difference_rows`` of the two rows' Stds (what ROSE §3.2's claim reads)."""
    return sweep_difference_rows(method, id_a, sweep_a, versus, id_b, sweep_b, ood, "Std", seed, n_boot)


def _summary_name(method: str, statistic: str) -> str:
    return f"{method}{'; ' if '/' in method else '/'}{statistic}"
