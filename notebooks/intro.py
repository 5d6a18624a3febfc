# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # oodbook
#
# An executable book that replicates research papers on out-of-distribution (OOD) detection with deep
# generative models, on top of a thin PyTorch library, `oodlib`. Every number on a page is computed by the code
# on that page and written to a results table (`book/results/*.csv`) beside the paper's own number for the same
# set; every claim of a paper gets a verdict computed from those tables.
#
# **How to read a page.** Each page is one section of a paper: the claim and how the paper tested it,
# the setting we ran at (our sizes beside the paper's), a few `oodlib` calls, the tables "ours (paper)",
# the figures, and the verdict with what differs from the paper. Scores follow one convention: higher
# means more OOD, so an AUROC below 0.5 means the method prefers the outliers.
#
# **Re-running a page.** `python -m oodlib.book run notebooks/<page>.py --profile cpu --seed 0`
# re-executes a page with papermill (profiles: `smoke` for tests, `cpu` for this machine, `paper` for
# the papers' own settings on a GPU); `python -m oodlib.book run-all --stale` re-executes whatever is
# out of date. See the README.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
seed = 0

# %% tags=["remove-input"]
import pandas as pd
from IPython.display import Markdown, display as show

from oodlib import book, chapters, claims, data, display, results

papers = chapters.papers()          # every chapter's paper, in the book's order
show(Markdown("## The papers\n" + "\n".join(f"- {p.authors} — *{p.title}*: a chapter of this book."
                                              for p in papers.values())))

# %% tags=["remove-input"]
show(Markdown("## The verdicts\nEvery claim gets exactly one of these verdicts, computed from the results tables "
              "by the rules in `oodlib.claims`. A claim is judged cell by cell (one in-distribution set, OOD set and "
              "metric); a claim that one method beats another is judged on a 95% paired bootstrap interval of the "
              "difference over the test images (a claim over training seeds, on the seeds' mean ± standard deviation: "
              "ranges that overlap are inconclusive), and values closer than 0.0005 tie."))
display.show(pd.DataFrame({"means": claims.VERDICTS}).rename_axis("verdict"), "The verdicts, defined")

# %% tags=["remove-input"]
pages = pd.DataFrame(book.executed_pages())
pages = pages[pages.page != book.LANDING].assign(
    seed=lambda t: t.seed.astype("Int64"), minutes=lambda t: (t.wall_time_s / 60).round(1),
    executed=lambda t: t.executed_at.str[:10])
machine = pages.machine.dropna().iloc[0] if pages.machine.notna().any() else "not executed yet"
display.show(pages.set_index("page")[["state", "profile", "seed", "minutes", "executed"]],
             f"The committed pages: profile, seed and wall time each was executed with ({machine})", digits=1)
display.show(book.reexecution_times(), "Re-executing the pages at cpu: each page's latest execution that computed "
             f"its scores (cold) and that read them all from the cache (warm), summed ({machine}; book/run_log.csv)",
             digits=1)

# %% tags=["remove-input"]
missing = [n for n in data.dataset_names() if not data.is_available(n)]
display.show(pd.DataFrame([{"dataset": n, "title": data.info(n).title} for n in missing]).set_index("dataset"),
             "Datasets the papers use that are missing on this machine (the loader supports them; the pages say "
             "where a number is missing rather than substitute silently)")

# %% tags=["remove-input"]
summary = chapters.claims_table(results.load_all(book.RESULTS), missing=missing)


def authors(key):
    names = [a.strip() for a in papers[key].authors.split(",")]
    return names[0] if len(names) == 1 else " & ".join(names) if len(names) == 2 else f"{names[0]} et al."


tally = summary.assign(paper=summary.paper.map(authors)).pivot_table(
    index="verdict", columns="paper", values="claim", aggfunc="count", fill_value=0, sort=False)
tally = tally.reindex(index=[v for v in claims.VERDICTS if v in tally.index])
tally["all papers"] = tally.sum(axis=1)
display.show(tally, "Tally of verdicts, per paper (claims)")

# %% tags=["remove-input"]
for key in dict.fromkeys(summary.paper):
    part = summary[summary.paper == key].assign(
        section=lambda t: [f'<a href="{pg}.html">{sec}</a>' for pg, sec in zip(t.page, t.section)])
    show(display.verdicts(part, caption=f"Claims of {papers[key].authors}, “{papers[key].title}”, and their "
                                        "verdicts (each section links to its page)"))
