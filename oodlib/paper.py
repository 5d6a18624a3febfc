"""The papers' own numbers and evaluation settings, as data (never typed into a notebook).

``paper_numbers.csv`` is ``../shared/papers/paper_numbers.csv`` (transcribed twice, independently).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

NUMBERS_CSV = Path(__file__).with_name("paper_numbers.csv")

# ROSE Table 2 rows, per in-distribution set, in the paper's order (``oodlib.chapters.rose.sets`` re-exports these; they
# move there when the last four ROSE pages that read them here are next executed).
ROSE_TABLE2_OOD = {
    "fmnist": ["mnist", "kmnist", "notmnist", "omniglot", "cifar10", "svhn", "noise", "constant"],
    "cifar10": ["svhn", "celeba", "lsun", "mnist", "fmnist", "notmnist", "noise", "constant"],
}
# ROSE §5.1: the "overall" set mixes 1,000 images of each of these, plus CIFAR-10 (for Fashion-MNIST)
# or Fashion-MNIST (for CIFAR-10).
ROSE_OVERALL_BASE = ["mnist", "kmnist", "notmnist", "omniglot", "svhn", "celeba", "lsun", "noise", "constant"]


def rose_overall_members(in_dist: str) -> list[str]:
    """Return the OOD sets ROSE §5.1 mixes into the "overall" set for ``in_dist``."""
    extra = {"fmnist": "cifar10", "cifar10": "fmnist"}[in_dist]
    return ROSE_OVERALL_BASE + [extra]


def rose_ood_sets(in_dist: str) -> list[str]:
    """Return ROSE Table 2's rows for ``in_dist`` followed by the other members of its overall mix."""
    rows = ROSE_TABLE2_OOD[in_dist]
    return rows + [d for d in rose_overall_members(in_dist) if d not in rows]


# The stand-ins and partial sets ``display.paper_vs_ours`` names by default, and the sets ``paper_numbers.csv`` names
# its own way: how any page's rows meet the paper's numbers, so they stay beside them (a chapter's own lists of sets
# live in its package, e.g. ``oodlib.chapters.chali.sets``). Where a set the paper uses is not on these machines, the
# closest one that is, and why (said on the page).
CHALI_STAND_INS = {
    "svhn": ("gtsrb", "GTSRB (traffic signs, in Table 2 too): like SVHN's house numbers, centred man-made symbols "
                      "on plain backgrounds, the kind of simple image a likelihood model trained on CIFAR-10 rates "
                      "at least as likely as CIFAR-10 (the page shows the NLL AUROC it measures)"),
}


# Sets of ours that paper_numbers.csv names differently (the same images, not a stand-in).
CHALI_PAPER_NAMES = {"dtd": "texture"}
# Where only part of a set is on these machines: the part, a set of its own name. Its rows carry that name and
# no paper number (the paper's is for the whole set); pages show the whole set's number apart, named as such.
PARTIAL_SETS = {"dtd": "dtd_partial"}


def stands_for(name: str) -> str | None:
    """Return the paper's set that our set ``name`` replaces on these machines (a stand-in, CHALI_STAND_INS, or a
    part of the set, PARTIAL_SETS), or None."""
    for paper_set, (stand_in, _) in CHALI_STAND_INS.items():
        if stand_in == name:
            return paper_set
    return next((whole for whole, part in PARTIAL_SETS.items() if part == name), None)


@functools.lru_cache(maxsize=1)
def numbers() -> pd.DataFrame:
    """Return every number of the five papers' tables (columns as in paper_numbers.csv), on the book's scales: an
    AUROC the CSV gives in percent (its note says "AUROC in %" or "AUC in %", or starts with "%": SR-OOD's,
    Schirrmeister et al.'s, and the means Chali et al. quote in their text) is divided
    by 100, as ours are on 0–1."""
    df = pd.read_csv(NUMBERS_CSV, dtype={"variant": str, "note": str}, keep_default_na=False,
                     na_values={"value": [""], "std": [""]})
    percent = (df.note.str.contains("AUROC in %", regex=False) | df.note.str.contains("AUC in %", regex=False)
               | df.note.str.startswith("%")) & (df.metric == "AUROC")
    df.loc[percent, ["value", "std"]] = df.loc[percent, ["value", "std"]] / 100.0
    return df


def value(paper: str, table: str, model: str, in_dist: str, ood: str, method: str, metric: str,
          variant: str = "") -> float | None:
    """Return the paper's number for one cell, or None where the paper has none."""
    df = numbers()
    hit = df[(df.paper == paper) & (df.table == table) & (df.model == model) & (df.in_dist == in_dist)
             & (df.ood == ood) & (df.method == method) & (df.metric == metric) & (df.variant == variant)]
    if len(hit) > 1:
        raise ValueError(f"paper_numbers.csv has {len(hit)} rows for one cell: {paper} {table} {in_dist} {ood} "
                         f"{method} {metric} {variant!r}")
    if len(hit) == 0 or pd.isna(hit.value.iloc[0]):
        return None
    return float(hit.value.iloc[0])
