# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # oodbook
#
# An executable book that replicates five papers on out-of-distribution (OOD) detection with deep
# generative models — ROSE (Choi et al.), the approximate mass (Chali et al.), hierarchies of
# distributions (Schirrmeister et al.), mixture priors (Kamoi & Kobayashi) and SR-OOD (Sun et al.) —
# on top of a thin PyTorch library, `oodlib`. Every number on a page is computed by the code on that
# page and written to a results table (`book/results/*.csv`) beside the paper's own number; every
# claim of a paper gets a verdict computed from those tables.
#
# **How to read a page.** Each page is one section of a paper: the claim and how the paper tested it,
# the setting we ran at (our sizes beside the paper's), a few `oodlib` calls, the table "paper vs ours",
# the figure, and the verdict with what differs from the paper. Scores follow one convention: higher
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
from IPython.display import Markdown, display

from oodlib import book, claims, data, results

pages = pd.DataFrame(book.executed_pages())
pages = pages[pages.page != book.LANDING].assign(
    seed=lambda t: t.seed.astype("Int64"), minutes=lambda t: (t.wall_time_s / 60).round(1),
    executed=lambda t: t.executed_at.str[:10])
display(Markdown("## The committed pages\nThe profile, seed and wall time each page was executed with "
                 f"({pages.machine.dropna().iloc[0] if pages.machine.notna().any() else 'not executed yet'}):"))
display(pages.set_index("page")[["state", "profile", "seed", "minutes", "executed"]])

# %% tags=["remove-input"]
missing = [n for n in data.dataset_names() if not data.is_available(n)]
rows = [{"dataset": n, "title": data.info(n).title} for n in missing]
display(Markdown("## Datasets missing on this machine\nThe papers use these sets; the loader supports them "
                 "(and fetches them with torchvision on a connected machine), but they are not here, so "
                 "the pages say where a number is missing rather than substitute silently:"))
display(pd.DataFrame(rows).set_index("dataset"))

# %% tags=["remove-input"]
display(Markdown("## Claims and verdicts\nGenerated from the results tables by the rules in `oodlib.claims`."))
summary = claims.claims_table(results.load_all(book.RESULTS), missing=missing)
with pd.option_context("display.max_colwidth", None):
    display(summary.set_index(["paper", "section"]))
