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
# # ROSE §5.1 — ROSE against its baselines on the VAE (Table 2 left, Tables 4–5 left, Fig. 3)
#
# Choi et al. compare ROSE with four other OOD scores on the same VAE (App. B.1): Likelihood Regret
# (LR(E), Xiao et al.: re-fit the encoder to each test image, score the likelihood gained), the
# Likelihood Ratio (LRatio, Ren et al.: the model's likelihood over a background model's, trained on
# perturbed images), Input Complexity (IC, Serrà et al.: likelihood in bits minus the PNG or JPEG 2000
# code length) and the plain NLL. Their claims: **ROSE has the best AUROC on the "overall" mix** of all
# OOD sets, and **never falls below chance**, where the likelihood-based scores do (Table 2). Tables 4
# and 5 repeat the comparison in AUPRC and FPR80, and Fig. 3 shows the ROC curves of NLL and ROSE.
#
# Scores are "higher = more OOD"; AUROC treats OOD as positive. AUPRC and FPR80 follow the paper:
# in-distribution is the positive class (FPR80: lower is better).

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import data, display, evaluate, lineup, paper, plots, profiles, zoo
from oodlib.page import Page

page = Page(profile, seed)
P = page.profile
IN_DISTS = ["fmnist", "cifar10"]
METRIC_TABLES = {"AUROC": "Table 2", "AUPRC": "Table 4", "FPR80": "Table 5"}
SAME = "Table 2 (LR(E) images)"        # every method on the images LR(E) scored
page.setting(profiles.BENCH_FIELDS + ("lr_steps", "lr_n_id", "lr_n_ood"), IN_DISTS)
missing = page.missing(s for d in IN_DISTS for s in paper.rose_ood_sets(d))
print("OOD sets of ROSE Table 2 missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The VAE of §3.1 and, for LRatio, a background VAE of the same architecture trained on perturbed
# images (each sub-pixel replaced by a uniform random value with probability μ; μ = 0.3 for
# Fashion-MNIST, 0.2 for CIFAR-10, L2 weight λ = 0, as in App. B.3), with the same recipe unless the
# profile shortens it (the table below). Both come from `oodlib.zoo`.

# %%
vaes = {d: zoo.trained_vae(d, profile, seed) for d in IN_DISTS}
backgrounds = {d: zoo.trained_background_vae(d, profile, seed) for d in IN_DISTS}

# %% tags=["remove-input"]
display.show(pd.DataFrame({d: {"VAE (cache key)": vaes[d].cache_key,
                               "VAE epochs": zoo.vae_recipe(d, profile)[2].epochs,
                               "background VAE (cache key)": backgrounds[d].cache_key,
                               "background VAE epochs": zoo.background_vae_recipe(d, profile)[2].epochs,
                               "background μ": zoo.BACKGROUND_VAE[d]["mu"],
                               "background λ": zoo.BACKGROUND_VAE[d]["l2"]} for d in IN_DISTS}),
             "The models (ours)", digits=1)

# %% [markdown]
# ## Scoring every method on the same images
# ROSE uses the encoder's conv layers and `n_fisher` training images, with the **diagonal** preconditioner
# (App. B.1 names both DIAG and EKFAC). The paper's Table 2 ROSE values for Fashion-MNIST are closer to its
# Table 6 *EKFAC* column than to the DIAG one (the paper's own numbers, side by side, in the table below), so
# the paper numbers beside our ROSE are most likely EKFAC's; the App. C.2 page runs both preconditioners on the
# same images. NLL, LRatio and IC share one IWAE estimate per image.
# Likelihood Regret optimises the encoder for every image and is ~100× slower than the others, so at
# the `cpu` profile it scores the first `lr_n_id` / `lr_n_ood` images of the same random subsets. Every method
# is also evaluated on those images alone: the like-for-like comparison of the "best overall" claim, judged on
# ROSE − each other method with a 95% paired bootstrap interval over those images
# (`evaluate.paired_difference_rows`).

# %% tags=["remove-input"]
quoted = {o: {"Table 2, ROSE": paper.value("rose", "Table 2", "VAE", "fmnist", o, "ROSE", "AUROC"),
              **{f"Table 6, ROSE/{v}": paper.value("rose", "Table 6", "VAE", "fmnist", o, "ROSE", "AUROC", v)
                 for v in ("EKFAC", "DIAG")}}
          for o in paper.rose_ood_sets("fmnist") + ["overall"]}
quoted = pd.DataFrame(quoted).T.dropna(how="any")
display.show(quoted, "The paper's numbers (quoted, not ours): Fashion-MNIST ROSE AUROC in Table 2 and in "
                     "Table 6's EKFAC and DIAG columns")

# %%
evals, same, tables = {}, {}, []
for d in IN_DISTS:
    channels = data.info(d).channels
    id_train = data.load(d, "train", channels=channels)
    id_test = data.load(d, "test", n=P.bench_n_id, seed=seed, channels=channels)
    sets, _ = evaluate.load_ood_sets(paper.rose_ood_sets(d), P.bench_n_ood, seed, channels)
    methods = lineup.vae_methods(vaes[d], backgrounds[d], id_train, profile, seed)
    evals[d] = {m: evaluate.evaluate(scorer, id_test, sets, method=m, metric_names=tuple(METRIC_TABLES),
                                     overall_members=paper.rose_overall_members(d),
                                     overall_each=P.bench_overall_each, **lineup.subset_sizes(m, profile))
                for m, scorer in methods.items()}
    same[d] = {}
    for m, ev in evals[d].items():
        for metric, tab in METRIC_TABLES.items():
            tables.append(page.rows(ev.table[ev.table.metric == metric], section="§5.1", table=tab, model="VAE",
                                    in_dist=d))
        # every method again on the (smaller) subsets LR(E) scored: the like-for-like "overall" comparison
        same[d][m] = ev.subset(**lineup.subset_sizes("LR(E)", profile), overall_members=paper.rose_overall_members(d),
                               overall_each=P.bench_overall_each)
        tables.append(page.rows(same[d][m].table, section="§5.1", table=SAME, paper_table="Table 2", model="VAE",
                                in_dist=d))
    for m in (m for m in same[d] if m != "ROSE"):
        tables.append(page.rows(evaluate.paired_difference_rows(same[d]["ROSE"], same[d][m], seed=seed),
                                section="§5.1", table=SAME, paper_table="Table 2", model="VAE", in_dist=d))
table = pd.concat(tables, ignore_index=True)
page.save(table)

# %% [markdown]
# ## Table 2 (VAE half) — AUROC
#
# Each cell is ours, with the paper's number in brackets ("—" where the paper has none: it has no CelebA row
# for Fashion-MNIST, and no KMNIST or Omniglot row for CIFAR-10, though both are in its "overall" mix).

# %% tags=["remove-input"]
def metric_table(tab, d, caption):
    """One in-distribution set's rows of results table ``tab`` (its own metric only), "ours (paper)" cells."""
    metric = "AUROC" if tab == SAME else next(m for m, t in METRIC_TABLES.items() if t == tab)
    rows = table[(table.table == tab) & (table.in_dist == d) & (table.metric == metric)]
    return display.paper_vs_ours(rows, rows=("ood",), columns=("method",),
                                 caption=f"{caption} — {data.info(d).title}, {metric}, ours (paper)")


for d in IN_DISTS:
    display.show(metric_table("Table 2", d, "Table 2"))

# %% [markdown]
# The same AUROCs on only the images Likelihood Regret scored (the first `lr_n_id` ID and `lr_n_ood` images
# of each set), so that every method is compared on identical images; the "best overall" verdict uses these,
# and the differences below them.

# %% tags=["remove-input"]
for d in IN_DISTS:
    display.show(metric_table(SAME, d, "Table 2, on the images LR(E) scored"))
display.show(display.differences(table[(table.table == SAME) & (table.ood == "overall")], rows=("in_dist", "method"),
                                 caption="Table 2, on the images LR(E) scored — 'overall' AUROC, ROSE − each other "
                                         "method, with its 95% paired interval (ours)"))

# %% [markdown]
# ## Table 4 — AUPRC (in-distribution positive)
# AUPRC depends on the share of positives: the paper scores 5,000 ID images against 5,000 per OOD set, we
# score the numbers in the setting table (more ID than OOD images at `cpu`), which raises an ID-positive AUPRC.
# Compare the methods with each other more than with the paper's values.

# %% tags=["remove-input"]
for d in IN_DISTS:
    display.show(metric_table("Table 4", d, "Table 4"))

# %% [markdown]
# ## Table 5 — FPR at 80% TPR (in-distribution positive; lower is better)

# %% tags=["remove-input"]
for d in IN_DISTS:
    display.show(metric_table("Table 5", d, "Table 5"))

# %% [markdown]
# ## Fig. 3 — ROC curves of NLL and ROSE
# (a) Fashion-MNIST vs MNIST. (b) The paper uses CIFAR-10 vs SVHN, where its NLL fails badly (AUROC 0.081).
# Where SVHN is missing we use CelebA, another set of natural photographs, but CelebA **does not show that
# failure**: the paper's own NLL AUROC on it is 0.428, only a little below chance, and our VAE's NLL ranks CelebA
# *above* chance at the `cpu` profile (the table under the figure, where each CelebA cell gives the
# paper's SVHN number in brackets). Panel (b) therefore shows no likelihood failure; the sets on which our
# CIFAR-10 VAE's NLL does fail are in Table 2 above (MNIST, Fashion-MNIST, notMNIST, KMNIST and Omniglot, AUROC
# near 0 at `cpu`).

# %% tags=["remove-input"]
fig3 = {"fmnist": "mnist", "cifar10": "svhn" if "svhn" not in missing else "celeba"}
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (d, o), label in zip(axes, fig3.items(), "ab"):
    curves = {m: (evals[d][m].id_scores, evals[d][m].ood_scores[o]) for m in ("NLL", "ROSE")}
    plots.roc_curves(curves, ax=ax, title=f"({label}) VAE on {d}: {d} vs {o}")
plt.tight_layout()
plt.show()
shown = pd.concat([table[(table.table == "Table 2") & (table.in_dist == d) & (table.ood == o)
                         & (table.metric == "AUROC") & table.method.isin(["NLL", "ROSE"])] for d, o in fig3.items()])
display.show(display.paper_vs_ours(shown, rows=("in_dist", "ood"), columns=("method",),
                                   stand_ins={"celeba": "svhn"} if fig3["cifar10"] == "celeba" else {},
                                   caption="Fig. 3 — AUROC of the plotted pairs, ours (paper)"))

# %% [markdown]
# ## Verdict
# Computed from the results table above by the rules in `oodlib.claims`.

# %%
page.verdicts(table, missing)

# %% [markdown]
# **What differs from the paper.** The models are the `cpu` profile's (far fewer epochs than the paper's 100; see
# the setting table; at `cpu` the CIFAR-10 background VAE has half the main VAE's epochs, which may handicap
# LRatio there) and every method is scored on seeded random subsets rather than 5,000 images per set; Likelihood
# Regret on still smaller subsets of the same images, so its AUROCs carry more sampling noise (at `cpu`, with 64
# ID and 32 OOD images, an AUROC near 0.5 has a standard error of about 0.06). Sets missing on this machine
# (listed in the setting) are absent from the rows and from the "overall" mix (the table below). IC uses Pillow's
# PNG (level 9) and lossless JPEG 2000 encoders and counts the whole file, in bits, against −log₂ p(x) in bits
# (several public implementations, e.g. XavierXiao/Likelihood-Regret's and shinypond/ood_detection's, subtract a
# code length in bits from an NLL in nats). Likelihood Regret follows its reference code (encoder copy in eval
# mode, Adam lr 2e-4 with weight decay 5e-5, 100 steps) but uses IWAE with k = 20 as ROSE did, not the reference's
# 1,000.

# %% tags=["remove-input"]
display.show(pd.DataFrame({d: {"images of each member set": P.bench_overall_each,
                               "images of each member set, LR(E) and the like-for-like table":
                                   min(P.bench_overall_each, P.lr_n_ood),
                               "members": ", ".join(m for m in paper.rose_overall_members(d) if m not in missing),
                               "members missing here": ", ".join(m for m in paper.rose_overall_members(d)
                                                                 if m in missing) or "none"}
                           for d in IN_DISTS}), "The 'overall' OOD mix (ours)")
