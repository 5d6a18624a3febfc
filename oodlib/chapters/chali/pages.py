"""The approximate mass (Chali et al.): what the chapter's pages compute beyond oodlib's core."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ... import data, metrics, paper
from ...errors import BadInput, UnknownName
from ...results import COLUMNS
from ...scores import make_scorer
from .. import checkout
from .models import CHALI_ALPHA, trained_realnvp

# ----------------------------------------------------------------------------------------------------
# Anomalous-class detection (Chali et al. §4.4, Tables 3–4): train on one class, test on the rest.
#
# Per class k of MNIST or CIFAR-10, a penalised RealNVP (``realnvp_recipe(..., classes=[k])``) is
# trained on the training images of class k; it then scores every test image of class k (in-distribution)
# and, as the anomalies, test images of the other nine classes. §4.4 tests "on a split of the test set
# between the ID class and anomalous classes"; the reference code also adds the other classes' *training*
# images to its anomalies (REFERENCE_NOTES), which we do not. The profile's ``oneclass_n_rest`` may
# subsample the anomalies (seeded); AUROC does not depend on the class ratio, so this changes the estimate's
# noise, not what it estimates.

CLASS_NAMES = {  # the row labels of Tables 3 (MNIST digits) and 4 (CIFAR-10 classes)
    "mnist": [str(k) for k in range(10)],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
ONECLASS_METHODS = ("approx_mass", "NLL")   # Tables 3–4 report the approximate mass; NLL shown beside it


def one_class_split(page, dataset: str, k: int, size: int = 32):
    """Return (test images of class k, test images of the other classes) at the page's sizes."""
    if dataset not in CLASS_NAMES:
        raise UnknownName(f"no one-class setting for {dataset!r}; known: {', '.join(CLASS_NAMES)}")
    p = page.sizes
    rest = [c for c in range(10) if c != k]
    id_test = data.load(dataset, "test", classes=[k], n=p.oneclass_n_id, seed=page.seed, size=size)
    rest_test = data.load(dataset, "test", classes=rest, n=p.oneclass_n_rest, seed=page.seed, size=size)
    return id_test, rest_test


def one_class_results(page, dataset: str, alpha: float = CHALI_ALPHA, classes=range(10), progress: bool = True) -> pd.DataFrame:
    """Return AUROC per class and method (columns in_dist "mnist:3", ood "mnist:rest", method, metric, value)."""
    out = []
    for k in classes:
        model = trained_realnvp(dataset, page.profile_name, page.seed, alpha=alpha, classes=[k], progress=progress)
        id_test, rest = one_class_split(page, dataset, k, size=model.config.image_size)
        for method in ONECLASS_METHODS:
            scorer = make_scorer(method).fit(model)
            value = metrics.auroc(scorer.score(id_test.x).numpy(), scorer.score(rest.x).numpy())
            out.append({"in_dist": f"{dataset}:{CLASS_NAMES[dataset][k]}", "ood": f"{dataset}:rest",
                        "method": method, "metric": "AUROC", "value": value,
                        "n_id": len(id_test), "n_rest": len(rest)})
    return pd.DataFrame(out)


QUOTED_BASELINES = ("GradCon", "OCGAN")   # Tables 3–4's baselines, quoted from the paper (not re-run here)
TABLE_OF = {"mnist": "Table 3", "cifar10": "Table 4"}


def with_paper_and_baselines(page, ours: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Return results rows (``results.COLUMNS``) of ``ours`` plus the paper's GradCon / OCGAN values (model
    "quoted from the paper": the number in ``paper_value`` only, ``value`` empty, since we did not run them),
    each of ours with the paper's value beside it, and a "DATASET:mean" row per method (mean over classes)."""

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
                   profile=page.profile_name, seed=page.seed)
    return df[COLUMNS]


# ----------------------------------------------------------------------------------------------------
# Scores recorded while a model trains, epoch by epoch (Chali et al. §3.1, Figs. 1–2).
#
# A ``Trace`` holds, for every recorded epoch, every scorer's scores of every image set. It is built
# here from per-epoch snapshots (``score_snapshots``; the cpu pages) or read from the files that
# ``scripts/chali_device_run.py`` wrote on a GPU machine (``load_device_run``).

TRACE_METHODS = ("approx_mass", "NLL")   # Fig. 1 (approximate mass) and Fig. 2 (log-likelihood)


@dataclass
class Trace:
    """``scores[method][set]``: an array [epochs × images]; ``epochs``: the epoch each row was recorded after."""

    epochs: np.ndarray
    scores: dict
    meta: dict = field(default_factory=dict)

    def at(self, epoch: int, method: str) -> dict:
        """Return {set: scores after ``epoch``} of ``method``."""
        hits = np.flatnonzero(self.epochs == epoch)
        if not len(hits):
            raise BadInput(f"epoch {epoch} was not recorded; recorded: {self.epochs.tolist()}")
        if method not in self.scores:
            raise BadInput(f"method {method!r} was not recorded; recorded: {', '.join(self.scores)}")
        return {name: s[hits[0]] for name, s in self.scores[method].items()}

    def metric_table(self, id_name: str, metric: str = "AUROC", balanced: bool = True, seed: int = 0) -> pd.DataFrame:
        """Return ``metric`` of each (method, OOD set) after each epoch: rows epochs, columns (method, ood)."""
        cols = {}
        for method, sets in self.scores.items():
            for name, s in sets.items():
                if name != id_name:
                    cols[(method, name)] = [metrics.compute(metric, sets[id_name][i], s[i], balanced=balanced, seed=seed)
                                            for i in range(len(self.epochs))]
        table = pd.DataFrame(cols, index=pd.Index(self.epochs, name="epoch"))
        table.columns = pd.MultiIndex.from_tuples(table.columns, names=["method", "ood"])
        return table

    def metric_rows(self, id_name: str, epoch: int, metric: str = "AUROC", balanced: bool = True) -> pd.DataFrame:
        """Return ``metric`` after ``epoch`` as rows (ood, method, metric, value), for ``results.rows``."""
        rows = []
        for method in self.scores:
            sets = self.at(epoch, method)
            rows += [{"ood": name, "method": method, "metric": metric,
                      "value": metrics.compute(metric, sets[id_name], s, balanced=balanced)}
                     for name, s in sets.items() if name != id_name]
        return pd.DataFrame(rows)


def score_snapshots(models: dict, sets: dict, methods=TRACE_METHODS, progress: bool = False) -> Trace:
    """Score every image set (``{name: ImageSet}``) with every method on each epoch's model (``{epoch: model}``)."""
    if not models:
        raise BadInput("no snapshots to score; train with keep_snapshots=True (realnvp_snapshots)")
    epochs = sorted(models)
    scores = {m: {name: [] for name in sets} for m in methods}
    for epoch in epochs:
        for method in methods:
            scorer = make_scorer(method).fit(models[epoch])
            for name, images in sets.items():
                scores[method][name].append(scorer.score(images.x, progress=progress).numpy())
    return Trace(np.array(epochs), {m: {k: np.stack(v) for k, v in d.items()} for m, d in scores.items()})


# Set names of older device runs: "dtd" was then the registry's name of the 10-class part of DTD.
LEGACY_SET_NAMES = {"dtd": "dtd_partial"}


def load_device_run(path: str | Path) -> Trace:
    """Read one run written by ``scripts/chali_device_run.py`` (``IN_DIST_PROFILE_alphaA.npz``; the first
    runs, on CIFAR-10, were ``PROFILE_alphaA.npz``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no device run {path}; run scripts/chali_device_run.py on a GPU machine "
                                "and copy its output folder there")
    with np.load(path) as z:
        scores = {}
        for key in z.files:
            if "__" in key:
                method, name = key.split("__", 1)
                name = LEGACY_SET_NAMES.get(name, name)
                scores.setdefault(method, {})[name] = z[key]
        meta = json.loads(z["meta"].item())
        meta.update(train_loss=z["train_loss"].tolist(), seconds=z["seconds"].tolist())
        return Trace(z["epochs"], scores, meta)


DEVICE_FOLDER = checkout.DEVICE


@dataclass
class DeviceRuns:
    """The runs of one ``scripts/chali_device_run.py`` call on ``in_dist``: ``runs[(profile, alpha)]`` is a Trace."""

    folder: Path
    runs: dict
    in_dist: str = "cifar10"

    @property
    def summary(self) -> pd.DataFrame:
        """One row per run: its architecture, training images, epochs reached, last loss and seconds per epoch."""
        out = []
        for (profile, alpha), t in sorted(self.runs.items()):
            arch = json.loads(t.meta["model"])
            out.append({"architecture": f"{profile}: {arch['scales']} scales × {arch['blocks']} blocks, hidden {arch['hidden']}",
                        "α": f"{alpha:g}", "training images": t.meta["n_train"], "epochs": int(t.epochs[-1]),
                        "last train loss (bits/dim)": round(t.meta["train_loss"][-1], 3),
                        "s per epoch": round(float(np.mean(t.meta["seconds"])), 1), "device": t.meta["device"]})
        return pd.DataFrame(out)

    def table1(self, ood: str) -> pd.DataFrame:
        """AUROC (balanced) of vanilla (α = 0) vs each penalised run, after the epochs both reached."""
        out, id_name = [], self.in_dist
        for (profile, alpha), t in sorted(self.runs.items()):
            vanilla = self.runs.get((profile, 0.0))
            if alpha == 0.0 or vanilla is None:
                continue
            epoch = int(min(t.epochs[-1], vanilla.epochs[-1]))
            for label, run in (("vanilla", vanilla), (f"approx_mass (α={alpha:g})", t)):
                for method in run.scores:
                    sets = run.at(epoch, method)
                    out.append({"architecture": profile, "epoch": epoch, "model": label, "score": method,
                                "AUROC": metrics.auroc(sets[id_name], sets[ood], balanced=True)})
        return pd.DataFrame(out).pivot_table(index=["architecture", "epoch", "model"], columns="score",
                                             values="AUROC", sort=False)


def _run_in_dist(meta: dict) -> str:
    return meta.get("in_dist", "cifar10")       # the first device runs (CIFAR-10 only) did not record it


def device_runs(folder: str | Path | None = None, in_dist: str = "cifar10") -> DeviceRuns:
    """Read the device runs on ``in_dist`` of ``folder``, or else of the newest ``book/device/chali_*`` folder
    that has some."""
    folders = [Path(folder)] if folder is not None else sorted(DEVICE_FOLDER.glob("chali_*"), reverse=True)
    for candidate in folders:
        loaded = [load_device_run(path) for path in sorted(candidate.glob("*_alpha*.npz"))]
        runs = {(t.meta["profile"], float(t.meta["alpha"])): t for t in loaded if _run_in_dist(t.meta) == in_dist}
        if runs:
            return DeviceRuns(candidate, runs, in_dist)
    raise FileNotFoundError(f"no device runs on {in_dist} under {folder or DEVICE_FOLDER}; run "
                            f"scripts/chali_device_run.py --in-dist {in_dist} on a GPU machine and copy its output "
                            "folder there")
