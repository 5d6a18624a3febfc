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
# # Approximate mass §3.1 — the approximate mass reverses during training (Figs. 1–2)
#
# Chali et al. train a RealNVP on CIFAR-10 by maximum likelihood and, after every epoch, look at the
# approximate mass ‖∂ log p(x)/∂x‖ (Eq. 1) of CIFAR-10 and SVHN test images. The claims: **at first the
# approximate mass behaves as expected** (higher for OOD than for ID data), but **after several epochs the
# trend reverses** and ID data get the higher values (Fig. 1, epochs 60 and 100 of 200). Fig. 2 shows the
# log-likelihood of both sets at the same epochs. This motivates the penalty of §3.2.
#
# We record the same two scores after every epoch, as histograms and as AUROC (higher score = more OOD,
# equal ID and OOD counts; AUROC < 0.5 = the ranking is reversed).

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import data, display, plots
from oodlib.chapters import chali
from oodlib.page import Page

page = Page("chali/s3_1_mass_reverses", profile, seed)
P = page.sizes
ID = "cifar10"
page.setting(chali.CHALI_FIELDS, [ID])
ood, note = chali.chali_ood(chali.CHALI_TABLE1_OOD[ID], data.is_available)
missing = page.missing([chali.CHALI_TABLE1_OOD[ID]])
display.note(f"OOD set: {ood}." + (f" {note}" if note else ""))

# %% [markdown]
# ## The vanilla RealNVP after every epoch

# %%
snapshots = chali.realnvp_snapshots(page, ID, alpha=0.0)
sets = {ID: data.load(ID, "test", n=P.chali_n_test, seed=page.seed), ood: data.load(ood, "test", n=P.chali_n_test, seed=page.seed)}
trace = chali.score_snapshots(snapshots, sets)
display.show(trace.metric_table(ID), f"Figs. 1–2 — AUROC of each score after each epoch, CIFAR-10 vs {ood} (ours)")

# %% [markdown]
# ## Figs. 1–2 — histograms after the first and the last epoch

# %% tags=["remove-input"]
first, last = int(trace.epochs[0]), int(trace.epochs[-1])
fig, axes = plt.subplots(2, 2, figsize=(9, 5.5))
for col, epoch in enumerate((first, last)):
    mass = trace.at(epoch, "approx_mass")
    plots.score_histograms(ID, mass[ID], {ood: mass[ood]}, "approximate mass ‖∂ log p/∂x‖", ax=axes[0, col],
                           title=f"Fig. 1 — CIFAR-10 vs {ood}, epoch {epoch}")
    nll = trace.at(epoch, "NLL")
    plots.score_histograms(ID, -nll[ID], {ood: -nll[ood]}, "log-likelihood (nats)", ax=axes[1, col],
                           title=f"Fig. 2 — CIFAR-10 vs {ood}, epoch {epoch}")
fig.tight_layout()

# %%
table = pd.concat([page.rows(trace.metric_rows(ID, epoch), section="§3.1", table=f"Fig 1 ({label} epoch)",
                             model="RealNVP", in_dist=ID) for label, epoch in (("first", first), ("last", last))],
                  ignore_index=True)
page.save(table)

# %% [markdown]
# ## The same record on a GPU, at more epochs and at the paper's architecture
#
# AUROC after every epoch of the vanilla (α = 0) and penalised (α = 2) runs of `scripts/chali_device_run.py`
# (CIFAR-10 on 23,000 training images; setting below), against each OOD set it scored.

# %% tags=["remove-input"]
device = chali.device_runs()
display.show(device.summary, "GPU runs of scripts/chali_device_run.py (CIFAR-10)", index=False)
for (arch, alpha), run in sorted(device.runs.items()):
    display.show(run.metric_table(ID), f"Figs. 1–2 on the GPU — {arch} architecture, α = {alpha:g}: AUROC after "
                                       "each epoch (ours)")

# %% [markdown]
# The verdicts below use this page's own runs, not these. In short: the approximate mass's AUROC after the
# first and the last recorded epoch of each GPU run, per stand-in set. A set ranked the wrong way from the first
# epoch (AUROC < 0.5) is not the reversal §3.1 describes, which starts right and turns.

# %% tags=["remove-input"]
ends = []
for (arch, alpha), run in sorted(device.runs.items()):
    t = run.metric_table(ID)["approx_mass"]
    for ood in t.columns:
        first, last = t[ood].iloc[0], t[ood].iloc[-1]
        reading = ("one epoch only" if len(t) == 1 else "wrong way from the first epoch" if first < 0.5
                   else "turns below 0.5" if last < 0.5 else "falls" if last < first else "rises")
        ends.append({"architecture": arch, "α": f"{alpha:g}", "ood": ood, "epochs": f"{t.index[0]}–{t.index[-1]}",
                     "first": round(first, 3), "last": round(last, 3), "reading": reading})
display.show(pd.DataFrame(ends), "GPU runs — approximate-mass AUROC after the first and the last epoch (ours)",
             index=False)

# %% tags=["remove-input"]
run = device.runs[("cpu", 0.0)]
e0, e1 = int(run.epochs[0]), int(run.epochs[-1])
fig, axes = plt.subplots(1, 2, figsize=(9, 2.8))
for ax, epoch in zip(axes, (e0, e1)):
    mass = run.at(epoch, "approx_mass")
    plots.score_histograms(ID, mass[ID], {k: v for k, v in mass.items() if k != ID}, "approximate mass", ax=ax,
                           title=f"Fig. 1 on the GPU — vanilla, epoch {epoch}")
fig.tight_layout()

# %% [markdown]
# ## Verdict

# %%
page.verdicts(table, missing)

# %% [markdown]
# **What differs from the paper.** The paper's run lasts 200 epochs on all of CIFAR-10 with the 3 × 6-block
# RealNVP, and the reversal shows at epochs 60 and 100. Ours last a few epochs (setting tables), so they can
# only show the beginning of the curve: whether the approximate-mass AUROC starts above 0.5 and how it moves.
# The reversal itself is therefore *not tested* at this profile (the verdict says so); the GPU runs above reach
# 8 epochs at most.
# SVHN is not on these machines (stand-in above). The reference code plots one value per *batch* (the mean
# of the batch's gradient norms); we show one value per image.
#
# **Its weights.** The per-epoch snapshots this page scores are committed (half precision, under `checkpoints/`),
# so that re-executing the page gives the same numbers. They come from a second training run of the recipe of the
# vanilla CIFAR-10 RealNVP that §4.2 and §4.3 load (the first run's snapshots were never committed). The two runs,
# same recipe and seed on the same kind of machine, did not end with the same weights: training here repeats
# bitwise at a fixed number of CPU threads (tested; retraining a committed one-class RealNVP on one thread gives
# its committed weights exactly), but another thread count sums in another order, and the committed models were
# trained on one thread each. So this run's last epoch is a sibling of the committed model, not the same one, and
# its numbers differ from §4.2's.
# Retraining moved this page's AUROCs by up to three hundredths from its previous executed copy: a measure of
# how much training noise alone moves them at this scale. The verdicts did not change.
