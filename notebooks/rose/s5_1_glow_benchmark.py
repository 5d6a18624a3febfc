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
# # ROSE §5.1 — ROSE against its baselines on Glow (Table 2 right, Tables 4–5 right)
#
# Choi et al. repeat the §5.1 comparison on a second kind of generative model, the flow Glow (App. B.2).
# Likelihood Regret needs an encoder and is left out; the paper also leaves the plain NLL out of Table 2
# "due to its relatively poor performance" (we show it anyway, beside the others). Their claims: **ROSE on
# Glow has the highest "overall" AUROC** (0.885 for Fashion-MNIST; 0.932 for CIFAR-10, tied with IC(png)),
# and **ROSE never falls below chance**, while on Fashion-MNIST every other method does on some OOD set.
# ROSE is computed on Glow's invertible 1×1 convolutions ("InvConv" layers) with the diagonal
# preconditioner; App. C.3 compares it with all convolutions.
#
# Scores are "higher = more OOD"; AUROC treats OOD as positive. AUPRC and FPR80 follow the paper:
# in-distribution is the positive class (FPR80: lower is better).

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %%
import pandas as pd
from IPython.display import display

from oodlib import claims, data, evaluate, lineup, paper, profiles, results, zoo

P = profiles.get_profile(profile)
IN_DISTS = ["fmnist", "cifar10"]
METRIC_TABLES = {"AUROC": "Table 2", "AUPRC": "Table 4", "FPR80": "Table 5"}
display(profiles.compare(profile, profiles.GLOW_FIELDS))
missing = [d for d in sorted({s for d in IN_DISTS for s in paper.rose_ood_sets(d)}) if not data.is_available(d, "test")]
print("OOD sets of ROSE Table 2 missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The Glow of §3.1 and, for LRatio, a background Glow of the same architecture trained on perturbed images
# (each sub-pixel replaced by a uniform random value with probability μ, and an L2 weight λ; App. B.3:
# μ = 0.3, λ = 0.01 for Fashion-MNIST; μ = 0.2, λ = 5e-5 for CIFAR-10). App. B.3 does not say how λ
# enters; we use it as the optimiser's weight decay. Both come from `oodlib.zoo`; at the `cpu` profile the
# background Glows train for fewer epochs than the main ones (printed below).

# %%
glows = {d: zoo.trained_glow(d, profile, seed) for d in IN_DISTS}
backgrounds = {d: zoo.trained_background_glow(d, profile, seed) for d in IN_DISTS}
for d in IN_DISTS:
    cfg, bg = glows[d].config, zoo.BACKGROUND_GLOW[d]
    print(f"{d}: Glow {cfg.levels} scales × {cfg.steps} steps, hidden {cfg.hidden} ({glows[d].cache_key}, "
          f"{zoo.glow_recipe(d, profile)[2].epochs} epochs); background Glow {backgrounds[d].cache_key} "
          f"({zoo.background_glow_recipe(d, profile)[2].epochs} epochs; μ = {bg['mu']}, λ = {bg['l2']})")

# %% [markdown]
# ## Scoring every method on the same images
# ROSE uses `n_fisher` training images for the diagonal Fisher of the InvConv layers. NLL, LRatio and IC
# share one exact log-likelihood per image (midpoint dequantisation, so scores are deterministic).

# %%
evals, tables = {}, []
for d in IN_DISTS:
    channels = data.info(d).channels
    id_train = data.load(d, "train", channels=channels)
    id_test = data.load(d, "test", n=P.glow_n_id, seed=seed, channels=channels)
    sets, _ = evaluate.load_ood_sets(paper.rose_ood_sets(d), P.glow_n_ood, seed, channels)
    methods = lineup.glow_methods(glows[d], backgrounds[d], id_train, profile, seed)
    evals[d] = {m: evaluate.evaluate(scorer, id_test, sets, method=m, metric_names=tuple(METRIC_TABLES),
                                     overall_members=paper.rose_overall_members(d), overall_each=P.glow_overall_each)
                for m, scorer in methods.items()}
    for ev in evals[d].values():
        for metric, tab in METRIC_TABLES.items():
            tables.append(results.rows(ev.table[ev.table.metric == metric], paper_name="rose", section="§5.1",
                                       table=tab, model="Glow", in_dist=d, profile=profile, seed=seed))
table = pd.concat(tables, ignore_index=True)
print("numbers written to", results.save(table, "rose_s5_1_glow_benchmark").name)

# %% [markdown]
# ## Table 2 (Glow half) — AUROC, paper vs ours

# %%
def show(tab):
    for d in IN_DISTS:
        print(f"In-distribution: {d}")
        t = table[(table.table == tab) & (table.in_dist == d)]
        display(results.paper_vs_ours(t, index=("ood",), columns=("method",)).round(3))


show("Table 2")

# %% [markdown]
# ## Table 4 — AUPRC (in-distribution positive), paper vs ours
# The paper scores 1,000 images of each set for Glow (App. B); the setting table gives our sizes. AUPRC
# depends on the share of positives: against one OOD set we have as many ID as OOD images, as the paper,
# but our "overall" mix holds 1,000 images of each available member (8 sets) against 1,000 ID images, which
# lowers an ID-positive AUPRC a lot. The paper's "overall" AUPRCs (0.847, 0.915 for ROSE) suggest a mix of
# about the ID set's size; the paper does not say.

# %%
show("Table 4")

# %% [markdown]
# ## Table 5 — FPR at 80% TPR (in-distribution positive; lower is better), paper vs ours

# %%
show("Table 5")

# %% [markdown]
# ## Verdict
# Computed from the results table above by the rules in `oodlib.claims`.

# %%
verdicts = claims.claims_table(table, missing=missing, page="rose/s5_1_glow_benchmark")
with pd.option_context("display.max_colwidth", None):
    display(verdicts)

# %% [markdown]
# **What differs from the paper.** The Glows keep App. B.2's depth (2 scales × 16 steps for Fashion-MNIST,
# 3 × 8 for CIFAR-10) but, at the `cpu` profile, have narrower coupling networks and far fewer epochs than
# the paper's 50 (see the setting table), so they are less well fitted (their bits/dim are on the §3.1 page);
# the background Glows get fewer epochs still, which may handicap LRatio. We train at a constant learning
# rate (the Glow code ROSE used warms it up over 5 epochs, which App. B.2 does not mention) and use λ as
# weight decay.
# Each scale has its own unconditional N(0, I) prior (as in Schirrmeister et al.) rather than Glow's learned,
# conditional split prior; the dequantisation noise is replaced by the bins' midpoints at test time, so every
# score is deterministic, and the Fisher and the test images go through the same preprocessing (the authors'
# code omits the −0.5 shift on its test images; REFERENCE_NOTES). IC uses Pillow's PNG (level 9) and lossless
# JPEG 2000 encoders, counted in bits against −log₂ p(x) in bits. Sets missing on this machine are absent from
# the rows and from the "overall" mix:

# %%
for d in IN_DISTS:
    members = paper.rose_overall_members(d)
    print(f"{d}: 'overall' = {P.glow_overall_each} images each of {', '.join(m for m in members if m not in missing)}; "
          f"missing: {', '.join(m for m in members if m in missing) or 'none'}")
