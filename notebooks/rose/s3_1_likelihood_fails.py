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

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from oodlib import claims, data, evaluate, paper, plots, profiles, results, units, zoo
from oodlib.scores import NLL

P = profiles.get_profile(profile)
IN_DISTS = ["fmnist", "cifar10"]
display(profiles.compare(profile, profiles.BASE_FIELDS + ("glow_epochs", "glow_arch", "glow_n_id", "glow_n_ood",
                                                  "glow_overall_each")))
missing = [d for d in sorted({s for d in IN_DISTS for s in paper.rose_ood_sets(d)}) if not data.is_available(d, "test")]
print("OOD sets of ROSE Table 2 missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The VAEs and Glows come from `oodlib.zoo` (trained once per profile and cached; the `cpu` weights are
# committed). Glow keeps App. B.2's number of scales and steps; the profile may narrow its coupling networks.

# %%
vaes = {d: zoo.trained_vae(d, profile, seed) for d in IN_DISTS}
glows = {d: zoo.trained_glow(d, profile, seed) for d in IN_DISTS}
for d, m in vaes.items():
    print(f"{d}: VAE n={m.config.n}, latent={m.config.latent}, "
          f"{sum(p.numel() for p in m.parameters()) / 1e6:.2f} M parameters, cache key {m.cache_key}")
for d, m in glows.items():
    c = m.config
    print(f"{d}: Glow {c.levels} scales × {c.steps} steps, hidden {c.hidden}, "
          f"{sum(p.numel() for p in m.parameters()) / 1e6:.2f} M parameters, cache key {m.cache_key}")

# %% [markdown]
# ## Scoring: the NLL on each in-distribution test set and every OOD set we have
# The VAE's NLL is the IWAE estimate; Glow's is exact, with the dequantisation noise replaced by the bins'
# midpoints so that it is deterministic. Glow is scored on the paper's Glow subset sizes (App. B).

# %%
MODELS = {"VAE": vaes, "Glow": glows}
evals = {"VAE": {d: evaluate.benchmark(NLL(k=P.iwae_k, seed=seed).fit(vaes[d]), d, paper.rose_ood_sets(d),
                                       n_id=P.n_id_test, n_ood=P.n_ood, seed=seed,
                                       overall_members=paper.rose_overall_members(d), overall_each=P.n_overall_each)
                 for d in IN_DISTS},
         "Glow": {d: evaluate.benchmark(NLL(seed=seed).fit(glows[d]), d, paper.rose_ood_sets(d),
                                        n_id=P.glow_n_id, n_ood=P.glow_n_ood, seed=seed,
                                        overall_members=paper.rose_overall_members(d), overall_each=P.glow_overall_each)
                  for d in IN_DISTS}}

tables = []
for model, by_dist in evals.items():
    for d, ev in by_dist.items():
        common = dict(paper_name="rose", section="§3.1", model=model, in_dist=d, profile=profile, seed=seed)
        to_bpd = lambda s, m=MODELS[model][d]: units.bits_per_dim(s, m.num_dims)  # noqa: E731
        tables += [results.rows(ev.table, table="Table 2", **common),
                   results.rows(ev.mean_rows("bpd_mean", to_bpd), table="Fig 1", **common)]
table = pd.concat(tables, ignore_index=True)

# %% [markdown]
# ## Table 2, NLL column — paper vs ours (AUROC)
# Every set of the paper's rows and of its "overall" mix that is on this machine; missing sets are listed above.
# The paper has NLL numbers for the VAE only.

# %%
auroc = table[(table.table == "Table 2") & (table.metric == "AUROC")]
display(results.paper_vs_ours(auroc, index=("in_dist", "ood"), columns=("model",)).round(3))

# %% [markdown]
# Mean NLL in bits/dim per set (no paper numbers: the paper shows these only as histograms).

# %%
bpd_table = table[table.metric == "bpd_mean"].pivot(index="ood", columns=["model", "in_dist"], values="value")
display(bpd_table.round(3))

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
    x = data.load(d, "test", n=P.glow_n_id, seed=seed, channels=glows[d].config.channels).x
    glow_bpd[d] = {"ours, one noise sample": glows[d].bits_per_dim(x, noise=True, seed=seed),
                   "ours, midpoints": glows[d].bits_per_dim(x),
                   "Schirrmeister Table S1 (from scratch)": paper.value("hierarchy", "Table S1", "Glow", d, "", "", "bpd",
                                                                        variant="Retr")}
display(pd.DataFrame(glow_bpd).T.round(3))
bpd_rows = pd.DataFrame([{"ood": d, "method": "NLL", "metric": f"bpd_test ({how})", "value": v[f"ours, {how}"]}
                         for d, v in glow_bpd.items() for how in ("one noise sample", "midpoints")])
table = pd.concat([table] + [results.rows(bpd_rows[bpd_rows.ood == d], paper_name="rose", section="§3.1",
                                          table="Glow bits/dim", model="Glow", in_dist=d, profile=profile, seed=seed)
                             for d in IN_DISTS], ignore_index=True)
print("numbers written to", results.save(table, "rose_s3_1_likelihood_fails").name)

# %% [markdown]
# ## Fig. 1 — NLL histograms
# (a, c) Fashion-MNIST vs MNIST. (b, d) The paper shows CIFAR-10 vs SVHN. Where SVHN is missing (see the
# setting above) we show CIFAR-10 against every available set for which the paper reports the failure (its
# VAE NLL AUROC < 0.5; it has no Glow numbers); whether our models fail on each of them too is in the table
# above.

# %%
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
# show CelebA and MNIST instead.

# %%
recon_sets = {"fmnist": ["fmnist", "mnist"],
              "cifar10": ["cifar10", "svhn" if "svhn" not in missing else "celeba", "mnist"]}
for model, models in MODELS.items():
    for d, names in recon_sets.items():
        rows, worst = {}, 0
        for name in names:
            x = data.load(name, "test", n=10, seed=seed, channels=models[d].config.channels).x
            rows[name] = x
            rows[f"{name} → recon."] = models[d].reconstruct(x)
            worst = max(worst, int((rows[f"{name} → recon."].int() - x.int()).abs().max()))
        fig = plots.image_grid(rows)
        fig.suptitle(f"{model} trained on {d} (largest pixel error: {worst} of 255)")
        plt.show()

# %% [markdown]
# ## Verdict
# Computed from the results table above by the rules in `oodlib.claims` (reproduced: every cell holds;
# partly: some do; not tested: the data is missing here).

# %%
verdicts = claims.claims_table(table, missing=missing, page="rose/s3_1_likelihood_fails")
with pd.option_context("display.max_colwidth", None):
    display(verdicts)

# %% [markdown]
# **What differs from the paper.** The setting table above gives the sizes we ran at next to the paper's
# (at the `cpu` profile: far fewer training epochs and smaller random subsets; the paper scores 5,000 images
# per set for the VAE and 1,000 for Glow; our Glows have narrower coupling networks and a per-scale N(0, I)
# prior instead of Glow's learned split prior). The sets listed as missing in the setting cell could not be tested; for CIFAR-10 the other rows
# of Table 2 test the same phenomenon. The "overall" mix holds the paper's number of images from each
# *available* member set only. Omniglot keeps the original polarity (black strokes on white), as the
# dataset and torchvision ship it; the paper does not say which it used.

# %%
for model, each in (("VAE", P.n_overall_each), ("Glow", P.glow_overall_each)):
    for d, ev in evals[model].items():
        members = [m for m in paper.rose_overall_members(d) if m in ev.ood_scores]
        print(f"{model} {d}: 'overall' = {each} images each of {', '.join(members)}; "
              f"missing: {', '.join(ev.missing) or 'none'}")
