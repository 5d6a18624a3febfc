"""Tables as a page shows them: "ours (paper)" cells, three decimals, "—" for an absent number, a caption.

Display only: nothing here computes a result. Every function returns a pandas ``Styler`` (rendered as an HTML
table with its ``<caption>``) so that a page's code cell is one call and the table names itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from . import paper
from .evaluate import DIFFERENCE, INTERVAL

DASH = "—"
CAPTION_STYLE = [{"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"),
                                                   ("font-weight", "bold"), ("padding-bottom", "0.4em")]}]


def number(v, digits: int = 3, small: bool = False) -> str:
    """Return ``v`` with ``digits`` decimals, "—" where it is absent (None, NaN, pd.NA); text is returned as it is.
    ``small``: a number too small for ``digits`` decimals keeps two significant digits (a paper's 0.0008)."""
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return DASH
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if small and 0 < abs(v) < 10 ** -(digits - 1):
            return f"{v:.2g}"
        return f"{v:.{digits}f}"
    return str(v)


def styled(df: pd.DataFrame, caption: str, digits: int = 3, index: bool = True):
    """Return ``df`` as a captioned Styler: numbers with ``digits`` decimals, "—" for absent ones; ``index=False``
    hides a row index that says nothing (0, 1, 2, …)."""
    s = df.style.format(lambda v: number(v, digits)).set_caption(caption).set_table_styles(CAPTION_STYLE)
    return s if index else s.hide(axis="index")


def show(table, caption: str = "", digits: int = 3, index: bool = True):
    """Display a DataFrame with its caption (``styled``), or a table this module already styled."""
    from IPython.display import display   # deferred: IPython, only where a table is shown

    display(table if isinstance(table, Styler) else styled(table, caption, digits, index))


def note(text: str) -> None:
    """Display a sentence computed by the page (e.g. which stand-in ran) as wrapped text, not a long printed line."""
    from IPython.display import Markdown, display   # deferred: IPython, only where text is shown

    display(Markdown(text))


def differences(table: pd.DataFrame, caption: str, rows=("in_dist", "ood", "method"), metric: str = "AUROC",
                digits: int = 3):
    """Return the paired difference rows of a results table (``evaluate.paired_difference_rows``: metric ΔAUROC and
    its interval; ``prior_effects.paired_nll_differences``: ΔNLL, ``metric="NLL"``) as one captioned table: the
    difference, its 95% interval, and whether the test images can tell the two apart (an interval that contains 0:
    they cannot)."""
    names = [m.format(metric=metric) for m in (DIFFERENCE, *INTERVAL)]
    if not table.metric.isin(names).any():
        empty = pd.DataFrame({f"{metric} difference": ["none: this profile compares no two methods here"]})
        return empty.style.hide(axis="index").set_caption(caption).set_table_styles(CAPTION_STYLE)
    part = table[table.metric.isin(names)]
    repeated = part.duplicated(subset=[*rows, "metric"], keep=False)
    if repeated.any():             # pivot_table would average them into one meaningless row
        which = part[repeated][list(rows)].drop_duplicates().values.tolist()
        raise ValueError(f"several difference rows per {list(rows)}: {which}; select one set "
                         "(e.g. table.ood == 'mnist') or add 'ood' to rows")
    t = part.pivot_table(index=list(rows), columns="metric", values="value", sort=False)
    low, high = t[names[1]], t[names[2]]
    out = pd.DataFrame({f"{metric} difference": t[names[0]].map(lambda v: f"{v:+.{digits}f}"),
                        "95% interval": [f"[{lo:+.{digits}f}, {hi:+.{digits}f}]" for lo, hi in zip(low, high)],
                        "the test images": ["cannot tell them apart" if lo <= 0 <= hi else "tell them apart"
                                            for lo, hi in zip(low, high)]}, index=t.index)
    return out.style.set_caption(caption).set_table_styles(CAPTION_STYLE)


def _cell(ours, theirs, stood_for: str | None, digits: int) -> str:
    if stood_for:
        quoted = f"{stood_for}: {number(theirs, digits, small=True)}" if not pd.isna(theirs) else DASH
        return f"{number(ours, digits)} ({quoted})"
    return f"{number(ours, digits)} ({number(theirs, digits, small=True)})"


def paper_vs_ours(table: pd.DataFrame, caption: str, rows=("ood",), columns=("method",), stand_ins=None,
                  digits: int = 3, paper_models=None):
    """Return results rows as one captioned table of "ours (paper)" cells.

    ``rows`` / ``columns``: the results columns that index the table. A row of a stand-in or partial set
    (``stand_ins``: {our set: the paper's set}, default ``paper.stands_for``) has no paper number of its own; its
    cell shows, in brackets, the paper's number for the set it replaces, named ("0.664 (svhn: 0.969)"), and its
    row label says what it stands for. Columns with no number at all are dropped. ``paper_models`` maps a model
    of ours to the paper's name for the model it replaces (SR-OOD: {"RepairNet": "pSp"}), for those numbers.
    """
    rows, columns = list(rows), list(columns)
    t = table.copy()

    def replaced(ood):
        return stand_ins.get(ood) if stand_ins is not None else paper.stands_for(ood)

    # A set counts as a stand-in here only where the paper has no number of its own for it in this table (GTSRB
    # stands in for SVHN in Table 1, but is a row of its own in Chali Table 2).
    standing = {} if "ood" not in t.columns else {
        o: replaced(o) for o in t.ood.unique() if replaced(o) and t.paper_value[t.ood == o].isna().all()}

    def shown(r):
        whole = standing.get(r.ood) if "ood" in t.columns else None
        if not whole:
            return r.paper_value, None
        method, _, variant = r.method.partition("/")
        quoted = paper.value(r.paper, r.table.split(" (")[0], (paper_models or {}).get(r.model, r.model), r.in_dist,
                             paper.CHALI_PAPER_NAMES.get(whole, whole), method, r.metric, variant)
        return (quoted if quoted is not None else float("nan")), whole

    cells = [shown(r) for r in t.itertuples()]
    t["cell"] = [_cell(r.value, theirs, whole, digits) for r, (theirs, whole) in zip(t.itertuples(), cells)]
    t["has_number"] = t.value.notna() | pd.Series([not pd.isna(v) for v, _ in cells], index=t.index)
    if "ood" in rows:
        t["ood"] = [f"{o} (for {standing[o]})" if o in standing else o for o in t.ood]
    t = t[t.has_number]
    wide = t.pivot_table(index=rows, columns=columns, values="cell", aggfunc="first", sort=False)
    wide = wide.dropna(axis=1, how="all").fillna(DASH)
    wide.columns.name = None if len(columns) == 1 else wide.columns.name
    return wide.style.set_caption(caption).set_table_styles(CAPTION_STYLE)


def setting(rows: dict, caption: str = "Setting: ours (the paper profile's)"):
    """Return the setting table: ``rows`` is {label: {column: (ours, paper)}}; cells "ours (paper)"."""
    df = pd.DataFrame({label: {col: f"{_plain(o)} ({_plain(p)})" for col, (o, p) in cols.items()}
                       for label, cols in rows.items()}).T
    return df.style.set_caption(caption).set_table_styles(CAPTION_STYLE)


def _plain(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={_plain(x)}" for k, x in v.items()) or "the paper's"
    if isinstance(v, (tuple, list)):
        return ", ".join(_plain(x) for x in v) or DASH
    if v is None:
        return "all"
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)


def verdicts(table: pd.DataFrame, caption: str = "Verdicts"):
    """Return the claims table (``claims.claims_table``) as a captioned table that wraps its long text."""
    df = table.drop(columns=[c for c in ("paper", "page") if c in table.columns])
    return (df.style.hide(axis="index").set_caption(caption)
            .set_table_styles(CAPTION_STYLE + [{"selector": "td", "props": [("white-space", "normal"),
                                                                           ("text-align", "left"),
                                                                           ("vertical-align", "top")]}]))
