"""Anomalous-class detection (Chali et al. §4.4, Tables 3–4): train on one class, test on the rest.

Per class k of MNIST or CIFAR-10, a penalised RealNVP (``zoo.realnvp_recipe(..., classes=[k])``) is
trained on the training images of class k; it then scores every test image of class k (in-distribution)
and, as the anomalies, test images of the other nine classes. §4.4 tests "on a split of the test set
between the ID class and anomalous classes"; the reference code also adds the other classes' *training*
images to its anomalies (REFERENCE_NOTES), which we do not. The profile's ``oneclass_n_rest`` may
subsample the anomalies (seeded); AUROC does not depend on the class ratio, so this changes the estimate's
noise, not what it estimates.
"""

from __future__ import annotations

import pandas as pd

from . import data, metrics, zoo
from .errors import UnknownName
from .profiles import get_profile
from .scores import make_scorer

CLASS_NAMES = {  # the row labels of Tables 3 (MNIST digits) and 4 (CIFAR-10 classes)
    "mnist": [str(k) for k in range(10)],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
ONECLASS_METHODS = ("approx_mass", "NLL")   # Tables 3–4 report the approximate mass; NLL shown beside it


def one_class_split(dataset: str, k: int, profile: str, seed: int = 0, size: int = 32):
    """Return (test images of class k, test images of the other classes) at ``profile``'s sizes."""
    if dataset not in CLASS_NAMES:
        raise UnknownName(f"no one-class setting for {dataset!r}; known: {', '.join(CLASS_NAMES)}")
    p = get_profile(profile)
    rest = [c for c in range(10) if c != k]
    id_test = data.load(dataset, "test", classes=[k], n=p.oneclass_n_id, seed=seed, size=size)
    rest_test = data.load(dataset, "test", classes=rest, n=p.oneclass_n_rest, seed=seed, size=size)
    return id_test, rest_test


def one_class_results(dataset: str, profile: str, seed: int = 0, alpha: float = zoo.CHALI_ALPHA,
                      classes=range(10), progress: bool = True) -> pd.DataFrame:
    """Return AUROC per class and method (columns in_dist "mnist:3", ood "mnist:rest", method, metric, value)."""
    out = []
    for k in classes:
        model = zoo.trained_realnvp(dataset, profile, seed, alpha=alpha, classes=[k], progress=progress)
        id_test, rest = one_class_split(dataset, k, profile, seed, size=model.config.image_size)
        for method in ONECLASS_METHODS:
            scorer = make_scorer(method).fit(model)
            value = metrics.auroc(scorer.score(id_test.x).numpy(), scorer.score(rest.x).numpy())
            out.append({"in_dist": f"{dataset}:{CLASS_NAMES[dataset][k]}", "ood": f"{dataset}:rest",
                        "method": method, "metric": "AUROC", "value": value,
                        "n_id": len(id_test), "n_rest": len(rest)})
    return pd.DataFrame(out)


QUOTED_BASELINES = ("GradCon", "OCGAN")   # Tables 3–4's baselines, quoted from the paper (not re-run here)
TABLE_OF = {"mnist": "Table 3", "cifar10": "Table 4"}


def with_paper_and_baselines(ours: pd.DataFrame, dataset: str, profile: str, seed: int) -> pd.DataFrame:
    """Return results rows (``results.COLUMNS``) of ``ours`` plus the paper's GradCon / OCGAN values (model
    "quoted from the paper": the number in ``paper_value`` only, ``value`` empty, since we did not run them),
    each of ours with the paper's value beside it, and a "DATASET:mean" row per method (mean over classes)."""
    from . import paper
    from .results import COLUMNS

    table = TABLE_OF[dataset]
    rows = []
    for r in ours.itertuples():
        model = "RealNVP" if r.method == "approx_mass" else ""
        rows.append({"method": r.method, "in_dist": r.in_dist, "value": r.value, "model": "RealNVP",
                     "paper_value": paper.value("approx_mass", table, model, r.in_dist, r.ood, r.method, "AUROC")})
    for method in QUOTED_BASELINES:
        for name in CLASS_NAMES[dataset]:
            v = paper.value("approx_mass", table, "", f"{dataset}:{name}", f"{dataset}:rest", method, "AUROC")
            rows.append({"method": method, "in_dist": f"{dataset}:{name}", "value": float("nan"), "paper_value": v,
                         "model": "quoted from the paper"})
    df = pd.DataFrame(rows)
    means = (df.groupby("method", sort=False).agg(value=("value", "mean"), paper_value=("paper_value", "mean"),
                                                  model=("model", "first"))
             .reset_index().assign(in_dist=f"{dataset}:mean"))
    df = pd.concat([df, means], ignore_index=True)
    df = df.assign(paper="approx_mass", section="§4.4", table=table, ood=f"{dataset}:rest", metric="AUROC",
                   profile=profile, seed=seed)
    return df[COLUMNS]
