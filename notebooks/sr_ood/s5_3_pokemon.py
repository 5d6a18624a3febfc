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
# # SR-OOD §V-C — Pokemon as in-distribution (Table III)
#
# 809 Pokemon images, "more than 800 classes", against SVHN, CIFAR-10 and CIFAR-100. The paper compares with two
# classifier-based scores only, MSP and MaxLogit ("due to the training convergence problem of generative-based
# methods"). The claims: **every SR-OOD variant beats MSP and MaxLogit, and SR-OOD_SR separates CIFAR-10 almost
# perfectly (AUROC 0.993).**

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# **Data.** The 809 images (32×32 here) are cut by a seeded draw into training, validation and test parts (setting
# table). **The classifier** of MSP and MaxLogit: the paper does not say what it classifies; ours is a small ResNet
# trained on the training part to predict each Pokemon's primary type (18 types, from the dataset's labels) — with
# 500 images its accuracy is low (shown below), which is the honest setting for a classifier here. The repairers
# and T\* are as on the CIFAR-10 page.

# %% tags=["hide-input"]
from oodlib import display, plots
from oodlib.chapters import sr_ood
from oodlib.evaluate import classifier_accuracy
from oodlib.page import Page

page = Page("sr_ood/s5_3_pokemon", profile, seed)
page.setting(sr_ood.POKEMON_FIELDS, ["pokemon"])
images = sr_ood.parts(page, "pokemon")
sets, missing = sr_ood.ood_sets(page, "pokemon", images["test"])
display.note(f"Pokemon parts: {len(images['train'])} training, {len(images['validation'])} validation and "
             f"{len(images['test'])} test images. OOD sets scored: {', '.join(sets)}. Missing here: "
             f"{', '.join(missing)}.")

# %%
repairers = sr_ood.trained_repairers(page, "pokemon")
chosen, selection = sr_ood.choose_erosions(page, repairers, images["validation"])
display.show(selection.pivot_table(index="erosion", columns="method", values="proxy AUROC", sort=False),
             "Validation AUROC of each erosion: Pokemon validation images vs. their tile-shuffled copies (ours)")
baselines = sr_ood.pokemon_baselines(page)
display.note(f"The type classifier's accuracy on the Pokemon test part: "
             f"{classifier_accuracy(baselines['MSP'].model, images['test']):.3f} (18 types; always guessing the commonest "
             f"type scores {images['train'].y.bincount().max().item() / len(images['train']):.3f} on the training part).")

# %% [markdown]
# ## Table III — AUROC on Pokemon

# %%
scorers = {**baselines, **sr_ood.sr_ood_scorers(repairers, chosen)}
evs = sr_ood.evaluate_all(scorers, images["test"], sets)
versus = [(sr_ood.SR, m) for m in ("MSP", "MaxLogit")]
table = sr_ood.result_rows(page, evs, section="§V-C", table="Table III", in_dist="pokemon", versus=versus)
display.paper_vs_ours(table[table.metric == "AUROC"], "Table III — AUROC, ours (paper's)", rows=("method",),
                      columns=("ood",))

# %%
display.show(display.differences(table, "SR-OOD_SR's AUROC minus MSP's and MaxLogit's, paired over the same test "
                                 "images (ours)"))

# %% [markdown]
# ## Repairs (beyond the paper's figures)

# %% tags=["remove-input"]
plots.image_grid(sr_ood.repair_strips(scorers[sr_ood.SR], {"pokemon": images["test"], **sets}), ncols=8)

# %% [markdown]
# ## Verdict

# %%
page.save(table)
page.verdicts(table, missing=missing)

# %% [markdown]
# **What differs from the paper.** 500 training images and a small encoder–decoder; the classifier's task (primary
# type) is our choice, the paper names none. The test part holds only the images the other two parts leave (setting
# table), so each AUROC rests on few in-distribution images; the paired intervals say how few. SVHN is missing.
