"""How a prior moves the likelihood of OOD images (Kamoi & Kobayashi §5): models scored by their NLL, the rows of
Table 1 and Figs. 4, 6, 8 and 9 (mean NLL per set, AUROC), paired differences of mean NLL, Fig. 6's distance
factor, and the units Table 1 is probably in.

    evs = prior_effects.score_models({"uni (1, 7)": uni, "multi (1, 7)": multi}, id_tests, {"mnist": mnist}, k=20)
    prior_effects.nll_rows(evs)                                   # mean NLL per set, AUROC of the NLL
    prior_effects.paired_nll_differences(evs, "multi (1, 7)", ["uni (1, 7)"], "mnist")
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .evaluate import DIFFERENCE, INTERVAL, Evaluation, difference_label, evaluate
from .errors import BadInput
from .scores.likelihood import NLL

NLL_METRIC = "NLL"                       # the mean negative log-likelihood of a set, nats per image
ID_TEST = "in-distribution test"         # the ood column of a model's own test images
DISTANCE_FACTOR = "distance factor"      # Fig. 6: how much closer the light-tailed components may sit
SPREAD_RATIO = "spread over the sweep, test data ÷ OOD set"     # Figs. 14–15

UNITS = {"nats per image": 1.0, "bits per image": 1.0 / math.log(2.0)}


def score_models(models: dict, id_tests: dict, ood_sets: dict, k: int, seed: int = 0,
                 progress: bool = True) -> dict[str, Evaluation]:
    """Return {label: Evaluation} of the NLL (nats per image; a VAE's importance-sampled with ``k`` samples, a
    flow's exact) of every model on its own test images (``id_tests[label]``) and on every OOD set."""
    absent = [label for label in models if label not in id_tests]
    if absent:
        raise BadInput(f"no in-distribution test images for {absent}; give id_tests an entry per model")
    return {label: evaluate(NLL(k=k, seed=seed).fit(model), id_tests[label], ood_sets, method=label,
                            progress=progress)
            for label, model in models.items()}


def nll_rows(evs: dict) -> pd.DataFrame:
    """Return rows (ood, method, metric, value): each model's mean NLL on its test images (ood ``ID_TEST``) and on
    each OOD set, and the AUROC of the NLL as an OOD score (beyond Kamoi, who report likelihoods only)."""
    out = []
    for ev in evs.values():
        means = ev.mean_rows(NLL_METRIC)
        means.loc[means.ood == ev.id_name, "ood"] = ID_TEST
        out += [means, ev.table]
    return pd.concat(out, ignore_index=True)[["ood", "method", "metric", "value"]]


def paired_nll_differences(evs: dict, method: str, versus, ood: str, seed: int = 0,
                           n_boot: int = 2000) -> pd.DataFrame:
    """Return rows (ood, method "A − B", metric ΔNLL / ΔNLL low / ΔNLL high, value): ``method``'s mean NLL on the
    images of ``ood`` minus each of ``versus``'s, with a 95% percentile bootstrap interval over those images (the
    same images for both: a paired difference; scipy's ``bootstrap``). These rows let a claim "A's NLL is higher
    than B's" be judged (``oodlib.claims``, rule ``beats``)."""
    from scipy.stats import bootstrap   # deferred: SciPy's statistics are slow to import, this alone needs them

    mine = evs[method].ood_scores[ood]
    names = [m.format(metric=NLL_METRIC) for m in (DIFFERENCE, *INTERVAL)]
    out = []
    for other in versus:
        theirs = evs[other].ood_scores[ood]
        if len(theirs) != len(mine):
            raise BadInput(f"{method} scored {len(mine)} images of {ood}, {other} {len(theirs)}: score the same images")
        d = np.asarray(mine, dtype=np.float64) - np.asarray(theirs, dtype=np.float64)
        ci = bootstrap((d,), np.mean, n_resamples=n_boot, method="percentile",
                       random_state=np.random.default_rng(seed)).confidence_interval
        out += [{"ood": ood, "method": difference_label(method, other), "metric": n, "value": float(v)}
                for n, v in zip(names, (d.mean(), ci.low, ci.high))]
    return pd.DataFrame(out, columns=["ood", "method", "metric", "value"])


def distance_factor_rows(curve: pd.DataFrame, light: str = "generalized", heavy: str = "gaussian") -> pd.DataFrame:
    """Return one row (method "LIGHT vs HEAVY", metric ``DISTANCE_FACTOR``, value) of a Fig. 6 sweep: the largest
    swept distance D over d*, the smallest swept distance at which the ``light``-tailed mixture's mean
    log-likelihood of the OOD set is at or below the ``heavy``-tailed one's at D; 0 where no swept distance gets
    there. Above 1: the light-tailed mixture needs a smaller distance for what the other does at its largest.

    ``curve``: ``distance_curve`` rows (kind, distance, value) of one OOD set and one architecture. The book's
    reading of "effective ... even with much smaller distances" (Kamoi §5.3).
    """
    top = float(curve.distance.max())
    target = float(curve[(curve.kind == heavy) & (curve.distance == top)].value.iloc[0])
    reached = curve[(curve.kind == light) & (curve.value <= target)].sort_values("distance")
    factor = top / float(reached.distance.iloc[0]) if len(reached) else 0.0
    return pd.DataFrame([{"method": f"{light} vs {heavy}", "metric": DISTANCE_FACTOR, "value": factor}])


def unit_agreement(evs: dict, ood: str, paper_values: dict) -> pd.DataFrame:
    """Return how close the paper's numbers (``paper_values``: {label: the paper's NLL}) are to ours on ``ood`` for
    each reading of them: our per-image NLLs aggregated by the mean or the median, in nats or bits per image. Column
    ``typical factor``: exp(median |log(paper / ours)|) over the models, 1 = the same numbers; sorted, closest
    first (Kamoi Table 1 states neither the aggregate nor the unit)."""
    labels = [label for label in paper_values if label in evs]
    if not labels:
        raise BadInput("none of the paper's models was scored; name paper_values by the labels of evs")
    rows = []
    for aggregate, f in (("mean", np.mean), ("median", np.median)):
        ours = np.array([f(evs[label].ood_scores[ood]) for label in labels])
        theirs = np.array([paper_values[label] for label in labels])
        for unit, scale in UNITS.items():
            apart = np.median(np.abs(np.log(theirs / (ours * scale))))
            rows.append({"aggregate": aggregate, "unit": unit, "typical factor": float(np.exp(apart))})
    return pd.DataFrame(rows).sort_values("typical factor", kind="stable", ignore_index=True)


def spread_ratio_rows(evs: dict, priors: dict, ood: str) -> pd.DataFrame:
    """Return rows (ood "in-distribution test ÷ OOD", method = prior kind, metric ``SPREAD_RATIO``, value): per kind
    of prior, how far the test data's mean NLL moves across the swept distances (max − min) over how far ``ood``'s
    moves (Kamoi App. F.1: the test data's likelihood is "relatively unaffected by the distances"; below 1: the
    test data move less)."""
    out = []
    for kind in dict.fromkeys(p.kind for p in priors.values()):
        own, other = (distance_curve(evs, {k: p for k, p in priors.items() if p.kind == kind}, o).value
                      for o in (None, ood))
        out.append({"ood": f"{ID_TEST} ÷ {ood}", "method": kind, "metric": SPREAD_RATIO,
                    "value": float((own.max() - own.min()) / (other.max() - other.min()))})
    return pd.DataFrame(out)


def distance_curve(evs: dict, priors: dict, ood: str | None) -> pd.DataFrame:
    """Return Fig. 6's points: columns kind, distance, value = the mean log-likelihood (nats per image) of ``ood``'s
    images (None: each model's own test images) under each swept model (``priors``: {label: its PriorConfig})."""
    return pd.DataFrame([{"kind": p.kind, "distance": p.distance,
                          "value": -float(np.mean(evs[label].id_scores if ood is None else evs[label].ood_scores[ood]))}
                         for label, p in priors.items()])


def sweep_summary(curve: pd.DataFrame, name: str) -> str:
    """Return one sentence on a Fig. 6 sweep (``distance_curve`` rows of one OOD set, one architecture ``name``): at
    which swept distances the generalized mixture gives the OOD set the lower mean log-likelihood than the Gaussian
    one at the same distance."""
    wide = curve.pivot_table(index="distance", columns="kind", values="value")
    lower = [f"{d:g}" for d, r in wide.iterrows() if r.get("generalized", math.inf) < r.get("gaussian", -math.inf)]
    return (f"{name}: at the same distance, the generalized mixture gives the lower log-likelihood at d = "
            f"{', '.join(lower) or 'none'} (of {', '.join(f'{d:g}' for d in wide.index)}).")
