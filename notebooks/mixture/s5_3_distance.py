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
# # Mixture priors §5.3 — the distance between the two components (Fig. 6; Figs. 14–15)
#
# The same VAE and Glow on Fashion-MNIST labels 1 and 7, with two-component priors at means [±d/2, 0, …] and a
# sweep of distances d, for two kinds of component: Gaussian, and the lighter-tailed generalized Gaussian of Eq. 3
# (β = 4, α = √(Γ(1/β)/Γ(3/β)), variance 1). The claims: **MNIST's likelihood falls as the components move apart,
# for both kinds, but the generalized-Gaussian mixture lowers it at much smaller distances (Fig. 6); the test
# data's likelihood is "relatively unaffected" by the distance (App. F.1, Figs. 14–15)**.

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# The paper draws Fig. 6's distances without listing them; ours are in the setting table (they include §5.3's
# 100 for Glow and 150 for the VAE). "Lowers the likelihood even with much smaller distances" needs a mark; ours is
# the **distance factor**: the largest swept distance D over d*, the smallest swept distance at which the
# generalized mixture rates MNIST at most as likely as the Gaussian mixture does at D (0 where none does). The claim
# holds at a factor of 2 or more. A first mark, fixed before the sweep ran (the distance at which MNIST's likelihood
# is halfway down from the unimodal model's to the sweep's lowest), proved degenerate on the sweep: the generalized
# mixture's lowest values (far components with light tails give far images astronomically low densities) put the
# halfway point out of the Gaussian mixture's reach at any distance, so it could only say "never". We replaced it
# after seeing the sweep and say so here; the per-distance reading under the tables needs no mark at all. For
# Figs. 14–15 the book compares how far the test data's mean NLL moves across the sweep with how far MNIST's does
# (max − min); the claim holds below one half.

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd
import torch

from oodlib import display, plots, prior_effects
from oodlib.chapters import mixture
from oodlib.page import Page
from oodlib.priors import PriorConfig

page = Page("mixture/s5_3_distance", profile, seed)
P = page.sizes
page.setting(mixture.DISTANCE_FIELDS, ["fmnist"])
ARCHS = {"VAE": "prior-vae", "Glow": "prior-glow"}

# %% [markdown]
# ## Fig. 3 — a Gaussian and a generalized-Gaussian component
#
# Both have variance 1; the generalized Gaussian (β = 4) has the lighter tails, so two of them overlap less at the
# same distance.

# %% tags=["remove-input"]
z = torch.linspace(-4, 4, 401)[:, None]
fig, ax = plt.subplots(figsize=(5, 2.8))
for label, prior in (("standard Gaussian", PriorConfig("normal")), ("generalized Gaussian, β = 4",
                                                                     PriorConfig("generalized", k=1, layout="line"))):
    ax.plot(z[:, 0], prior.build(1).log_prob(z).exp(), label=label)
ax.set_xlabel("z")
ax.set_ylabel("density")
ax.set_title("Fig. 3 — one component of each kind (ours)")
ax.legend(fontsize=7)

# %% [markdown]
# ## The sweep, scored
#
# Per architecture: the unimodal model of §5.3 and one model per kind and distance; the NLL as on §5.3's page.

# %%
mnist = mixture.test_images(page, "mnist")
own = mixture.test_images(page, "fmnist", labels=(1, 7))
priors = mixture.sweep_priors(page)
specs = ["uni|1,7", *mixture.distance_specs(page.sizes)]
evs, parts = {}, []
for arch, kind in ARCHS.items():
    models = mixture.trained_models(page, kind, "fmnist", specs, label=mixture.sweep_label)
    evs[arch] = prior_effects.score_models(models, {label: own for label in models}, {"mnist": mnist},
                                           k=P.prior_vae_is_k, seed=page.seed)
    curve = prior_effects.distance_curve(evs[arch], priors, "mnist")
    factor = prior_effects.distance_factor_rows(curve).assign(ood="mnist")
    spread = prior_effects.spread_ratio_rows(evs[arch], priors, "mnist")
    parts.append(page.rows(pd.concat([prior_effects.nll_rows(evs[arch]), factor, spread]), section="§5.3",
                           table="Fig 6", model=arch, in_dist="fmnist"))
table = pd.concat(parts, ignore_index=True)

# %% [markdown]
# ## Fig. 6 — mean log-likelihood against the distance

# %% tags=["remove-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for ax, arch in zip(axes, ARCHS):
    for ood, style in (("mnist", "-o"), (None, "--s")):
        curve = prior_effects.distance_curve(evs[arch], priors, ood)
        for kind, g in curve.groupby("kind", sort=False):
            ax.plot(g.distance, g.value, style, label=f"{'MNIST' if ood else 'Fashion-MNIST test'}, {kind}")
    ax.axhline(-evs[arch]["uni"].ood_scores["mnist"].mean(), color="grey", lw=0.8, label="MNIST, uni")
    ax.set_yscale("symlog", linthresh=1000)        # the generalized mixture's far values would flatten the rest
    ax.set_ylim(top=0)
    ax.set_xlabel("distance d between the two components")
    ax.set_ylabel("mean log-likelihood (nats per image; symlog)")
    ax.set_title(f"Fig. 6 — {arch} (ours)")
    ax.legend(fontsize=7)
fig.tight_layout()

# %%
nll = table[(table.metric == prior_effects.NLL_METRIC)]
display.show(nll.pivot_table(index="method", columns=["model", "ood"], values="value", sort=False),
             "Fig. 6 — mean NLL (nats per image) of MNIST and of the test data, per prior (ours)", digits=1)
display.show(table[table.metric == prior_effects.DISTANCE_FACTOR].pivot_table(index="method", columns="model",
                                                                              values="value", sort=False),
             "Fig. 6 — distance factor: the largest swept distance ÷ the smallest at which the generalized mixture "
             "rates MNIST at most as likely as the Gaussian one there (ours; 0: none)", digits=2)
for arch in ARCHS:
    display.note(prior_effects.sweep_summary(prior_effects.distance_curve(evs[arch], priors, "mnist"), arch))

# %% [markdown]
# ## Figs. 14 and 15 — the histograms behind Fig. 6
#
# Log-likelihoods of MNIST (Fig. 14) and of the Fashion-MNIST test images (Fig. 15), one curve per distance; then
# how far the test data's mean moves across the sweep relative to MNIST's.

# %% tags=["remove-input"]
for figure, ood in (("Fig. 14", "mnist"), ("Fig. 15", None)):
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.8))
    for row, arch in enumerate(ARCHS):
        for col, kind in enumerate(("gaussian", "generalized")):
            sets = {f"d = {p.distance:g}": -(evs[arch][label].ood_scores["mnist"] if ood else evs[arch][label].id_scores)
                    for label, p in priors.items() if p.kind == kind}
            plots.overlaid_histograms(sets, "log-likelihood (nats per image)", ax=axes[row, col],
                                      title=f"{figure} — {arch}, {kind}, {'MNIST' if ood else 'test data'} (ours)")
    fig.tight_layout()

# %%
display.show(table[table.metric == prior_effects.SPREAD_RATIO].pivot_table(index="method", columns="model",
                                                                           values="value", sort=False),
             "Figs. 14–15 — spread of the test data's mean NLL over the sweep ÷ MNIST's (ours; below 1: steadier)")

# %% [markdown]
# ## Beyond the paper: detection across the sweep
#
# The AUROC of the NLL, MNIST vs the Fashion-MNIST test images, for each prior:

# %%
display.show(table[table.metric == "AUROC"].pivot_table(index="method", columns="model", values="value", sort=False),
             "AUROC of the NLL, MNIST vs Fashion-MNIST test (1, 7), per prior (ours)")

# %% [markdown]
# ## Verdict

# %%
page.save(table)
page.verdicts(table)

# %% [markdown]
# **What differs from the paper.** The distances of Fig. 6 are not listed in the paper; ours are a grid of five.
# The distance factor is the book's mark for "much smaller distances" (the paper reads it off its plot), chosen
# after a first mark proved degenerate (see Setting). Models are smaller and
# shorter-trained than App. B's (setting table), as on §5.3's page.
