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
# # ROSE §3.1 — Likelihood fails: a VAE finds some OOD images *more* likely
#
# Choi et al. (ROSE, §3.1) start from the failure that motivates the whole paper: a VAE trained on
# Fashion-MNIST gives MNIST digits a *lower* negative log-likelihood (NLL) than its own test images,
# and a VAE trained on CIFAR-10 does the same for SVHN (Fig. 1a, b). Table 2's NLL column puts a
# number on it: the AUROC of the NLL as an OOD score is 0.161 for Fashion-MNIST → MNIST and 0.081 for
# CIFAR-10 → SVHN, far below chance. Appendix F.2 (Fig. 8) adds that the VAE reconstructs such outliers
# well. This page re-runs those three pieces on the ROSE VAE (App. B.1), NLL estimated by importance
# weighting (IWAE, k samples) as in the paper. Glow's half of Fig. 1 is on the flows page.
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
display(profiles.compare(profile))
missing = [d for d in sorted({s for d in IN_DISTS for s in paper.rose_ood_sets(d)}) if not data.is_available(d, "test")]
print("OOD sets of ROSE Table 2 missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The VAEs come from `oodlib.zoo` (trained once per profile and cached; the `cpu` weights are committed).

# %%
vaes = {d: zoo.trained_vae(d, profile, seed) for d in IN_DISTS}
for d, m in vaes.items():
    print(f"{d}: VAE n={m.config.n}, latent={m.config.latent}, "
          f"{sum(p.numel() for p in m.parameters()) / 1e6:.2f} M parameters, cache key {m.cache_key}")

# %% [markdown]
# ## Scoring: IWAE NLL on each in-distribution test set and every OOD set we have

# %%
evals = {d: evaluate.benchmark(NLL(k=P.iwae_k, seed=seed).fit(vaes[d]), d, paper.rose_ood_sets(d),
                               n_id=P.n_id_test, n_ood=P.n_ood, seed=seed,
                               overall_members=paper.rose_overall_members(d), overall_each=P.n_overall_each)
         for d in IN_DISTS}

tables = []
for d, ev in evals.items():
    common = dict(paper_name="rose", section="§3.1", model="VAE", in_dist=d, profile=profile, seed=seed)
    to_bpd = lambda s, d=d: units.bits_per_dim(s, vaes[d].num_dims)  # noqa: E731
    tables += [results.rows(ev.table, table="Table 2", **common),
               results.rows(ev.mean_rows("bpd_mean", to_bpd), table="Fig 1", **common)]
table = pd.concat(tables, ignore_index=True)
print("numbers written to", results.save(table, "rose_s3_1_likelihood_fails").name)

# %% [markdown]
# ## Table 2, NLL column — paper vs ours (AUROC)
# Every set of the paper's rows and of its "overall" mix that is on this machine; missing sets are listed above.

# %%
auroc = table[(table.table == "Table 2") & (table.metric == "AUROC")]
display(results.paper_vs_ours(auroc, index=("in_dist", "ood"), columns=("method",)).round(3))

# %% [markdown]
# Mean NLL in bits/dim per set (no paper numbers: the paper shows these only as histograms).

# %%
bpd_table = table[table.metric == "bpd_mean"].pivot(index="ood", columns="in_dist", values="value")
display(bpd_table.round(3))

# %% [markdown]
# ## Fig. 1 (a, b) — NLL histograms
# (a) Fashion-MNIST vs MNIST. (b) The paper shows CIFAR-10 vs SVHN. Where SVHN is missing (see the setting
# above) we show CIFAR-10 against every available set for which the paper reports the failure (its NLL
# AUROC < 0.5); whether our model fails on each of them too is in the table above.

# %%
def fails_in_paper(d, o):
    v = paper.value("rose", "Table 2", "VAE", d, o, "NLL", "AUROC")
    return v is not None and v < 0.5

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, d, label in zip(axes, IN_DISTS, "ab"):
    ev = evals[d]
    shown = {o: units.bits_per_dim(s, vaes[d].num_dims) for o, s in ev.ood_scores.items() if fails_in_paper(d, o)}
    plots.score_histograms(d, units.bits_per_dim(ev.id_scores, vaes[d].num_dims), shown, "NLL (bits/dim)",
                           ax=ax, title=f"({label}) VAE trained on {d}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## App. F.2 (Fig. 8) — reconstructions
# Top of each pair: test images; below: the VAE's reconstruction (most likely value at the posterior mean).
# The paper's CIFAR-10 outliers are SVHN; where SVHN is missing we show CelebA and MNIST instead.

# %%
recon_sets = {"fmnist": ["fmnist", "mnist"],
              "cifar10": ["cifar10", "svhn" if "svhn" not in missing else "celeba", "mnist"]}
for d, names in recon_sets.items():
    rows = {}
    for name in names:
        x = data.load(name, "test", n=10, seed=seed, channels=vaes[d].config.channels).x
        rows[name] = x
        rows[f"{name} → recon."] = vaes[d].reconstruct(x)
    fig = plots.image_grid(rows)
    fig.suptitle(f"VAE trained on {d}")
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
# per set). The sets listed as missing in the setting cell could not be tested; for CIFAR-10 the other rows
# of Table 2 test the same phenomenon. The "overall" mix holds the paper's number of images from each
# *available* member set only. Omniglot keeps the original polarity (black strokes on white), as the
# dataset and torchvision ship it; the paper does not say which it used.

# %%
for d, ev in evals.items():
    members = [m for m in paper.rose_overall_members(d) if m in ev.ood_scores]
    print(f"{d}: 'overall' = {P.n_overall_each} images each of {', '.join(members)}; "
          f"missing: {', '.join(ev.missing) or 'none'}")
