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
# # ROSE §3.1 — Likelihood fails: a VAE and a Glow find some OOD images *more* likely
#
# Choi et al. (ROSE, §3.1) start from the failure that motivates the whole paper: a VAE trained on
# Fashion-MNIST gives MNIST digits a *lower* negative log-likelihood (NLL) than its own test images,
# and a VAE trained on CIFAR-10 does the same for SVHN (Fig. 1a, b); so does the flow Glow (Fig. 1c, d).
# Table 2's NLL column puts a number on it for the VAE: the AUROC of the NLL as an OOD score is 0.161 for
# Fashion-MNIST → MNIST and 0.081 for CIFAR-10 → SVHN, far below chance (the paper gives no NLL numbers for
# Glow, only the histograms). Appendix F (Fig. 8, 9) adds that both models reconstruct such outliers well.
# This page re-runs those pieces on the ROSE VAE (App. B.1; NLL estimated by importance weighting, IWAE
# with k samples, as in the paper) and the ROSE Glow (App. B.2; exact likelihood).
#
# AUROC here treats OOD as positive and a higher NLL as "more OOD", so **AUROC < 0.5 means the model
# prefers the outliers**.

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import data, display, evaluate, paper, plots, units
from oodlib.chapters import rose
from oodlib.page import Page
from oodlib.scores import NLL

page = Page("rose/s3_1_likelihood_fails", profile, seed)
P = page.sizes
IN_DISTS = ["fmnist", "cifar10"]
page.setting(rose.BASE_FIELDS + ("glow_epochs", "glow_arch", "glow_n_id", "glow_n_ood", "glow_overall_each"),
             IN_DISTS)
missing = page.missing(s for d in IN_DISTS for s in rose.rose_ood_sets(d))
print("OOD sets of ROSE Table 2 missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The VAEs and Glows come from `oodlib.chapters.rose` (trained once per profile and cached; the `cpu` weights are
# committed). Glow keeps App. B.2's number of scales and steps; the profile may narrow its coupling networks.

# %%
vaes = {d: page.model("vae", d) for d in IN_DISTS}
glows = {d: page.model("glow", d) for d in IN_DISTS}

# %% tags=["remove-input"]
def size(m):
    return f"{sum(p.numel() for p in m.parameters()) / 1e6:.2f} M"


display.show(pd.DataFrame({d: {"VAE": f"n={vaes[d].config.n}, latent={vaes[d].config.latent}",
                               "VAE parameters": size(vaes[d]), "VAE cache key": vaes[d].cache_key,
                               "Glow": f"{glows[d].config.levels} scales × {glows[d].config.steps} steps, "
                                       f"hidden {glows[d].config.hidden}",
                               "Glow parameters": size(glows[d]), "Glow cache key": glows[d].cache_key}
                           for d in IN_DISTS}), "The models (ours)")

# %% [markdown]
# ## Scoring: the NLL on each in-distribution test set and every OOD set we have
# The VAE's NLL is the IWAE estimate; Glow's is exact, with the dequantisation noise replaced by the bins'
# midpoints so that it is deterministic. Glow is scored on the paper's Glow subset sizes (App. B).

# %%
MODELS = {"VAE": vaes, "Glow": glows}
evals = {"VAE": {d: evaluate.benchmark(NLL(k=P.iwae_k, seed=page.seed).fit(vaes[d]), d, rose.rose_ood_sets(d),
                                       n_id=P.n_id_test, n_ood=P.n_ood, seed=page.seed,
                                       overall_members=rose.rose_overall_members(d), overall_each=P.n_overall_each)
                 for d in IN_DISTS},
         "Glow": {d: evaluate.benchmark(NLL(seed=page.seed).fit(glows[d]), d, rose.rose_ood_sets(d),
                                        n_id=P.glow_n_id, n_ood=P.glow_n_ood, seed=page.seed,
                                        overall_members=rose.rose_overall_members(d), overall_each=P.glow_overall_each)
                  for d in IN_DISTS}}

tables = []
for model, by_dist in evals.items():
    for d, ev in by_dist.items():
        to_bpd = lambda s, m=MODELS[model][d]: units.bits_per_dim(s, m.num_dims)
        tables += [page.rows(ev.table, section="§3.1", table="Table 2", model=model, in_dist=d),
                   page.rows(ev.mean_rows("bpd_mean", to_bpd), section="§3.1", table="Fig 1", model=model, in_dist=d)]
table = pd.concat(tables, ignore_index=True)

# %% [markdown]
# ## Table 2, NLL column — AUROC
# Every set of the paper's rows and of its "overall" mix that is on this machine; missing sets are listed above.
# Each cell is ours, with the paper's number in brackets. The paper has NLL numbers for the VAE only, so the
# Glow cells have "—" in brackets, as do the sets of the "overall" mix that have no row of their own in Table 2.

# %% tags=["remove-input"]
auroc = table[(table.table == "Table 2") & (table.metric == "AUROC")]
for d in IN_DISTS:
    display.show(display.paper_vs_ours(auroc[auroc.in_dist == d], rows=("ood",), columns=("model",),
                                       caption=f"Table 2, NLL column — {data.info(d).title}, AUROC, ours (paper)"))

# %% [markdown]
# Mean NLL in bits/dim per set (no paper numbers: the paper shows these only as histograms).

# %% tags=["remove-input"]
bpd_table = table[table.metric == "bpd_mean"].pivot(index="ood", columns=["model", "in_dist"], values="value")
display.show(bpd_table, "Fig. 1 — mean NLL in bits/dim per set, by model and in-distribution set (ours)")

# %% [markdown]
# ### How well fitted is our Glow? Test bits/dim beside published Glows
# ROSE does not report its Glows' bits/dim. Schirrmeister et al. (Table S1) trained a much larger Glow of the
# same family (3 scales × 32 steps, per-scale priors) on CIFAR-10 from scratch for 250 epochs with data
# augmentation ("Retr"), reporting bits/dim with one dequantisation-noise sample per image; Kingma & Dhariwal
# report 3.35 for CIFAR-10. Ours is far smaller and far shorter trained (setting table), so expect a gap.
# No paper of the five gives a Fashion-MNIST Glow's bits/dim. We give ours both ways: with one noise sample
# (comparable with Table S1) and at the bins' midpoints (what the scores above use).

# %%
glow_bpd = {}
for d in IN_DISTS:
    x = data.load(d, "test", n=P.glow_n_id, seed=page.seed, channels=glows[d].config.channels).x
    glow_bpd[d] = {"ours, one noise sample": glows[d].bits_per_dim(x, noise=True, seed=page.seed),
                   "ours, midpoints": glows[d].bits_per_dim(x)}
bpd_rows = pd.DataFrame([{"ood": d, "method": "NLL", "metric": f"bpd_test ({how})", "value": v[f"ours, {how}"]}
                         for d, v in glow_bpd.items() for how in ("one noise sample", "midpoints")])
table = pd.concat([table] + [page.rows(bpd_rows[bpd_rows.ood == d], section="§3.1", table="Glow bits/dim",
                                       model="Glow", in_dist=d) for d in IN_DISTS], ignore_index=True)
page.save(table)

# %% tags=["remove-input"]
S1 = "Schirrmeister et al. Table S1 (quoted; Glow from scratch, one noise sample)"
bpd_view = pd.DataFrame({d: {**v, S1: paper.value("hierarchy", "Table S1", "Glow", d, "", "", "bpd", variant="Retr")}
                         for d, v in glow_bpd.items()}).T
display.show(bpd_view, "Glow test bits/dim: ours, and the published Glow of Schirrmeister et al. (quoted, not ours; "
                       "no Fashion-MNIST number)")

# %% [markdown]
# ## Fig. 1 — NLL histograms
# (a, c) Fashion-MNIST vs MNIST. (b, d) The paper shows CIFAR-10 vs SVHN. Where SVHN is missing (see the
# setting above) we show CIFAR-10 against every available set for which the paper reports the failure (its
# VAE NLL AUROC < 0.5; it has no Glow numbers). Not all of them show it for our models. At the `cpu` profile
# our CIFAR-10 VAE and Glow both rank CelebA *above* chance (the paper's VAE: 0.428, itself close to chance),
# and our VAE ranks the constant images about at chance. So CelebA, the only natural photographs among these
# sets and SVHN's replacement in the reconstructions below, does not show the failure that SVHN shows in the
# paper (0.081). Our CIFAR-10 models do fail, far below chance, on MNIST, Fashion-MNIST and notMNIST. The
# CIFAR-10 table above gives every set's AUROC.

# %% tags=["remove-input"]
def fails_in_paper(d, o):
    v = paper.value("rose", "Table 2", "VAE", d, o, "NLL", "AUROC")
    return v is not None and v < 0.5

fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
for ax, (model, d), label in zip(axes.flat, [(m, d) for m in MODELS for d in IN_DISTS], "abcd"):
    ev, dims = evals[model][d], MODELS[model][d].num_dims
    shown = {o: units.bits_per_dim(s, dims) for o, s in ev.ood_scores.items() if fails_in_paper(d, o)}
    plots.score_histograms(d, units.bits_per_dim(ev.id_scores, dims), shown, "NLL (bits/dim)",
                           ax=ax, title=f"({label}) {model} trained on {d}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## App. F.2–F.3 (Fig. 8, 9) — reconstructions
# Top of each pair: test images; below: the model's reconstruction. The VAE's is the decoder's most likely
# value at the posterior mean. Glow's is decode(encode(x)): a flow is invertible, so it reconstructs *every*
# input exactly (up to floating point), outliers included; for Glow, Fig. 9 shows a property of the
# architecture rather than of what it learned. The paper's CIFAR-10 outliers are SVHN; where SVHN is missing we
# show CelebA and MNIST instead (CelebA is not an outlier our models find more likely, as the section above
# says; MNIST is).

# %% tags=["remove-input"]
recon_sets = {"fmnist": ["fmnist", "mnist"],
              "cifar10": ["cifar10", "svhn" if "svhn" not in missing else "celeba", "mnist"]}
for model, models in MODELS.items():
    for d, names in recon_sets.items():
        rows, worst = {}, 0
        for name in names:
            x = data.load(name, "test", n=10, seed=page.seed, channels=models[d].config.channels).x
            rows[name] = x
            rows[f"{name} → recon."] = models[d].reconstruct(x)
            worst = max(worst, int((rows[f"{name} → recon."].int() - x.int()).abs().max()))
        fig = plots.image_grid(rows)
        fig.suptitle(f"{model} trained on {d} (largest pixel error: {worst} of 255)")
        plt.show()

# %% [markdown]
# ## Verdict
# Computed from the results table above by the rules in `oodlib.claims`, in the verdict words defined on the
# landing page.

# %%
page.verdicts(table, missing)

# %% [markdown]
# **What differs from the paper.** The setting table above gives the sizes we ran at next to the paper's (at the
# `cpu` profile: far fewer training epochs and smaller random subsets; the paper scores 5,000 images per set for
# the VAE and 1,000 for Glow; our Glows have narrower coupling networks and a per-scale N(0, I) prior instead of
# Glow's learned split prior). The sets listed as missing in the setting cell could not be tested; for CIFAR-10
# the other rows of Table 2 test the same phenomenon. The "overall" mix holds the paper's number of images from
# each *available* member set only (the table below). Omniglot keeps the original polarity (black strokes on
# white), as the dataset and torchvision ship it; the paper does not say which it used.

# %% tags=["remove-input"]
display.show(pd.DataFrame([{"model": model, "in-distribution": d, "images of each member set": each,
                            "members": ", ".join(m for m in rose.rose_overall_members(d) if m in ev.ood_scores),
                            "missing here": ", ".join(ev.missing) or "none"}
                           for model, each in (("VAE", P.n_overall_each), ("Glow", P.glow_overall_each))
                           for d, ev in evals[model].items()]), "The 'overall' OOD mix (ours)", index=False)
