"""Each paper claim the book tests, and its verdict computed from the results tables.

A claim selects the results rows that test it and a rule turns them into a verdict:
``below`` (every selected AUROC < threshold), ``above`` (every one ≥ threshold) or
``same_side`` (ours on the same side of the threshold as the paper's, cell by cell).
Verdicts: reproduced (every cell holds), partly (some do), not reproduced (none does),
not tested (no cell could be computed here, e.g. the dataset is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import UnknownName

VERDICTS = ("reproduced", "partly", "not reproduced", "not tested")


@dataclass(frozen=True)
class Claim:
    """One claim of a paper, where the book tests it, and how its verdict is decided."""

    id: str
    paper: str
    section: str
    page: str
    text: str
    select: dict                      # column -> value or list of values, to pick results rows
    rule: str = "below"
    threshold: float = 0.5
    needs: tuple = field(default_factory=tuple)   # datasets the claim names; reported when missing

    def rows(self, results: pd.DataFrame) -> pd.DataFrame:
        keep = pd.Series(True, index=results.index)
        for col, want in self.select.items():
            keep &= results[col].isin(want if isinstance(want, (list, tuple)) else [want])
        return results[keep]


def _cell(r) -> str:
    paper = "" if pd.isna(r.paper_value) else f", paper {r.paper_value:.3f}"
    return f"{r.in_dist}→{r.ood}: {r.value:.3f}{paper}"


def verdict(claim: Claim, results: pd.DataFrame, missing=()) -> dict:
    """Return {verdict, evidence} for ``claim`` on ``results`` (rows of the results CSVs)."""
    rows = claim.rows(results)
    absent = [d for d in claim.needs if d in set(missing)]
    if claim.rule == "same_side":
        rows = rows[rows.paper_value.notna()]
        ok = (rows.value < claim.threshold) == (rows.paper_value < claim.threshold)
    elif claim.rule == "below":
        ok = rows.value < claim.threshold
    elif claim.rule == "above":
        ok = rows.value >= claim.threshold
    else:
        raise UnknownName(f"unknown claim rule {claim.rule!r}; use below, above or same_side")
    note = f" Missing here: {', '.join(absent)}." if absent else ""
    if len(rows) == 0:
        return {"verdict": "not tested", "evidence": f"no result could be computed.{note}"}
    n_ok = int(ok.sum())
    v = "reproduced" if n_ok == len(rows) else "partly" if n_ok else "not reproduced"
    if absent and v == "reproduced":
        v = "partly"
    bad = rows[~ok.values]
    detail = "" if bad.empty else " Disagree: " + "; ".join(_cell(r) for r in bad.itertuples()) + "."
    shown = "; ".join(_cell(r) for r in rows[ok.values].head(4).itertuples())
    return {"verdict": v, "evidence": f"{n_ok} of {len(rows)} cells hold ({shown}{'; …' if n_ok > 4 else ''}).{detail}{note}"}


_T2_NLL = {"paper": "rose", "table": "Table 2", "method": "NLL", "metric": "AUROC"}

CLAIMS = [
    Claim("rose-3.1-fmnist", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A VAE trained on Fashion-MNIST assigns higher likelihood to MNIST than to Fashion-MNIST "
          "(Fig. 1a; NLL AUROC 0.161).", {**_T2_NLL, "in_dist": "fmnist", "ood": "mnist"}, "below"),
    Claim("rose-3.1-cifar10", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A VAE trained on CIFAR-10 assigns higher likelihood to SVHN than to CIFAR-10 (Fig. 1b; "
          "NLL AUROC 0.081).", {**_T2_NLL, "in_dist": "cifar10", "ood": "svhn"}, "below", needs=("svhn",)),
    Claim("rose-t2-nll", "rose", "§5.1", "rose/s3_1_likelihood_fails",
          "NLL separates each OOD set on the same side of chance as the paper reports (Table 2, NLL column; "
          "AUROC < 0.5 means the OOD set looks more likely).", {**_T2_NLL}, "same_side"),
]


def claims_table(results: pd.DataFrame, missing=(), page: str | None = None) -> pd.DataFrame:
    """Return one row per claim (of ``page``, or all): paper, section, claim, verdict, evidence."""
    out = []
    for c in CLAIMS:
        if page is None or c.page == page:
            out.append({"paper": c.paper, "section": c.section, "claim": c.text, **verdict(c, results, missing)})
    return pd.DataFrame(out, columns=["paper", "section", "claim", "verdict", "evidence"])
