"""How a paper's claim is tested, and its verdict computed from the results tables.

The claims themselves live in their chapter (``oodlib.chapters.<chapter>.CLAIMS``; all of them, in the book's order:
``oodlib.chapters.all_claims()``).

A claim selects the results rows that test it; a rule judges each selected cell as *holds*, *fails* or
*inconclusive*:

- ``below`` / ``above``: the value is below / at least the threshold (within 0.0005 of it: a tie at the
  printed precision, inconclusive);
- ``same_side``: ours on the same side of the threshold as the paper's, cell by cell (a tie: inconclusive);
- ``beats``: ``method`` beats every other selected method, per in_dist/ood/metric, judged by the paired
  difference rows a page writes for the same model (``evaluate.paired_difference_rows``: "A − B", ΔAUROC and its
  95% paired bootstrap interval over the test images; ``prior_effects.paired_nll_differences``: ΔNLL, the mean NLL
  of the same OOD images). The cell holds when every interval lies above 0, fails when one lies below 0,
  and is inconclusive when one contains 0, when the values tie at the printed precision, or when no interval was
  computed. With ``lower=True`` lower is better (e.g. ROSE §3.2's standard deviation over brightness): every
  interval must lie below 0. With ``per_model=True`` each model is a cell of its own (ROSE Fig. 6's networks).
  ``method`` and ``versus`` may be templates as in rule ``seeds``: then each ``method`` row is a cell of its own,
  against the one ``versus`` row of the same text ("LRatio/{}; Mean" against "LRatio λ=10/{}; Mean": λ = 0 against
  λ = 10, per perturbation);
- ``spread``: max − min over the selected rows ≤ threshold, per in_dist/ood/metric; where the page wrote the paired
  difference of those two rows, the cell holds when its whole 95% interval lies within ±threshold, fails when it
  lies beyond the threshold, and is inconclusive otherwise;
- ``ratio``: ``method``'s value ≥ threshold × ``versus``'s, per in_dist;
- ``seeds``: ``method`` against ``versus`` over training seeds, per in_dist/ood/metric. Both are templates in which
  "{}" stands for the same text ("Diff/{}" against "Raw/{}": Diff/Unsupervised against Raw/Unsupervised, Diff/Supervised
  against Raw/Supervised, ...). The rows hold the mean over seeds, and rows "<metric> std" their standard deviation:
  the cell holds when the mean is higher by more than the two deviations together, fails when it is lower by more,
  and is inconclusive when the mean ± std ranges overlap (Schirrmeister et al. Table S2's seeds).

The cells give the verdict, in the book's one vocabulary (``VERDICTS``, defined on the landing page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .errors import UnknownName
from .evaluate import DIFFERENCE, INTERVAL, difference_label

VERDICTS = {
    "reproduced": "every cell of the claim holds, on every set the claim names",
    "reproduced on the available sets": "every cell holds, but some sets the claim names are missing here (named "
                                        "in the evidence)",
    "partly": "some cells hold and some do not (they fail or are inconclusive)",
    "not reproduced": "no cell holds and at least one fails",
    "inconclusive": "no cell holds or fails: the differences are within the noise of our test images (a paired "
                    "95% interval that contains 0) or tie at the printed precision",
    "not tested": "the claim needs data, scale or training length we did not run (said in the evidence)",
}
TIE = 0.0005                      # values closer than this tie at the printed precision (three decimals)
HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"


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
    method: str = ""                  # rules beats and ratio: the method the claim is about
    versus: str = ""                  # rules ratio, seeds and beats (templates): the method it is compared with
    lower: bool = False               # rule beats: lower values are better (a spread, an error)
    per_model: bool = False           # rule beats: one cell per model too (a claim about several networks)
    # A claim about training behaviour at some epoch: (profile field of epochs per in-distribution set, the
    # in-distribution set, the epoch the paper's effect is at), read in ``sizes`` (the chapter's SIZES: profile ->
    # sizes). Below that many epochs it is not tested.
    after_epochs: tuple = ()
    sizes: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.after_epochs and not self.sizes:
            raise ValueError(f"claim {self.id}: after_epochs reads a profile's sizes; pass sizes=<the chapter's SIZES>")

    def rows(self, results: pd.DataFrame) -> pd.DataFrame:
        keep = pd.Series(True, index=results.index)
        for col, want in self.select.items():
            keep &= results[col].isin(want if isinstance(want, (list, tuple)) else [want])
        return results[keep]


def _threshold(claim: Claim, above: bool):
    def judge(r):
        if abs(r.value - claim.threshold) < TIE:
            return INCONCLUSIVE, f"ties with {claim.threshold:g}"
        return (HOLDS if (r.value >= claim.threshold) == above else FAILS), ""
    return judge


def _same_side(claim: Claim):
    def judge(r):
        if abs(r.value - claim.threshold) < TIE:
            return INCONCLUSIVE, f"ties with {claim.threshold:g}"
        return (HOLDS if (r.value < claim.threshold) == (r.paper_value < claim.threshold) else FAILS), ""
    return judge


def _cells(rows: pd.DataFrame, judge) -> pd.DataFrame:
    out = rows.copy()
    judged = [judge(r) for r in rows.itertuples()]
    out["outcome"] = [j[0] for j in judged]
    out["detail"] = [j[1] for j in judged]
    return out


def _grouped(rows: pd.DataFrame, keys, test) -> pd.DataFrame:
    """Apply ``test(group) -> (representative row with outcome and detail) | None`` per group."""
    reps = [r for _, g in rows.groupby(list(keys), sort=False) if (r := test(g)) is not None]
    return pd.DataFrame(reps)


def _judge_beats(claim: Claim, results: pd.DataFrame, r, o) -> tuple[str, str]:
    """Return (outcome, detail) of row ``r`` (``claim.method``'s) against row ``o``, read from their paired rows."""
    if abs(r.value - o.value) < TIE:
        return INCONCLUSIVE, f"ties with {o.method} {o.value:.3f}"
    ci = _paired_one_way(results, r, r.method, o.method)
    if ci is None:
        return INCONCLUSIVE, f"{o.method} {o.value:.3f}, no paired interval computed"
    diff, low, high = ci        # the paired estimate: on a subset where one method scored fewer
    better, worse = (high < 0, low > 0) if claim.lower else (low > 0, high < 0)
    return (HOLDS if better else FAILS if worse else INCONCLUSIVE,
            f"{o.method} {o.value:.3f}, difference {diff:+.3f} [{low:+.3f}, {high:+.3f}]")


def _beats(claim: Claim, results: pd.DataFrame):
    """Rule ``beats``: read the paired difference rows "A − B" of the same cell (module docstring)."""
    def test(g):
        mine, others = g[g.method == claim.method], g[g.method != claim.method]
        if mine.empty or others.empty:
            return None
        r = mine.iloc[0].copy()
        judged = [_judge_beats(claim, results, r, o) for o in others.itertuples()]
        outcomes = [j[0] for j in judged]
        r["outcome"] = FAILS if FAILS in outcomes else INCONCLUSIVE if INCONCLUSIVE in outcomes else HOLDS
        r["detail"] = "; ".join(j[1] for j in judged)
        return r
    return test


def _template(method: str) -> re.Pattern:
    """The pattern of a method template in which "{}" stands for any text ("LRatio/{}; Mean")."""
    return re.compile("^" + re.escape(method).replace(re.escape("{}"), "(.+)") + "$")


def _beats_pairs(claim: Claim, rows: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Rule ``beats`` with templates (module docstring): one cell per ``method`` row and its ``versus`` row."""
    pattern, cells = _template(claim.method), []
    for _, g in rows.groupby(["in_dist", "ood", "metric"], sort=False):
        for r in g.itertuples():
            found = pattern.match(r.method)
            o = g[g.method == claim.versus.replace("{}", found.group(1))] if found else g.iloc[:0]
            if o.empty:
                continue
            cell = pd.Series(r._asdict()).drop("Index")
            cell["outcome"], cell["detail"] = _judge_beats(claim, results, r, next(o.itertuples()))
            cells.append(cell)
    return pd.DataFrame(cells)


def _paired_one_way(results: pd.DataFrame, r0, a: str, b: str):
    """Return (difference, low, high) of the paired rows "a − b" of r0's cell, or None where the page wrote none.
    A page may hold the same cell for two models (Kamoi: VAE and Glow), or compare methods of several models
    (SR-OOD: the rows "A − B" carry A's model): the rows of r0's model are read."""
    same = results[(results.paper == r0.paper) & (results.table == r0.table) & (results.in_dist == r0.in_dist)
                   & (results.ood == r0.ood) & (results.method == difference_label(a, b))]
    if "model" in same:
        same = same[same.model.isna() | (same.model == r0.model)]
    found = [same[same.metric == m.format(metric=r0.metric)].value for m in (DIFFERENCE, *INTERVAL)]
    return tuple(float(v.iloc[0]) for v in found) if all(len(v) for v in found) else None


def _paired(results: pd.DataFrame, r0, a: str, b: str):
    """Return (difference, low, high) of the paired rows "a − b" of r0's cell and model (or of "b − a", negated),
    or None where the page wrote neither."""
    forward = _paired_one_way(results, r0, a, b)
    if forward is not None:
        return forward
    backward = _paired_one_way(results, r0, b, a)
    return None if backward is None else (-backward[0], -backward[2], -backward[1])


def _spread(claim: Claim, results: pd.DataFrame):
    """Rule ``spread``: the largest minus the smallest value, at most the threshold. Where the page wrote the paired
    difference of those two (its 95% interval over the test images), the cell holds when the whole interval lies
    within the threshold, fails when it lies beyond it, and is inconclusive otherwise."""
    def test(g):
        r = g.iloc[0].copy()
        lo, hi = g.iloc[g.value.to_numpy().argmin()], g.iloc[g.value.to_numpy().argmax()]
        r["value"], r["paper_value"], r["method"] = hi.value - lo.value, float("nan"), "range"
        r["detail"] = f"{lo.value:.3f} ({lo.method}) to {hi.value:.3f} ({hi.method})"
        ci = _paired(results, hi, hi.method, lo.method)
        if ci is None:
            r["outcome"] = HOLDS if r["value"] <= claim.threshold else FAILS
        else:
            _, low, high = ci
            r["detail"] += f", paired difference interval [{low:+.3f}, {high:+.3f}]"
            r["outcome"] = (HOLDS if max(abs(low), abs(high)) <= claim.threshold else
                            FAILS if low > claim.threshold else INCONCLUSIVE)
        return r
    return test


SEED_STD = "{metric} std"          # the rows of the standard deviation over training seeds (rule ``seeds``)


def _seeds(claim: Claim, rows: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Rule ``seeds`` (module docstring): one cell per ``method`` row with a ``versus`` row in the same cell."""
    pattern = _template(claim.method)

    def std(r, method):
        same = results[(results.paper == r.paper) & (results.table == r.table) & (results.in_dist == r.in_dist)
                       & (results.ood == r.ood) & (results.method == method)
                       & (results.metric == SEED_STD.format(metric=r.metric))]
        return float(same.value.iloc[0]) if len(same) else float("nan")

    cells = []
    for _, g in rows.groupby(["in_dist", "ood", "metric"], sort=False):
        for r in g.itertuples():
            found = pattern.match(r.method)
            if not found or r.metric.endswith(" std"):
                continue
            other = claim.versus.replace("{}", found.group(1)) if found.groups() else claim.versus
            o = g[g.method == other]
            if o.empty:
                continue
            o = o.iloc[0]
            s_r, s_o = std(r, r.method), std(o, other)
            gap = r.value - o.value
            cell = pd.Series(r._asdict()).drop("Index")
            cell["detail"] = f"{r.value:.3f} ± {s_r:.3f} vs {other} {o.value:.3f} ± {s_o:.3f}"
            if abs(gap) < TIE:
                cell["outcome"] = INCONCLUSIVE
            elif pd.isna(s_r) or pd.isna(s_o):
                cell["outcome"], cell["detail"] = INCONCLUSIVE, cell["detail"] + " (no spread over seeds written)"
            else:
                cell["outcome"] = HOLDS if gap > s_r + s_o else FAILS if gap < -(s_r + s_o) else INCONCLUSIVE
            cells.append(cell)
    return pd.DataFrame(cells)


def _ratio(claim: Claim):
    def test(g):
        a, b = g[g.method == claim.method], g[g.method == claim.versus]
        if a.empty or b.empty:
            return None
        r = a.iloc[0].copy()
        r["value"], r["paper_value"] = a.value.iloc[0] / b.value.iloc[0], float("nan")
        r["method"] = f"{claim.method} / {claim.versus}"
        r["detail"] = f"{claim.method} {a.value.iloc[0]:.3g} vs {claim.versus} {b.value.iloc[0]:.3g} {r.metric}"
        r["outcome"] = HOLDS if r["value"] >= claim.threshold else FAILS
        return r
    return test


def _cell(r, rule: str, with_model: bool = False) -> str:
    """One cell of the evidence: where (the model too, ``with_model``, where the claim's cells span several), which
    method, our value (the paper's), and how it was judged."""
    value = f"{r.value:.0f}×" if rule == "ratio" and r.value >= 10 else f"{r.value:.2f}×" if rule == "ratio" \
        else f"{r.value:.3f}"
    paper = "" if pd.isna(r.paper_value) else f" (paper {r.paper_value:.3f})"
    detail = f"; {r.detail}" if isinstance(r.detail, str) and r.detail else ""
    where = r.in_dist if rule == "ratio" else f"{r.in_dist}→{r.ood}"
    where = f"{r.model}, {where}" if with_model else where
    return f"{where}, {r.method}: {value}{paper}{detail}"


def _untested(claim: Claim, rows: pd.DataFrame) -> str:
    """Return why ``claim`` is not tested at the profile its rows were computed at ('' where it is)."""
    if not claim.after_epochs or rows.empty:
        return ""
    field_name, in_dist, epoch = claim.after_epochs
    profile = str(rows.profile.iloc[0])
    if profile not in claim.sizes:
        raise UnknownName(f"claim {claim.id}: rows at unknown profile {profile!r}; profiles: {', '.join(claim.sizes)}")
    sizes = getattr(claim.sizes[profile], field_name)
    ran = sizes.get(in_dist) if isinstance(sizes, dict) else sizes      # epochs per in-distribution set, or one number
    if ran is None or ran >= epoch:
        return ""
    return (f"The paper's effect is at epoch {epoch} and beyond; the {profile} profile trains {ran} epochs, "
            "so the claim is not tested at this profile.")


def verdict(claim: Claim, results: pd.DataFrame, missing=()) -> dict:
    """Return {verdict, evidence} for ``claim`` on ``results`` (rows of the results CSVs), in ``VERDICTS``' words."""
    rows = claim.rows(results)
    rows = rows[rows.value.notna()]      # e.g. a baseline quoted from the paper: no number of ours to judge
    absent = [d for d in claim.needs if d in set(missing)]
    cell_keys = ["in_dist", "ood", "metric"]
    if claim.rule == "same_side":
        cells = _cells(rows[rows.paper_value.notna()], _same_side(claim))
    elif claim.rule in ("below", "above"):
        cells = _cells(rows, _threshold(claim, above=claim.rule == "above"))
    elif claim.rule == "beats" and "{}" in claim.method:
        cells = _beats_pairs(claim, rows, results)
    elif claim.rule == "beats":
        cells = _grouped(rows, cell_keys + (["model"] if claim.per_model else []), _beats(claim, results))
    elif claim.rule == "spread":
        cells = _grouped(rows, cell_keys, _spread(claim, results))
    elif claim.rule == "ratio":
        cells = _grouped(rows, ["in_dist"], _ratio(claim))
    elif claim.rule == "seeds":
        cells = _seeds(claim, rows, results)
    else:
        raise UnknownName(f"unknown claim rule {claim.rule!r}; use below, above, same_side, beats, spread, ratio or "
                          "seeds")
    note = f" Missing here: {', '.join(absent)}." if absent else ""
    if len(cells) == 0:
        return {"verdict": "not tested", "evidence": f"No result could be computed.{note}"}
    counts = cells.outcome.value_counts()
    n_hold, n_fail, n_inc = (int(counts.get(k, 0)) for k in (HOLDS, FAILS, INCONCLUSIVE))
    parts = [f"{n_hold} of {len(cells)} cells hold"]
    several_models = "model" in cells and cells.model.nunique() > 1
    for outcome, label, limit in ((HOLDS, "Hold", 4), (FAILS, "Fail", None), (INCONCLUSIVE, "Inconclusive", None)):
        chosen = cells[cells.outcome == outcome]
        if len(chosen):
            shown = [_cell(r, claim.rule, several_models) for r in chosen.head(limit).itertuples()]
            more = "; …" if limit and len(chosen) > limit else ""
            parts.append(f"{label}: " + "; ".join(shown) + more)
    untested = _untested(claim, rows)
    if untested:
        v = "not tested"
    elif n_fail == 0 and n_inc == 0:
        v = "reproduced on the available sets" if absent else "reproduced"
    elif n_hold:
        v = "partly"
    else:
        v = "not reproduced" if n_fail else "inconclusive"
    evidence = ". ".join(parts) + ("" if parts[-1].endswith("…") else ".") + note + (f" {untested}" if untested else "")
    return {"verdict": v, "evidence": evidence}


def section_order(section: str) -> tuple:
    """Sort key of a paper section: "§3.1" < "§4.2" < "§5.1" < "App. C.2" (the paper's own order)."""
    appendix = section.startswith("App")
    parts = [p for p in section.replace("App.", "").replace("§", "").strip().replace(".", " ").split()]
    return (appendix, *[(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])


def claims_table(results: pd.DataFrame, claims: list[Claim], missing=(), page: str | None = None) -> pd.DataFrame:
    """Return one row per claim of ``claims`` (those of ``page``, or all), sorted by paper and section: paper, section,
    claim, verdict, evidence, page. (``oodlib.chapters.claims_table``: every chapter's claims.)"""
    out = []
    for c in claims:
        if page is None or c.page == page:
            out.append({"paper": c.paper, "section": c.section, "claim": c.text, **verdict(c, results, missing),
                        "page": c.page})
    table = pd.DataFrame(out, columns=["paper", "section", "claim", "verdict", "evidence", "page"])
    papers = list(dict.fromkeys(c.paper for c in claims))
    order = sorted(range(len(table)), key=lambda i: (papers.index(table.paper[i]), section_order(table.section[i])))
    return table.iloc[order].reset_index(drop=True)
