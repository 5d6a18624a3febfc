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
# # Mixture priors §5.4 — more labels and harder data (Figs. 8, 9; Figs. 13, 18)
#
# Two harder settings. **Four Fashion-MNIST labels (0, 1, 7, 8), four components** — for the VAE on four axes
# (150 · e_i), for Glow on a line ([200 i, 0, …], i = 0…3), because "placing modes on differing dimensions does not
# work on Glow". **CIFAR-10 labels 0 and 4**, each reduced to one of four k-means clusters (App. E), two components
# ([±100, 0, …] for the VAE, [±200, 0, …] for Glow), tested against SVHN. The claims: **in both, the mixture prior
# assigns the OOD set a lower likelihood than the standard Gaussian (Figs. 8 and 9), though on CIFAR-10 "this effect
# is limited on Glow"**, and SVHN's latents sit near the in-distribution ones (Fig. 18).

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# As on §5.3's pages (setting table). CIFAR-10's k-means: k-means++ from scikit-learn on each label's training images
# (pixels in [0, 1]); the paper keeps "the cluster corresponding to the second rows" of its Fig. 13 without a reason,
# ours keeps each label's most homogeneous cluster (lowest mean per-pixel variance), chosen on the training images
# alone. The in-distribution test images are all of CIFAR-10's test images of labels 0 and 4 (the paper does not say
# whether it clustered its test images). No random shifts during training (the paper's CIFAR-10 augmentation).

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import clusters, display, latents, plots, prior_effects
from oodlib.chapters import mixture
from oodlib.evaluate import load_ood_sets
from oodlib.page import Page

page = Page("mixture/s5_4_complex", profile, seed)
P = page.sizes
page.setting(mixture.COMPLEX_FIELDS, ["fmnist", "cifar10"])
ARCHS = {"VAE": "prior-vae", "Glow": "prior-glow"}
missing = page.missing(["svhn"])
cifar_ood, _ = load_ood_sets(mixture.cifar_ood_names(), P.prior_n_test, page.seed, channels=3)
display.note(f"OOD sets for CIFAR-10 here: {', '.join(cifar_ood)}." + (
    f" Missing here: {', '.join(missing)}, the paper's OOD set; the sets above stand in for it (chosen before "
    "any model was scored)." if missing else ""))

# %% [markdown]
# ## Fig. 8 — four labels, four components

# %%
mnist = mixture.test_images(page, "mnist")
evs, parts = {"fmnist": {}, "cifar10": {}}, []
for arch, kind in ARCHS.items():
    specs = mixture.FOUR_MODE_SPECS[kind]
    models = mixture.trained_models(page, kind, "fmnist", specs)
    evs["fmnist"][arch] = ev = prior_effects.score_models(models, mixture.own_test_images(page, specs),
                                                          {"mnist": mnist}, k=P.prior_vae_is_k, seed=page.seed)
    uni, multi = ev
    parts.append(page.rows(pd.concat([prior_effects.nll_rows(ev),
                                      prior_effects.paired_nll_differences(ev, multi, [uni], "mnist", page.seed)]),
                           section="§5.4", table="Fig 8", model=arch, in_dist="fmnist"))

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 2, figsize=(9, 5.5))
for row, arch in enumerate(ARCHS):
    for col, (label, ev) in enumerate(evs["fmnist"][arch].items()):
        plots.score_histograms("Fashion-MNIST test (0, 1, 7, 8)", -ev.id_scores, {"MNIST": -ev.ood_scores["mnist"]},
                               "log-likelihood (nats per image)", ax=axes[row, col],
                               title=f"Fig. 8 — {arch}, {label} (ours)")
fig.tight_layout()

# %% [markdown]
# ## Fig. 13 — CIFAR-10's k-means clusters
#
# Each label's training images in four clusters: eight images of each cluster (the kept one marked), and the
# per-pixel variance of each cluster's images beside that of the whole label.

# %% tags=["remove-input"]
train, found = mixture.cifar_clusters(page)
grid = {}
for label, (idx, cluster_of, kept) in found.items():
    for c in sorted(set(cluster_of.tolist())):
        members = idx[cluster_of == c]
        grid[f"label {label}, cluster {c}{' (kept)' if c == kept else ''}, {len(members)}"] = train.x[members[:8]]
fig = plots.image_grid(grid, ncols=8)
fig, axes = plt.subplots(1, len(found), figsize=(10, 3))
for ax, (label, (idx, cluster_of, kept)) in zip(axes, found.items()):
    ax.hist(clusters.pixel_variance(train.x[idx]), bins=50, histtype="step", color="black", label="whole label")
    for c in sorted(set(cluster_of.tolist())):
        ax.hist(clusters.pixel_variance(train.x[idx[cluster_of == c]]), bins=50, histtype="step",
                label=f"cluster {c}{' (kept)' if c == kept else ''}")
    ax.set_xlabel("per-pixel variance")
    ax.set_title(f"Fig. 13 — CIFAR-10 label {label} (ours)")
    ax.legend(fontsize=7)
fig.tight_layout()

# %% [markdown]
# ## Fig. 9 — CIFAR-10 (labels 0 and 4, one cluster each)

# %%
cifar_test = mixture.test_images(page, "cifar10", labels=(0, 4), in_dist="cifar10")
cifar_models = {}
for arch, kind in ARCHS.items():
    specs = mixture.CIFAR_SPECS[kind]
    cifar_models[arch] = models = mixture.trained_models(page, kind, "cifar10", specs)
    evs["cifar10"][arch] = ev = prior_effects.score_models(models, {label: cifar_test for label in models}, cifar_ood,
                                                           k=P.prior_vae_is_k, seed=page.seed)
    uni, multi = ev
    diffs = [prior_effects.paired_nll_differences(ev, multi, [uni], o, page.seed) for o in cifar_ood]
    parts.append(page.rows(pd.concat([prior_effects.nll_rows(ev), *diffs]), section="§5.4", table="Fig 9",
                           model=arch, in_dist="cifar10"))
table = pd.concat(parts, ignore_index=True)

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 2, figsize=(9, 5.5))
for row, arch in enumerate(ARCHS):
    for col, (label, ev) in enumerate(evs["cifar10"][arch].items()):
        plots.score_histograms("CIFAR-10 test (0, 4)", -ev.id_scores, {o: -s for o, s in ev.ood_scores.items()},
                               "log-likelihood (nats per image)", ax=axes[row, col],
                               title=f"Fig. 9 — {arch}, {label} (ours)")
fig.tight_layout()

# %% [markdown]
# ## Figs. 8 and 9 in numbers
#
# Mean NLL (nats per image) of each set, the mixture model's minus the standard Gaussian's (paired over the same
# images), and the AUROC of the NLL (beyond the paper, which reports likelihoods only).

# %%
for name in ("Fig 8", "Fig 9"):
    part = table[table.table == name]
    for metric, what, digits in ((prior_effects.NLL_METRIC, "mean NLL (nats per image)", 1),
                                 ("AUROC", "AUROC of the NLL", 3)):
        display.show(part[part.metric == metric].pivot_table(index="ood", columns=["model", "method"], values="value",
                                                             sort=False),
                     f"{name.replace('Fig', 'Fig.')} — {what} (ours)", digits=digits)
    display.show(display.differences(part, f"{name.replace('Fig', 'Fig.')} — the mixture model's mean NLL minus the "
                                     "standard Gaussian's (nats per image, paired; ours)", rows=("model", "ood", "method"),
                                     metric=prior_effects.NLL_METRIC, digits=1))

# %% [markdown]
# ## Fig. 18 — CIFAR-10's bimodal models in latent space
#
# The first latent coordinate (along which the components sit) of the test images and of each OOD set.

# %% tags=["remove-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, arch in zip(axes, ARCHS):
    label, model = list(cifar_models[arch].items())[-1]          # the bimodal model
    plots.score_histograms("CIFAR-10 test (0, 4)", latents.latent_codes(model, cifar_test.x)[:, 0],
                           {o: latents.latent_codes(model, s.x)[:, 0] for o, s in cifar_ood.items()},
                           "latent coordinate 0", ax=ax, title=f"Fig. 18 — {arch}, {label} (ours)")
fig.tight_layout()

# %% [markdown]
# ## Verdict

# %%
page.save(table)
page.verdicts(table, missing=missing)

# %% [markdown]
# **What differs from the paper.** Where SVHN is missing (said at the top), the sets named there stand in for it,
# and Fig. 9's verdict is on them, not on SVHN. Two statements of §5.4 are shown here but not judged: that the
# effect "is limited on Glow" (the paper gives no measure of how limited), and that SVHN's latents sit near the
# in-distribution ones (Fig. 18). The kept k-means cluster is chosen by a rule of ours (most homogeneous), not the
# paper's unexplained pick; CIFAR-10 is trained without random shifts; models are smaller and shorter-trained
# than App. B's (setting table).
