"""The long results table every page writes: one row per number, paper value beside ours."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from . import locations, paper
from .io import atomic_path

COLUMNS = ["paper", "section", "table", "model", "in_dist", "ood", "method", "metric", "value",
           "paper_value", "profile", "seed"]


def book_results() -> Path:
    """Return the folder of the book's committed results tables (``oodlib.locations.results()``: ``$OODLIB_RESULTS``,
    or the checkout's ``book/results``, which the book layer configures)."""
    folder = locations.results()
    if folder is None:
        raise FileNotFoundError("no results folder: set OODLIB_RESULTS, or oodlib.locations.configure(results=...) "
                                "(importing oodlib.chapters does)")
    return folder


def results_dir() -> Path:
    """Return where pages write results: ``$OODBOOK_RESULTS_DIR`` (set by the runner), else a scratch folder."""
    env = os.environ.get("OODBOOK_RESULTS_DIR")
    if env:
        return Path(env)
    return locations.cache() / "results"


def paper_table_of(table: str) -> str:
    """Return the paper table a results table quotes: "Table 2 (LR(E) images)" quotes the paper's "Table 2"."""
    return table.split(" (")[0]


def rows(values: pd.DataFrame, *, paper_name: str, section: str, table: str, model: str, in_dist: str,
         profile: str, seed: int, paper_table: str | None = None, paper_model: str | None = None,
         paper_names: dict | None = None, paper_key=None) -> pd.DataFrame:
    """Return ``values`` (columns ood, method, metric, value) as results rows with the paper's values beside.

    The paper value is looked up in the paper's ``paper_table`` (default: ``paper_table_of(table)``); it is left
    empty where the paper has no such cell. A method written "METHOD/VARIANT" (e.g. "ROSE/EKFAC",
    "ROSE/0.5x") is looked up as that method and variant of paper_numbers.csv. ``paper_names`` maps an OOD set
    of ours to the name paper_numbers.csv gives *the same set* (e.g. {"dtd": "texture"}). A stand-in (another set,
    or part of a set) is never renamed: its row carries its own name and the paper's number for that set where
    the paper has one, else none (``display.paper_vs_ours`` can show the number of the set it stands in for in
    a column of its own).

    ``paper_key(row)``, where a paper names its cells in its own way (e.g. Kamoi's "prior=uni; evaluated on OOD"),
    returns the paper_numbers.csv keys of a row's cell (any of model, in_dist, ood, method, variant) or None
    where the paper has no such cell.
    """
    if not paper_name or not isinstance(paper_name, str):
        raise ValueError(f"paper_name must be a paper's key (a chapter's PAPER, e.g. 'rose'), got {paper_name!r}")
    out = values.copy()
    out["paper"], out["section"], out["table"], out["model"] = paper_name, section, table, model
    out["in_dist"], out["profile"], out["seed"] = in_dist, profile, seed
    quoted = paper_table or paper_table_of(table)

    def paper_cell(r):
        method, _, variant = r.method.partition("/")
        keys = {"model": model if paper_model is None else paper_model, "in_dist": in_dist, "ood": (paper_names or {}).get(r.ood, r.ood),
                "method": method, "variant": variant}
        if paper_key is not None:
            own = paper_key(r)
            if own is None:
                return None
            keys.update(own)
        return paper.value(paper_name, quoted, keys["model"], keys["in_dist"], keys["ood"], keys["method"], r.metric,
                           keys["variant"])

    out["paper_value"] = pd.Series([paper_cell(r) for r in out.itertuples()], index=out.index, dtype="float64")
    return out[COLUMNS]


def save(table: pd.DataFrame, page: str, folder: Path | None = None) -> Path:
    """Write ``table`` (exactly COLUMNS) atomically to ``<folder>/<page>.csv`` (default: ``results_dir()``) and return
    the path."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing or list(table.columns) != COLUMNS:
        raise ValueError(f"results table must have exactly the columns {COLUMNS}; missing {missing}")
    path = Path(folder or results_dir()) / f"{page}.csv"
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    return path


def load_all(folder: Path | None = None) -> pd.DataFrame:
    """Return every results CSV under ``folder`` (default: book/results) as one table with a ``page`` column."""
    folder = Path(folder or book_results())
    frames = [pd.read_csv(p, keep_default_na=False, na_values={"value": [""], "paper_value": [""]}).assign(page=p.stem)
              for p in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS + ["page"])


def load_page(page: str, folder: Path | None = None) -> pd.DataFrame:
    """Return the results another page wrote (``book/results/<page>.csv``), e.g. §5.2 reading §5.1's AUROCs.

    The book runner records the CSV's hash in the reading page, so the page turns stale when it changes.
    """
    if folder is None:
        folder = results_dir() if os.environ.get("OODBOOK_RESULTS_DIR") else book_results()
    path = Path(folder) / f"{page}.csv"
    if not path.exists():
        raise FileNotFoundError(f"no results {path.name} in {path.parent}; execute that page first: "
                                f"python -m oodlib.book run notebooks/{page.replace('_', '/', 1)}.py")
    return pd.read_csv(path, keep_default_na=False, na_values={"value": [""], "paper_value": [""]})


def means_over_sets(table: pd.DataFrame, *, table_name: str, metric: str = "AUROC",
                    overall: str = "all") -> pd.DataFrame:
    """Return each method's mean ``metric`` over the OOD sets of results rows ``table``: per in-distribution set,
    and over every row (in_dist = ``overall``), as results rows with ood "mean", model "any" and table
    ``table_name`` (e.g. Chali §4.3's mean AUROC over the sets available on this machine).

    The paper value of a mean is the mean of the paper's values over the same rows where the paper has every
    one of them, and empty otherwise. Every method should have been scored on the same sets.
    """
    part = table[table.metric == metric]
    if part.empty:
        raise ValueError(f"no {metric} rows to average; the table has metrics {sorted(set(table.metric))}")

    def paper_mean(v):
        return v.mean() if v.notna().all() else float("nan")

    out = []
    for scope, rows_in_scope in [*part.groupby("in_dist", sort=False), (overall, part)]:
        m = rows_in_scope.groupby("method", sort=False).agg(value=("value", "mean"), paper_value=("paper_value", paper_mean),
                                                            paper=("paper", "first"), section=("section", "first"),
                                                            profile=("profile", "first"), seed=("seed", "first"))
        out.append(m.reset_index().assign(table=table_name, model="any", in_dist=scope, ood="mean", metric=metric))
    return pd.concat(out, ignore_index=True)[COLUMNS]
