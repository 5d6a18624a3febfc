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
# # SR-OOD §VI-A — which distance between an image and its repair (Table IV)
#
# SR-OOD_SR on CIFAR-10 scored with three distances between x and R(T\*(x)): L2, LPIPS, and L2 + LPIPS. The claim:
# **LPIPS detects best on three of the four columns, L2 worst on all; adding L2 to LPIPS does not help much** —
# "because it reflects the perceptual similarity between images better than pixel-wise distance measures".

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# The CIFAR-10 page's SR-OOD_SR repairer, its T\* and its test images. L2 is the mean squared error per sub-pixel on
# the [−1, 1] scale (Eq. 2, as in training); L2 + LPIPS is λ1·L2 + λ2·LPIPS with the training weights λ1 = 1,
# λ2 = 0.8 (the paper does not give Table IV's weights); LPIPS is v0.1 with ImageNet AlexNet.

# %% tags=["hide-input"]
from oodlib import display
from oodlib.chapters import sr_ood
from oodlib.page import Page

page = Page("sr_ood/s6_1_distances", profile, seed)
page.setting(sr_ood.REPAIR_FIELDS, ["cifar10"])
images = sr_ood.parts(page, "cifar10")
sets, missing = sr_ood.ood_sets(page, "cifar10", images["test"])
display.note(f"OOD sets scored: {', '.join(sets)} (stand-ins, as on the CIFAR-10 page). Missing here: "
             f"{', '.join(missing)}.")

# %% [markdown]
# ## Table IV — AUROC of SR-OOD_SR by distance

# %%
repairers = sr_ood.trained_repairers(page, "cifar10")
chosen, _ = sr_ood.choose_erosions(page, repairers, images["validation"])
sr = {sr_ood.SR: repairers[sr_ood.SR]}
scorers = {f"{sr_ood.SR}/{name}": sr_ood.sr_ood_scorers(sr, chosen, distance)[sr_ood.SR]
           for distance, name in sr_ood.DISTANCE_NAMES.items()}
evs = sr_ood.evaluate_all(scorers, images["test"], sets)
lpips, l2, both = (f"{sr_ood.SR}/{n}" for n in ("LPIPS", "L2", "L2+LPIPS"))
table = sr_ood.result_rows(page, evs, section="§VI-A", table="Table IV", in_dist="cifar10",
                           versus=[(lpips, l2), (lpips, both)])
display.paper_vs_ours(table[table.metric == "AUROC"], f"Table IV — AUROC of {sr_ood.SR} (T* {chosen[sr_ood.SR].label}) "
                      "by distance, ours (paper's)", rows=("ood",), columns=("method",), stand_ins=sr_ood.SHOWN_FOR,
                      paper_models=sr_ood.PAPER_MODELS)

# %%
display.show(display.differences(table, "LPIPS's AUROC minus L2's and L2 + LPIPS's, paired over the same test images "
                                 "(ours)"))

# %% [markdown]
# ## Verdict

# %%
page.save(table)
page.verdicts(table, missing=missing)

# %% [markdown]
# **What differs from the paper.** As on the CIFAR-10 page: our repairer, our erosions and T\*'s proxy, and two of
# the four columns, on a stand-in and a part. The weights of Table IV's L2 + LPIPS are not given; ours are the
# training loss's.
