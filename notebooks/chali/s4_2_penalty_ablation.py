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
# # Approximate mass §4.2 — removing the penalty (Table 1)
#
# Chali et al. train the same RealNVP twice: by maximum likelihood ("vanilla") and with the approximate-mass
# penalty of Eq. 2 (α = 2), and score OOD data with the approximate mass ‖∂ log p(x)/∂x‖ (Eq. 1) of each.
# The claims: **the penalised model "systematically performs better than [its] vanilla counterpart"**
# (Table 1: Fashion-MNIST → MNIST 0.977 → 0.994; CIFAR-10 → SVHN 0.0008 → 0.969), and the vanilla
# CIFAR-10 model ranks ID above OOD ("almost always perfectly wrong").
#
# AUROC on equal numbers of ID and OOD test images (§4.3), higher score = more OOD.

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %% tags=["hide-input"]
import pandas as pd

from oodlib import data, display, evaluate, paper
from oodlib.chapters import chali
from oodlib.models import parameter_count
from oodlib.page import Page
from oodlib.scores import NLL, ApproximateMass

page = Page("chali/s4_2_penalty_ablation", profile, seed)
P = page.sizes
IN_DISTS = ["fmnist", "cifar10"]
RUNS = {"vanilla": "realnvp", "approx_mass": "realnvp-penalised"}      # method label → model kind (α = 0; α = 2)
page.setting(chali.CHALI_FIELDS, IN_DISTS)
OOD = {d: chali.chali_ood(chali.CHALI_TABLE1_OOD[d], data.is_available) for d in IN_DISTS}
missing = page.missing(chali.CHALI_TABLE1_OOD.values())
display.show(pd.DataFrame({d: {"OOD set (Table 1's)": f"{OOD[d][0]} ({chali.CHALI_TABLE1_OOD[d]})",
                               "RealNVP parameters (paper)": f"{parameter_count(page.model('realnvp', d, progress=False)):,} "
                                                             f"({chali.CHALI_PAPER_SIZE[d]})"} for d in IN_DISTS}),
             "The OOD sets and the models")
for d, (name, note) in OOD.items():
    if note:
        display.note(note)

# %% [markdown]
# ## Vanilla and penalised RealNVP, scored with the approximate mass (and, for context, the likelihood)
#
# Each model scores the same test images. Besides each AUROC, the page records penalised − vanilla with a 95%
# paired bootstrap interval over those images (`evaluate.paired_difference_rows`): the claim that one model
# beats the other is judged on it.

# %%
tables, mass = [], {}
for d in IN_DISTS:
    ood = OOD[d][0]
    for label, kind in RUNS.items():
        flow = page.model(kind, d)
        for scorer, method in ((ApproximateMass(), label), (NLL(), f"NLL/{label}")):
            ev = evaluate.benchmark(scorer.fit(flow), d, [ood], n_id=P.chali_n_test, n_ood=P.chali_n_test,
                                    seed=page.seed, method=method, balanced=True, size=flow.config.image_size,
                                    progress=False)
            mass[d, method] = ev
            tables.append(page.rows(ev.table, section="§4.2", table="Table 1", model="RealNVP", in_dist=d))
    gap = evaluate.paired_difference_rows(mass[d, "approx_mass"], mass[d, "vanilla"], seed=page.seed)
    tables.append(page.rows(gap, section="§4.2", table="Table 1", model="RealNVP", in_dist=d))
table = pd.concat(tables, ignore_index=True)
page.save(table)

# %% [markdown]
# ## Table 1 — approximate-mass AUROC
#
# Each cell is ours, with the paper's number for the same set in brackets. Table 1 has no GTSRB row, so the
# stand-in's cells name the paper's number for the set it stands in for instead ("svhn: 0.969"): a different
# set, shown for orientation, not compared. The NLL columns are ours only (the paper has none).

# %% tags=["remove-input"]
display.paper_vs_ours(table[table.metric == "AUROC"], rows=("in_dist", "ood"), columns=("method",),
                      caption="Table 1 — AUROC per image, ours (paper); higher score = more OOD")

# %% [markdown]
# ## Is the gap larger than the test images' sampling noise?
#
# Penalised minus vanilla approximate-mass AUROC on the same test images, with its 95% paired bootstrap interval.
# An interval that contains 0 means these test images cannot tell the two models apart. It does not measure how
# much a second training run would differ.

# %% tags=["remove-input"]
display.differences(table, caption="Table 1 — penalised − vanilla approximate-mass AUROC, with its 95% paired interval "
                                  "(ours)")

# %% [markdown]
# ## The reference code's protocol: one score per batch of 32 images
#
# The paper does not say whether its AUROCs score images or batches. Its public code
# (chsamy/ood_detection_approximate_mass) scores batches. `ood_density_detection.py` writes one approximate
# mass per test batch (32 images by default), the mean of the batch's per-image norms. `experiment3.py` then
# computes the AUROC over those batch values. A mean of 32 scores varies about √32 times less than one score
# does, so the same model separates batches far better than images. (The script also never switches its model
# to evaluation mode, and builds the s/t networks with batch norm, so each image is scored with its batch's own
# statistics. Our flows have no batch norm, so that part is not replayed here.)
#
# The table scores our models both ways: per image, as everywhere in this book, and per random batch
# (`oodlib.metrics.batch_mean_auroc`, the mean over 20 random splits into batches). The verdicts use the
# per-image AUROC only.

# %% tags=["remove-input"]
BATCHES = [b for b in (1, 8, 32) if 2 * b <= P.chali_n_test]       # at least two batches a side
by_batch = pd.concat([mass[d, m].batch_auroc_rows(batch_sizes=BATCHES).assign(in_dist=d)
                      for d in IN_DISTS for m in RUNS])
by_batch = by_batch.pivot_table(index=["in_dist", "ood", "method"], columns="scored", values="value", sort=False)
gain = by_batch.xs("approx_mass", level="method") - by_batch.xs("vanilla", level="method")
by_batch["paper (its set)"] = [f"{paper.value('approx_mass', 'Table 1', 'RealNVP', d, chali.CHALI_TABLE1_OOD[d], m, 'AUROC'):.4g}"
                               f" ({chali.CHALI_TABLE1_OOD[d]})" for d, _, m in by_batch.index]
display.show(by_batch, "Table 1 — approximate-mass AUROC per image and per random batch (ours), and the paper's")
display.show(gain, "Table 1 — penalised − vanilla, by batch size (the claim is that it is positive)")

# %% [markdown]
# ## The same comparison at the paper's architecture, on a GPU
#
# `scripts/chali_device_run.py` trained CIFAR-10 RealNVPs on an H200 (the runs, their sizes and their
# epochs are read from its files in `book/device/`): the paper's 3 scales × 6 blocks, and the cpu page's
# architecture for more epochs, both on more training images than the cpu profile (summary table). The device
# session was short, so these are far from the paper's 200 epochs; vanilla and penalised are compared after
# the same number of epochs, per image.

# %% tags=["remove-input"]
device = chali.device_runs()
display.show(device.summary, "GPU runs of scripts/chali_device_run.py (CIFAR-10)", index=False)
display.show(device.table1(OOD["cifar10"][0]), f"Table 1 at the GPU runs' epochs — AUROC on {OOD['cifar10'][0]}, ours")

# %% [markdown]
# ## Verdict

# %%
page.verdicts(table, missing)

# %% [markdown]
# **What differs from the paper.** The models are far smaller and shorter-trained than §4.2's (the
# parameter counts in the table under the setting, instead of ≈10M and ≈60M; a few epochs on part of the
# training set instead of 200). SVHN is not on these machines; CIFAR-10's row uses the stand-in named above.
# Training follows the paper where it speaks (Adam, Eq. 2 with α = 2, the reference code's gradient clipping);
# the rest is ours and listed in `oodlib.chapters.chali.realnvp_recipe`. Scores are per image and no threshold is
# tuned on OOD data. The reference code scores batch means and so, perhaps, does the paper: the section on
# batches above shows what that changes, Table 1's ordering included.
