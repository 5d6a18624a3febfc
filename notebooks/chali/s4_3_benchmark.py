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
# # Approximate mass §4.3 — OOD detection against classifier baselines (Figs. 3–4, Table 2)
#
# The penalised RealNVP of §4.2 (Eq. 2, α = 2) scores each OOD set with the approximate mass
# ‖∂ log p(x)/∂x‖ (Eq. 1). The baselines are three classifier-based detectors on a classifier with about as
# many parameters as the flow: Generalized ODIN, Mahalanobis and Energy. The paper trained Energy with OOD
# data (MNIST for Fashion-MNIST, SVHN for CIFAR-10). Ours is trained with outliers too: MNIST's training images
# for Fashion-MNIST and, because SVHN is not on these machines, CIFAR-100's test images for CIFAR-10 (the
# setting below prints what ran). We also show Energy without outliers ("Energy/no outliers"), the fair
# comparison with the unsupervised flow.
# The claims:
# - **The approximate mass separates ID from OOD better than the log-likelihood** (Figs. 3–4).
# - **It is good on every OOD set**: "our penalized training yields good performance on all datasets" (its
#   lowest Table 2 AUROC is 0.968).
# - **Its mean AUROC is the best**: 97.6%, against 62.4% for G-ODIN, 83.8% for Mahalanobis and 84.0% for
#   Energy.
#
# The metrics use equal numbers of ID and OOD images (§4.3): where an OOD set has fewer test images than
# the profile asks for, the ID images are subsampled to its count (`oodlib.metrics`, `balanced=True`). AUPR and
# TNR@95%TPR take in-distribution as the positive class. A higher score means more OOD.

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting
#
# The flow is the penalised RealNVP of the §4.2 page (the same cached model). The classifier is a
# pre-activation ResNet trained on the same images, its width matched to the flow's parameter count
# (`oodlib.chapters.chali.classifier_recipe`). Each detector follows its paper's recipe, except that no
# hyper-parameter is chosen on OOD data (the end of the page lists the other differences).
# - G-ODIN's ε is chosen on held-out in-distribution training images.
# - Mahalanobis uses the class means and shared covariance of the last features, fitted on the
#   labelled training images. Lee et al.'s input pre-processing and feature ensemble are left out, because
#   they are fitted on OOD data.
# - Energy is −logsumexp of the logits.
#
# A detector built on a classifier is only as good as the classifier, so the test accuracy of each is
# printed below. The paper does not give its classifiers' accuracy.

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import data, display, evaluate, plots, results
from oodlib.chapters import chali
from oodlib.models import parameter_count
from oodlib.page import Page
from oodlib.scores import GODIN, NLL, ApproximateMass, Energy, Mahalanobis

page = Page("chali/s4_3_benchmark", profile, seed)
P = page.sizes
IN_DISTS = ["fmnist", "cifar10"]
METRICS = ("AUROC", "AUPR", "TNR@95TPR")
page.setting(chali.CHALI_FIELDS + ("classifier_blocks", "classifier_epochs"), IN_DISTS)
SETS = {d: chali.chali_table2_sets(d, data.is_available) for d in IN_DISTS}
missing = page.missing(o for d in IN_DISTS for o in chali.CHALI_TABLE2_OOD[d])
models = {}
for d in IN_DISTS:
    flow = page.model("realnvp-penalised", d, progress=False)
    clfs = {v: page.model("classifier", d, v, progress=False) for v in chali.CLASSIFIER_VARIANTS}
    test = data.load(d, "test", n=P.chali_n_test, seed=page.seed, size=flow.config.image_size)
    models[d] = {"OOD sets scored here": ", ".join(SETS[d]),
                 "RealNVP parameters (paper)": f"{parameter_count(flow):,} ({chali.CHALI_PAPER_SIZE[d]})",
                 "classifier parameters (width)": f"{parameter_count(clfs['plain']):,} ({clfs['plain'].config.width})",
                 "Energy's training outliers": chali.ENERGY_OUTLIERS[d],
                 **{f"test accuracy, {v} classifier": f"{evaluate.classifier_accuracy(c, test):.1%}"
                    for v, c in clfs.items()}}
display.show(pd.DataFrame(models), "The models and the sets (the paper does not give its classifiers' accuracy)")
print("Table 2 sets missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# **What the classifiers' accuracy limits.** A classifier-based detector is only as good as the classifier under
# it. The baselines' papers build them on classifiers that reach about 95% on CIFAR-10; ours are matched to the
# flow's size and trained for the profile's few epochs, so they reach the accuracies in the table above. The
# CIFAR-10 baseline rows below therefore test G-ODIN, Mahalanobis and Energy on weak classifiers: they say how
# the approximate mass compares with those detectors at the same size and training budget, not how it compares
# with the published detectors. The Fashion-MNIST classifiers are closer to a usable accuracy.

# %% [markdown]
# ## Every detector on the same test images

# %%
tables, scores = [], {}
for d in IN_DISTS:
    flow = page.model("realnvp-penalised", d)
    spec = page.recipe("realnvp", d)[1]
    plain, godin, energy = (page.model("classifier", d, v) for v in chali.CLASSIFIER_VARIANTS)
    detectors = {"approx_mass": ApproximateMass().fit(flow), "NLL": NLL().fit(flow),
                 "G-ODIN": GODIN().fit(godin, chali.held_out_images(spec)),
                 "Mahalanobis": Mahalanobis().fit(plain, spec.load()),
                 "Energy": Energy().fit(energy), "Energy/no outliers": Energy().fit(plain)}
    for method, scorer in detectors.items():
        ev = evaluate.benchmark(scorer, d, SETS[d], n_id=P.chali_n_test, n_ood=P.chali_n_test,
                                seed=page.seed, method=method, metric_names=METRICS, balanced=True,
                                size=flow.config.image_size, progress=False)
        scores[d, method] = ev
        model = "RealNVP" if method in ("approx_mass", "NLL") else "classifier"
        tables.append(page.rows(ev.table, section="§4.3", table="Table 2", model=model, in_dist=d,
                                paper_names=chali.CHALI_PAPER_NAMES))
table = pd.concat(tables, ignore_index=True)
MEANS = "Table 2 (mean over available sets)"
means = results.means_over_sets(table, table_name=MEANS)
# The claims "A beats B" are judged on paired intervals over the test images: the approximate mass against the
# NLL (Figs. 3–4) and, for the mean over every available set, against each baseline the paper compares.
gaps = [page.rows(evaluate.paired_difference_rows(scores["fmnist", "approx_mass"], scores["fmnist", "NLL"],
                                                  seed=page.seed),
                  section="§4.3", table="Table 2", model="RealNVP", in_dist="fmnist")]
for rival in ("G-ODIN", "Mahalanobis", "Energy"):
    rows = evaluate.paired_mean_difference_rows([scores[d, "approx_mass"] for d in IN_DISTS],
                                                [scores[d, rival] for d in IN_DISTS], seed=page.seed)
    gaps.append(page.rows(rows, section="§4.3", table=MEANS, model="any", in_dist="all"))
table = pd.concat([table, means, *gaps], ignore_index=True)
page.save(table)

# %% [markdown]
# ## Figs. 3–4 — approximate mass and log-likelihood of the penalised Fashion-MNIST flow
#
# The paper's figures show MNIST against Fashion-MNIST. Here are the same two histograms for our model;
# the table below them gives each score's metrics.

# %% tags=["remove-input"]
ev_mass, ev_nll = scores["fmnist", "approx_mass"], scores["fmnist", "NLL"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
plots.score_histograms("fmnist", ev_mass.id_scores, {"mnist": ev_mass.ood_scores["mnist"]},
                       "approximate mass", ax=axes[0], title="Fig. 3 — Fashion-MNIST vs MNIST, approximate mass")
plots.score_histograms("fmnist", -ev_nll.id_scores, {"mnist": -ev_nll.ood_scores["mnist"]},
                       "log-likelihood (nats per image)", ax=axes[1], title="Fig. 4 — Fashion-MNIST vs MNIST, log-likelihood")
fig.tight_layout()
plt.show()
figs34 = table[(table.in_dist == "fmnist") & (table.ood == "mnist") & (table.model == "RealNVP")
               & table.metric.isin(METRICS)]
display.show(figs34.pivot_table(index="method", columns="metric", values="value"),
             "Figs. 3–4 — Fashion-MNIST vs MNIST, each score's metrics (ours)")
display.show(display.differences(table[(table.method == "approx_mass − NLL") & (table.ood == "mnist")], rows=("method",),
                                  caption="Figs. 3–4 — approximate mass − NLL AUROC, with its 95% paired interval (ours)"))

# %% [markdown]
# ## Table 2 — paper vs ours
#
# Each cell is ours, with the paper's number for the same set in brackets. Only 10 of DTD's 47 classes are on
# these machines: that partial set is its own row ("dtd_partial"), and its brackets give the paper's number for
# the whole DTD (which `oodlib/paper_numbers.csv` calls "texture"), named, for orientation only. The paper has
# no numbers for NLL or for Energy without outliers. Its Energy model for Fashion-MNIST saw MNIST's training
# images as outliers, and so does ours; the MNIST row then tests Energy on the distribution it was trained to
# reject (test images, not the training ones).

# %% tags=["remove-input"]
for d in IN_DISTS:
    t = table[(table.in_dist == d) & (table.table == "Table 2") & table.metric.isin(METRICS)]
    display.show(display.paper_vs_ours(t, rows=("ood", "method"), columns=("metric",),
                          caption=f"Table 2 — {data.info(d).title} as in-distribution, ours (paper)"))

# %% [markdown]
# ## Mean AUROC over the OOD sets available here
#
# There are three columns:
# - "ours": our mean over the sets available here;
# - "paper, same sets": the mean of the paper's Table 2 numbers over those same sets;
# - "paper, its sets": the means the paper quotes in §4.3's text, over all nine sets (per in-distribution
#   set only for the approximate mass).

# %% tags=["remove-input"]
mean_view = means[means.metric == "AUROC"].set_index(["in_dist", "method"])[["value", "paper_value"]]
mean_view.columns = ["ours", "paper, same sets"]
mean_view["paper, its sets"] = chali.chali_quoted_means().set_index(["in_dist", "method"]).value
display.show(mean_view, "Table 2 — mean AUROC over the OOD sets (in_dist 'all': over both in-distribution sets)")
display.show(display.differences(table[table.table == MEANS], rows=("method",),
                                  caption="Table 2 — mean AUROC over every available set, approximate mass − each "
                                          "baseline, with its 95% paired interval (ours)"))

# %% [markdown]
# ## Scored per batch, as the reference code scores the flow
#
# The reference code (chsamy/ood_detection_approximate_mass, `ood_density_detection.py` and `experiment3.py`)
# scores the approximate mass once per test batch of 32 images, the mean of the batch's norms, not once per
# image; the §4.2 page shows what that does to Table 1. The baselines' papers score images. If Table 2 mixes
# the two, it compares a detector of batches with detectors of images. Below, every detector is scored both
# ways on the same images, per random batch with `oodlib.metrics.batch_mean_auroc` (the mean over 20 random
# splits): first each set, then the mean over the available sets. Batching pushes an AUROC away from 0.5 in
# whichever direction it already leans, so a set that a detector ranks the wrong way gets worse. The verdicts
# use the per-image numbers only.

# %% tags=["remove-input"]
BATCHES = [b for b in (1, 32) if 2 * b <= P.chali_n_test]       # at least two batches a side
by_batch = pd.concat([ev.batch_auroc_rows(batch_sizes=BATCHES).assign(in_dist=d) for (d, _), ev in scores.items()])
for d in IN_DISTS:
    display.show(by_batch[by_batch.in_dist == d].pivot_table(index="method", columns=["ood", "scored"], values="value",
                                                             sort=False),
                 f"Table 2 — {data.info(d).title}, AUROC per image and per random batch of 32, every detector (ours)")
display.show(by_batch.pivot_table(index=["in_dist", "scored"], columns="method", values="value", aggfunc="mean",
                                  sort=False),
             "Table 2 — mean AUROC over the available sets, per image and per random batch of 32 (ours)")

# %% [markdown]
# ## Verdict

# %%
page.verdicts(table, missing)

# %% [markdown]
# **What differs from the paper.**
# - **Smaller models, shorter training.** The flows are the §4.2 page's, far smaller and more briefly trained
#   than the paper's (setting table). The classifiers are matched to their size and trained for the
#   profile's few epochs, from scratch. Liu et al. fine-tune a trained classifier with the energy loss;
#   Chali et al. say "train".
# - **Missing sets.** EMNIST, SVHN, iNaturalist, Places365 and the full DTD are not on these machines. Their
#   rows are absent (DTD's 10-class part stands in its own row, with no paper number), and the means are over
#   the remaining sets.
# - **A different outlier set for the CIFAR-10 Energy model.** It was trained with CIFAR-100's test split as
#   outliers, because SVHN is missing; no Table 2 row uses CIFAR-100.
# - **Scoring.** Scores are per image, on balanced ID/OOD sets, and no threshold or hyper-parameter is
#   tuned on OOD test data.
