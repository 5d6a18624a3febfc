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

# %%
import pandas as pd
from IPython.display import display

from oodlib import claims, data, evaluate, metrics, paper, profiles, results, traces, zoo
from oodlib.models import parameter_count
from oodlib.scores import ApproximateMass, NLL

P = profiles.get_profile(profile)
IN_DISTS = ["fmnist", "cifar10"]
RUNS = {"vanilla": 0.0, "approx_mass": zoo.CHALI_ALPHA}      # method label → α of Eq. 2
display(profiles.compare(profile, profiles.CHALI_FIELDS))
OOD = {d: paper.chali_ood(paper.CHALI_TABLE1_OOD[d], data.is_available) for d in IN_DISTS}
missing = [paper.CHALI_TABLE1_OOD[d] for d in IN_DISTS if OOD[d][1]]
for d, (name, note) in OOD.items():
    size = parameter_count(zoo.trained_realnvp(d, profile, seed, progress=False))
    print(f"{d} → {name}" + (f"   ({note})" if note else "") + f"; RealNVP of {size:,} parameters")

# %% [markdown]
# ## Vanilla and penalised RealNVP, scored with the approximate mass (and, for context, the likelihood)

# %%
tables, mass = [], {}
for d in IN_DISTS:
    ood = OOD[d][0]
    for label, alpha in RUNS.items():
        flow = zoo.trained_realnvp(d, profile, seed, alpha=alpha)
        for scorer, method in ((ApproximateMass(), label), (NLL(), f"NLL/{label}")):
            ev = evaluate.benchmark(scorer.fit(flow), d, [ood], n_id=P.chali_n_test, n_ood=P.chali_n_test, seed=seed,
                                    method=method, balanced=True, size=flow.config.image_size, progress=False)
            if method == label:
                mass[d, label] = ev
            tables.append(results.rows(ev.table, paper_name="approx_mass", section="§4.2", table="Table 1",
                                       model="RealNVP", in_dist=d, profile=profile, seed=seed,
                                       paper_ood={ood: paper.CHALI_TABLE1_OOD[d]}))
table = pd.concat(tables, ignore_index=True)
print("numbers written to", results.save(table, "chali_s4_2_penalty_ablation").name)

# %% [markdown]
# ## Table 1 — approximate-mass AUROC, paper vs ours
#
# Where the paper's OOD set is missing here, the row is our stand-in set and the "paper" column is the
# paper's number for the set it stands in for. The NLL rows are ours only (the paper has none).

# %%
display(results.paper_vs_ours(table, index=("in_dist", "ood"), columns=("method",)).round(4))

# %% [markdown]
# ## Is the gap larger than the test images' sampling noise?
#
# Penalised minus vanilla approximate-mass AUROC on the same test images, with a 95% paired bootstrap interval
# over those images (`oodlib.metrics.paired_auroc_difference`). An interval that contains 0 means these test
# images cannot tell the two models apart. It does not measure how much a second training run would differ.

# %%
gaps = []
for d in IN_DISTS:
    ood, vanilla, penalised = OOD[d][0], mass[d, "vanilla"], mass[d, "approx_mass"]
    diff, low, high = metrics.paired_auroc_difference(vanilla.id_scores, vanilla.ood_scores[ood],
                                                      penalised.id_scores, penalised.ood_scores[ood], seed=seed)
    gaps.append({"in_dist": d, "ood": ood, "penalised − vanilla": round(diff, 3),
                 "95% interval": f"[{low:+.3f}, {high:+.3f}]",
                 "the test images": "cannot tell the models apart" if low <= 0 <= high else "tell the models apart"})
display(pd.DataFrame(gaps))

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
# (`oodlib.metrics.batch_mean_auroc`, the mean over 20 random splits into batches). The "paper" column is
# Table 1, SVHN's number on the CIFAR-10 rows. The verdicts below use the per-image AUROC only.

# %%
BATCHES = [b for b in (1, 8, 32) if 2 * b <= P.chali_n_test]       # at least two batches a side
by_batch = pd.concat([ev.batch_auroc_rows(batch_sizes=BATCHES).assign(in_dist=d) for (d, _), ev in mass.items()])
by_batch = by_batch.pivot_table(index=["in_dist", "ood", "method"], columns="scored", values="value", sort=False)
by_batch["paper"] = table[table.method.isin(list(RUNS))].set_index(["in_dist", "ood", "method"]).paper_value
display(by_batch.round(3))
print("penalised − vanilla, by batch size (Table 1's claim is that it is positive):")
display((by_batch.xs("approx_mass", level="method") - by_batch.xs("vanilla", level="method")).drop(columns="paper")
        .round(3))

# %% [markdown]
# ## The same comparison at the paper's architecture, on a GPU
#
# `scripts/chali_device_run.py` trained CIFAR-10 RealNVPs on an H200 (the runs, their sizes and their
# epochs are read from its files in `book/device/`): the paper's 3 scales × 6 blocks, and the cpu page's
# architecture for more epochs, both on more training images than the cpu profile (summary table). The device
# session was short, so these are far from the paper's 200 epochs; vanilla and penalised are compared after
# the same number of epochs, per image.

# %%
device = traces.device_runs()
display(device.summary)
print("OOD set:", OOD["cifar10"][0])
display(device.table1(OOD["cifar10"][0]).round(3))

# %% [markdown]
# ## Verdict

# %%
verdicts = claims.claims_table(table, missing=missing, page="chali/s4_2_penalty_ablation")
with pd.option_context("display.max_colwidth", None):
    display(verdicts)

# %% [markdown]
# **What differs from the paper.** The models are far smaller and shorter-trained than §4.2's (the
# parameter counts printed under the setting table, instead of ≈10M and ≈60M; a few epochs on part of the
# training set instead of 200). SVHN is not on these machines; CIFAR-10's row uses the stand-in named above.
# Training follows the paper where it speaks (Adam, Eq. 2 with α = 2, the reference code's gradient clipping);
# the rest is ours and listed in `oodlib.zoo.realnvp_recipe`. Scores are per image and no threshold is
# tuned on OOD data. The reference code scores batch means and so, perhaps, does the paper: the section on
# batches above shows what that changes, Table 1's ordering included.
