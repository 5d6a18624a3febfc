"""One evaluation helper: (scorer, ID test set, OOD sets) → per-sample scores and a long metrics table.

``balanced=True`` computes every metric on equal ID and OOD counts: the larger side of each (ID, OOD)
pair is subsampled without replacement to the smaller one's size with a fixed ``balance_seed``
(Chali et al. §4.3, "the number of OOD and ID data are equalized [...] as the ROC curve is sensitive to
class imbalance"; ``oodlib.metrics``). The scores are kept whole; only the metrics see the subsample.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from . import data, metrics
from .checks import check_images
from .errors import BadInput, DatasetMissing


@dataclass
class Evaluation:
    """Per-sample scores of one method and the metrics computed from them."""

    method: str
    id_name: str
    id_scores: np.ndarray
    ood_scores: dict
    table: pd.DataFrame                  # columns: ood, method, metric, value
    missing: dict = field(default_factory=dict)
    balanced: bool = False               # metrics on equal ID/OOD counts (Chali §4.3) ...
    balance_seed: int = 0                # ... subsampled with this seed
    overall: np.ndarray | None = None    # the "overall" mix's scores (ROSE §5.1), where one was asked for

    def scored_sets(self) -> dict:
        """Return {OOD set: scores}, the "overall" mix included where there is one."""
        return {**self.ood_scores, **({"overall": self.overall} if self.overall is not None else {})}

    def subset(self, n_id: int, n_ood: int, metric_names=("AUROC",), overall_members=None,
               overall_each: int = 1000) -> "Evaluation":
        """Return the evaluation restricted to the first ``n_id`` / ``n_ood`` images of each set.

        The sets are in seeded random order, so this is the evaluation on the images a slower method
        (scored with the same ``n_id`` / ``n_ood``) saw: a like-for-like comparison.
        """
        return summarise(self.method, self.id_name, self.id_scores[:n_id],
                         {name: s[:n_ood] for name, s in self.ood_scores.items()}, metric_names,
                         overall_members, min(overall_each, n_ood), self.missing, self.balanced, self.balance_seed)

    def batch_auroc_rows(self, batch_sizes=(1, 8, 32), n_partitions: int = 20) -> pd.DataFrame:
        """Return one row (ood, method, batch_size, scored, value) per OOD set and batch size: the AUROC of mean
        scores over random batches (``metrics.batch_mean_auroc``; Chali et al.'s public code scores batches of
        32), on equal ID/OOD counts if this evaluation is ``balanced``; ``balance_seed`` seeds the batches too.
        ``scored`` labels the batch size for tables: "per image" or "batch of b"."""
        return pd.DataFrame([{"ood": name, "method": self.method, "batch_size": b,
                              "scored": "per image" if b == 1 else f"batch of {b}",
                              "value": metrics.batch_mean_auroc(self.id_scores, s, b, n_partitions,
                                                                self.balanced, self.balance_seed)}
                             for name, s in self.ood_scores.items() for b in batch_sizes])

    def mean_rows(self, metric: str, transform=None) -> pd.DataFrame:
        """Return one row (ood, method, metric, value) per set — ID first — with the mean of its
        (optionally transformed, e.g. to bits/dim) scores."""
        sets = {self.id_name: self.id_scores, **self.ood_scores}
        f = transform or (lambda s: s)
        return pd.DataFrame([{"ood": name, "method": self.method, "metric": metric, "value": float(np.mean(f(s)))}
                             for name, s in sets.items()])


def load_ood_sets(names, n: int, seed: int, channels: int, size: int = 32):
    """Return ({name: ImageSet} of the sets present here, {name: why missing} of the others)."""
    sets, missing = {}, {}
    for name in names:
        try:
            sets[name] = data.load(name, "test", n=n, seed=seed, channels=channels, size=size)
        except DatasetMissing as e:
            missing[name] = str(e)
    return sets, missing


def overall_scores(ood_scores: dict, members, n_each: int) -> np.ndarray:
    """Return the "overall" OOD scores: the first ``n_each`` of each member set (ROSE §5.1).

    Each set's subset is already in seeded random order, so its first images are a uniform sample.
    """
    parts = [np.asarray(ood_scores[m])[:n_each] for m in members if m in ood_scores]
    if not parts:
        raise DatasetMissing("none of the overall set's members is available here")
    return np.concatenate(parts)


def metric_rows(method: str, id_scores, ood_scores: dict, metric_names=("AUROC",), balanced: bool = False,
                balance_seed: int = 0) -> pd.DataFrame:
    """Return one row (ood, method, metric, value) per OOD set and metric (on equal counts if ``balanced``)."""
    return pd.DataFrame([{"ood": name, "method": method, "metric": m,
                          "value": metrics.compute(m, id_scores, s, balanced=balanced, seed=balance_seed)}
                         for name, s in ood_scores.items() for m in metric_names])


def summarise(method: str, id_name: str, id_scores, ood_scores: dict, metric_names=("AUROC",),
              overall_members=None, overall_each: int = 1000, missing: dict | None = None,
              balanced: bool = False, balance_seed: int = 0) -> Evaluation:
    """Return the Evaluation of per-sample scores: metrics per OOD set, plus the "overall" mix if asked."""
    all_scores = dict(ood_scores)
    if overall_members:
        all_scores["overall"] = overall_scores(ood_scores, overall_members, overall_each)
    table = metric_rows(method, id_scores, all_scores, metric_names, balanced, balance_seed)
    return Evaluation(method, id_name, id_scores, ood_scores, table, dict(missing or {}), balanced, balance_seed,
                      all_scores.get("overall"))


DIFFERENCE = "Δ{metric}"                       # the metric of a paired difference row (claims read these rows)
INTERVAL = ("Δ{metric} low", "Δ{metric} high")  # its 95% paired bootstrap interval


def difference_label(method: str, versus: str) -> str:
    """Return the method name of the rows of ``method``'s AUROC minus ``versus``'s: "A − B"."""
    return f"{method} − {versus}"


def _difference_rows(method: str, ood: str, diff: float, low: float, high: float) -> list[dict]:
    names = [DIFFERENCE, *INTERVAL]
    return [{"ood": ood, "method": method, "metric": n.format(metric="AUROC"), "value": v}
            for n, v in zip(names, (diff, low, high))]


def paired_difference_rows(ev: Evaluation, versus: Evaluation, seed: int = 0, n_boot: int = 1000) -> pd.DataFrame:
    """Return rows (ood, method "A − B", metric ΔAUROC / ΔAUROC low / ΔAUROC high, value): AUROC of ``ev`` minus
    AUROC of ``versus`` on every OOD set both scored ("overall" included), with a 95% paired bootstrap interval over
    the test images (``metrics.paired_auroc_difference``). Both must have scored the same images in the same
    order. These rows are how a page lets a claim "A beats B" be judged (``oodlib.claims``, rule ``beats``)."""
    if ev.id_name != versus.id_name or len(ev.id_scores) != len(versus.id_scores):
        raise BadInput(f"paired differences need the same ID test images: {ev.method} scored "
                       f"{len(ev.id_scores)} of {ev.id_name}, {versus.method} {len(versus.id_scores)} of "
                       f"{versus.id_name}; score both with the same n_id and seed")
    mine, theirs = ev.scored_sets(), versus.scored_sets()
    out = []
    for name in (n for n in mine if n in theirs):
        diff, low, high = metrics.paired_auroc_difference(versus.id_scores, theirs[name], ev.id_scores, mine[name],
                                                          n_boot=n_boot, seed=seed, balanced=ev.balanced,
                                                          balance_seed=ev.balance_seed)
        out += _difference_rows(difference_label(ev.method, versus.method), name, diff, low, high)
    return pd.DataFrame(out, columns=["ood", "method", "metric", "value"])


def paired_mean_difference_rows(evs: list, versus: list, seed: int = 0, n_boot: int = 1000) -> pd.DataFrame:
    """Return the rows of ``paired_difference_rows`` for the *mean* AUROC over every OOD set of several
    evaluations (one per in-distribution set; ``versus`` in the same order), ood "mean": e.g. Chali et al.
    §4.3's mean over Table 2's sets (``metrics.paired_mean_auroc_difference``)."""
    def groups(items):
        return [(e.id_scores, [e.ood_scores[n] for n in sorted(e.ood_scores)]) for e in items]
    for e, v in zip(evs, versus):
        if sorted(e.ood_scores) != sorted(v.ood_scores) or len(e.id_scores) != len(v.id_scores):
            raise BadInput(f"{e.method} and {v.method} must score the same ID images and OOD sets")
    diff, low, high = metrics.paired_mean_auroc_difference(groups(versus), groups(evs), n_boot=n_boot, seed=seed,
                                                           balanced=evs[0].balanced,
                                                           balance_seed=evs[0].balance_seed)
    return pd.DataFrame(_difference_rows(difference_label(evs[0].method, versus[0].method), "mean", diff, low, high))


def evaluate(scorer, id_test: data.ImageSet, ood_sets: dict, method: str | None = None,
             metric_names=("AUROC",), overall_members=None, overall_each: int = 1000,
             missing: dict | None = None, progress: bool = True, n_id: int | None = None,
             n_ood: int | None = None, balanced: bool = False, balance_seed: int = 0) -> Evaluation:
    """Score the ID test set and every OOD set with a fitted ``scorer``; return scores and metrics.

    With ``overall_members``, an "overall" row mixes ``overall_each`` images of each member present.
    ``n_id`` / ``n_ood`` score only the first images of each set (the sets are in seeded random order),
    for methods too slow for the full sets (Likelihood Regret). ``balanced`` / ``balance_seed``: see the module
    docstring.
    """
    method = method or scorer.name
    id_scores = scorer.score(id_test.x[:n_id], progress=progress).numpy()
    ood_scores = {name: scorer.score(s.x[:n_ood], progress=progress).numpy() for name, s in ood_sets.items()}
    overall_each = min(overall_each, n_ood) if n_ood else overall_each
    return summarise(method, id_test.name, id_scores, ood_scores, metric_names, overall_members, overall_each,
                     missing, balanced, balance_seed)


def benchmark(scorer, in_dist: str, ood_names, *, n_id: int, n_ood: int, seed: int = 0,
              overall_members=None, overall_each: int = 1000, metric_names=("AUROC",), method: str | None = None,
              progress: bool = True, balanced: bool = False, balance_seed: int = 0, size: int = 32) -> Evaluation:
    """Load ``in_dist``'s test set and every available OOD set (channels matched, ``size``×``size``), then ``evaluate``."""
    channels = data.info(in_dist).channels
    id_test = data.load(in_dist, "test", n=n_id, seed=seed, channels=channels, size=size)
    sets, missing = load_ood_sets(ood_names, n_ood, seed, channels, size)
    return evaluate(scorer, id_test, sets, method=method, metric_names=metric_names,
                    overall_members=overall_members, overall_each=overall_each, missing=missing, progress=progress,
                    balanced=balanced, balance_seed=balance_seed)


def classifier_accuracy(classifier, images: data.ImageSet, batch_size: int = 256) -> float:
    """Return the fraction of labelled ``images`` whose argmax of ``classifier.logits`` is their label (§4.3's
    baselines: how well the classifier under a detector learned its in-distribution task)."""
    if (images.y < 0).any():
        raise BadInput(f"{images.name} has unlabelled images (label −1); accuracy needs labelled ones")
    x = check_images(images.x, channels=getattr(getattr(classifier, "config", None), "channels", None))
    was = classifier.training
    classifier.eval()
    try:
        with torch.no_grad():
            pred = torch.cat([classifier.logits(x[i:i + batch_size]).argmax(1).cpu()
                              for i in range(0, len(x), batch_size)])
    finally:
        classifier.train(was)
    return float((pred == images.y.cpu()).float().mean()) if len(pred) else float("nan")
