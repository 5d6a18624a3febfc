"""Scores recorded while a model trains, epoch by epoch (Chali et al. §3.1, Figs. 1–2).

A ``Trace`` holds, for every recorded epoch, every scorer's scores of every image set. It is built
here from per-epoch snapshots (``score_snapshots``; the cpu pages) or read from the files that
``scripts/chali_device_run.py`` wrote on a GPU machine (``load_device_run``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics
from .errors import BadInput
from .scores import make_scorer

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
        raise BadInput("no snapshots to score; train with keep_snapshots=True (zoo.realnvp_snapshots)")
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


DEVICE_FOLDER = Path(__file__).resolve().parents[1] / "book" / "device"


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
