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

# %%

# %% [markdown]
# # Hierarchies S8 — the general set's most likely images (Figs. S7–S8)
#
# Which general-distribution images does a CIFAR-10 Glow find most in-distribution? The supplement's answers (Figs.
# S7–S8, 12 images per metric): **without the outlier loss, the raw likelihood picks constant, simple images and
# Diff picks more CIFAR-like ones; with the outlier loss, every metric picks mostly CIFAR-like images.**

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# The paper scores a random 120,000-image subset of Tiny Images; we score our whole general-distribution set (9,104
# images; its make-up is on the [Table S2 page](s7_3_seeds)), which the general Glow was trained on — as the paper's
# subset was drawn from the Tiny Images its general Glow saw. The CIFAR-10 Glows are those of training seed 0, finetuned
# without and with the outlier loss. Two numbers stand in for looking: the mean PNG code length of the 12 images
# (simplicity) and how many come from CIFAR-100, the general set's part closest to CIFAR-10.

# %% tags=["hide-input"]
from oodlib import display, plots
from oodlib.chapters import hierarchy
from oodlib.page import Page

page = Page("hierarchy/s8_qualitative", profile, seed)
page.setting(hierarchy.TABLE_S2_FIELDS, ["cifar10"])

# %% [markdown]
# ## Figs. S7–S8 — the 12 most in-distribution images per metric

# %% tags=["remove-input"]
images, values = hierarchy.top_general_images(page)
plots.image_grid(images, ncols=12);

# %%
table = hierarchy.rows_by_model(page, hierarchy.s8_rows(values), section="§S8", table=hierarchy.S8_TABLES)
display.show(table.pivot_table(index=["model", "method"], columns="metric", values="value", sort=False),
             "The 12 top images of each metric: PNG bits/dim and share from CIFAR-100 (ours)")

# %% [markdown]
# ## Verdict

# %%
page.save(table)
page.verdicts(table)

# %% [markdown]
# **What differs from the paper.** The general set is ours (seven sets, no Tiny Images), the Glows are small; 12
# images make a rough statistic, as they make a rough figure.
