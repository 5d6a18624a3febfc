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
# # ROSE §3.2 — outlier exposure is fragile: a change of brightness undoes it (Tables 1, 8, 9; Figs. 2, 7, 10, 11)
#
# Choi et al. argue against detectors that learn from perturbed in-distribution images. Two such detectors are
# tested. The Likelihood Ratio (LRatio, Ren et al.) divides the VAE's likelihood by a background VAE's, trained on
# perturbed CIFAR-10 images. RND (SVD-RND, Choi & Chung) trains a predictor to match one random network on clean
# images and another on perturbed ones. Each gets four perturbations: SVD blur, DCT blur, Gaussian blur (GB) and
# uniform noise (Random). Their claim: **such detectors work only where the OOD images resemble the
# perturbation**. Brighten or darken CelebA (0.2× to 1.8×) and their AUROCs swing widely, while ROSE stays
# steadier (Table 1: ROSE's standard deviation across brightness is 0.074, every other row's 0.097–0.374).
# App. C.4 repeats the test on SVHN (Table 8) and Omniglot (Table 9).

# %% tags=["parameters"]
profile = "cpu"
seed = 0

# %% [markdown]
# ## Setting

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from oodlib import data, display, evaluate, lineup, plots, profiles, sweeps, zoo
from oodlib.page import Page

page = Page(profile, seed)
P = page.profile
page.setting(profiles.OE_FIELDS, ["cifar10"])
TABLES = zoo.BRIGHTNESS_TABLES                      # Table 1: CelebA, Table 8: SVHN, Table 9: Omniglot
NAMES = list(dict.fromkeys(n for _, names in TABLES.values() for n in names))   # the perturbations they use
missing = page.missing([ood for ood, _ in TABLES.values()] + ["lsun"])
print("sets of these tables missing on this machine:", ", ".join(missing) or "none")

# %% [markdown]
# ## The models
# The CIFAR-10 VAE of §3.1 (App. B.1), and for each perturbation of App. B.3 a background VAE and an RND. The
# backgrounds share the VAE's architecture and use λ = 0. The perturbations are SVD blur keeping all but the bottom
# K = 28 singular values of each channel (K = 22 for Table 9), DCT blur keeping the 28 largest coefficients, a 3×3
# Gaussian with σ = 0.8, and noise replacing each sub-pixel with probability μ = 0.2. The perturbation-study models are
# not committed (the book's checkpoint budget is spent): executing this page trains them, about 5 minutes per pair
# at `cpu`, and caches them for the App. C.4 page.

# %%
vae = zoo.trained_vae("cifar10", profile, seed)
backgrounds, rnds = zoo.trained_oe_models("cifar10", profile, seed, names=NAMES)

# %% [markdown]
# B.3 also says that λ = 0 "performs better than λ = 10" for every perturbation of Table 1, λ being the L2 weight
# Ren et al. put on the background model. We train Table 1's four backgrounds at λ = 10 too, as Adam's weight
# decay (the gradient of (λ/2)‖θ‖²; the paper does not say how λ enters), and compare the two below.

# %%
backgrounds_l2 = zoo.trained_oe_backgrounds("cifar10", profile, seed, names=TABLES["Table 1"][1], l2=zoo.OE_L2)

# %% [markdown]
# ## Fig. 2 and Fig. 10 — the brightness sweep
# Every image scaled by 0.2× to 1.8× and clipped to 0–255. Rows: CelebA, our LSUN stand-in (LSUN church, the
# one LSUN category here), MNIST and noise. SVHN, the paper's first row, is missing here.

# %% tags=["remove-input"]
examples = {"celeba": data.load("celeba", "test", n=1, seed=seed, channels=3),
            "lsun_church (for lsun)": data.load("lsun_church", "test", n=1, seed=seed, channels=3),
            "mnist": data.load("mnist", "test", n=1, seed=seed, channels=3),
            "noise": data.load("noise", "test", n=1, seed=seed, channels=3)}
fig = plots.image_grid({name: [data.brightness(s, k).x[0].numpy() for k in sweeps.FACTORS]
                        for name, s in examples.items()}, ncols=len(sweeps.FACTORS), scale=1.0)
plt.show()

# %% [markdown]
# ## Fig. 11 — the perturbations
# Four CIFAR-10 training images and what each perturbation makes of them: the images the background VAEs and
# RND's second target learn from.

# %% tags=["remove-input"]
cifar = data.load("cifar10", "train", n=4, seed=seed)
strips = {"clean": cifar.x} | {name: data.perturbation(spec)(cifar.x) for name, spec in zoo.PERTURBATIONS.items()}
fig = plots.image_grid({name: x.numpy() for name, x in strips.items()}, ncols=4, scale=1.0)
plt.show()

# %% [markdown]
# ## Scoring
# Each detector scores the same CIFAR-10 test images and the same CelebA and Omniglot images at every
# brightness. LRatio's two likelihoods are IWAE estimates with `oe_iwae_k` samples. ROSE uses the diagonal
# preconditioner on the VAE encoder's conv layers, as on the §5.1 page.

# %%
id_train = data.load("cifar10", "train")
id_test = data.load("cifar10", "test", n=P.oe_n_id, seed=seed)
sweep_sets, _ = evaluate.load_ood_sets([ood for ood, _ in TABLES.values()], P.oe_n_ood, seed, channels=3)
methods = lineup.outlier_exposure_methods(vae, backgrounds, rnds, id_train, profile, seed)
evals = {m: evaluate.evaluate(scorer, id_test, zoo.brightness_sets(sweep_sets), method=m)
         for m, scorer in methods.items()}
table = pd.concat([page.rows(zoo.brightness_rows(evals, t, seed), section="§3.2" if t == "Table 1" else "App. C.4",
                             table=t, model="VAE", in_dist="cifar10")
                   for t, (ood, _) in TABLES.items() if ood in sweep_sets], ignore_index=True)

# %% [markdown]
# The λ = 10 backgrounds score the same CIFAR-10 images and the same CelebA images at every brightness.

# %%
celeba = TABLES["Table 1"][0]
if celeba in sweep_sets:
    l2_methods = lineup.lratio_methods(vae, backgrounds_l2, profile, seed, label=zoo.OE_L2_DETECTOR)
    evals |= {m: evaluate.evaluate(scorer, id_test, zoo.brightness_sets({celeba: sweep_sets[celeba]}), method=m)
              for m, scorer in l2_methods.items()}
    l2 = page.rows(zoo.l2_rows(evals, "Table 1", seed), section="App. B.3", table="Table 1", model="VAE",
                   in_dist="cifar10")
    table = pd.concat([table, l2], ignore_index=True)
page.save(table)
paper_rows = table[table.section != "App. B.3"]      # the rows of the paper's tables (λ = 0)

# %% [markdown]
# ## Table 1 — CelebA at nine brightnesses (CIFAR-10 in-distribution)
# AUROC, ours (paper), one row per detector and perturbation. Mean and Std are over the row's nine AUROCs; Std
# is the population standard deviation, as the paper's printed rows agree with.

# %% tags=["remove-input"]
LOW, HIGH = ["0.2x", "0.4x", "0.6x", "0.8x", "1x"], ["1.2x", "1.4x", "1.6x", "1.8x", "Mean", "Std"]


def show_brightness(t, name):
    """Display one brightness table in two halves, so that each fits the page."""
    rows = paper_rows[paper_rows.table == t]
    for half, label in ((LOW, "0.2×–1×"), (HIGH, "1.2×–1.8×, mean and std")):
        display.show(zoo.brightness_view(rows, f"{t} — {name}, brightness {label}: AUROC, ours (paper)", half))


show_brightness("Table 1", "CelebA")

# %% [markdown]
# ROSE's std minus each other row's: below 0 means ROSE varies less with brightness. The interval is a 95% paired
# bootstrap over the test images: the same CIFAR-10 and CelebA images are redrawn for both detectors, at every
# brightness.

# %% tags=["remove-input"]
def show_std_differences(t, name):
    """ROSE's std minus each row's std in table ``t``, with the paired 95% interval."""
    display.show(display.differences(paper_rows[paper_rows.table == t], rows=("method",),
                                     caption=f"{t} — {name}: ROSE's std over brightness minus each row's (ours)"))


show_std_differences("Table 1", "CelebA")

# %% [markdown]
# ## App. B.3 — LRatio's backgrounds at λ = 0 and λ = 10
# Each perturbation's mean and std of LRatio's AUROC over CelebA's nine brightnesses, with the λ = 0 background
# (Table 1's rows) and with the λ = 10 one. Then λ = 0's mean minus λ = 10's: above 0 means λ = 0 performs better,
# with a 95% paired bootstrap interval over the test images.

# %% tags=["remove-input"]
if celeba in sweep_sets:
    lratio = table[(table.table == "Table 1") & table.method.str.startswith("LRatio")]
    display.show(zoo.brightness_view(lratio, "Table 1's LRatio rows at λ = 0 (paper's in brackets) and λ = 10 "
                                             "(the paper prints none): mean and std over brightness", ["Mean", "Std"]))
    display.show(display.differences(l2, rows=("method",),
                                     caption="λ = 0's mean AUROC over brightness minus λ = 10's (ours)"))

# %% [markdown]
# ## Table 8 — SVHN (App. C.4)
# SVHN is not on this machine, so Table 8 is not replicated and no other set is put in its place.

# %% tags=["remove-input"]
if "svhn" in sweep_sets:
    show_brightness("Table 8", "SVHN")
    show_std_differences("Table 8", "SVHN")
else:
    display.note("Table 8 needs SVHN's test split (`data.load('svhn', 'test')`), which is missing here: see "
                 "`../shared/datasets/README.md`.")

# %% [markdown]
# ## Table 9 — Omniglot (App. C.4)
# As Table 1, with SVD keeping all but K = 22 singular values (B.3). Omniglot's grey characters are copied to
# three channels and resized to 32×32, as for every grey set on the CIFAR-10 pages.
# The paper's own Tables 8 and 9 do not fully bear out §3.2's claim. In its Table 9, LRatio with GB varies less
# than ROSE (std 0.064 against 0.078), at AUROCs near 0. In its Table 8, RND with GB and with SVD vary less (0.025
# and 0.032 against 0.054). We judge the claim on Omniglot all the same; SVHN is missing.

# %% tags=["remove-input"]
show_brightness("Table 9", "Omniglot")
show_std_differences("Table 9", "Omniglot")

# %% [markdown]
# ## The sweep at a glance
# Each detector's AUROC against brightness (ours). A flat line is a detector that brightness does not fool.

# %% tags=["remove-input"]
shown = [t for t in TABLES if (table.table == t).any()]
fig = plots.curves({f"{t}: {TABLES[t][0]}": zoo.brightness_curves(table, t) for t in shown},
                   xlabel="brightness factor", hlines={f"{t}: {TABLES[t][0]}": {"chance": 0.5} for t in shown},
                   shared_legend=True)
plt.show()

# %% [markdown]
# ## App. F.1 — Fig. 7: LSUN and noise
# (a) LSUN at 32×32. LSUN is missing here, so these are LSUN church images, the stand-in named on every page that
# uses them. (b) The noise set: every sub-pixel drawn uniformly from {0, …, 255}.

# %% tags=["remove-input"]
fig7 = {"lsun_church (for lsun)": "lsun_church", "noise": "noise"}
fig = plots.image_grid({label: data.load(name, "test", n=8, seed=seed, channels=3).x.numpy()
                        for label, name in fig7.items()}, ncols=8, scale=1.0)
plt.show()

# %% [markdown]
# ## Verdict
# Computed from the results table above by the rules in `oodlib.claims`.

# %%
page.verdicts(table, missing)

# %% [markdown]
# **Reading the verdicts.** A standard deviation across brightness rewards a flat row, and a detector that sits
# near chance at every brightness is flat too. Where such a row has a lower std than ROSE's (at `cpu`, LRatio with
# SVD and DCT blur on CelebA, whose AUROCs hover around 0.5), the claim fails on that row, although that detector
# detects next to nothing. The paper reads Table 1 on both columns; read the Mean column beside the Std column in
# the tables above.

# %% [markdown]
# **What differs from the paper.** The models are the `cpu` profile's (see the setting table). The main VAE
# trains for 6 epochs. The background VAEs and RNDs train on 10,000 CIFAR-10 images, the VAEs for 3 epochs and
# the RNDs for 5. λ enters the λ = 10 backgrounds as Adam's weight decay, beside a loss in nats per image; B.3
# does not say whether its λ multiplies ‖θ‖² or ½‖θ‖², nor how its loss is scaled. RND's networks are small CNNs: a
# 3×3 conv and three stride-2 4×4 convs of 32–128 channels, then a 128-d linear layer; the predictor has one more
# hidden layer. The reference code (sungikchoi/NVB) uses ResNet-34s
# with 512-d outputs, trained for 50 epochs. NVB feeds each batch half clean and half blurred images; here each
# image comes in both versions. The brightness factor rescales pixel values and rounds them (`data.brightness`);
# the paper does not say how it changed brightness. LRatio's likelihoods use `oe_iwae_k` IWAE samples instead of
# the paper's 20. Every detector scores `oe_n_id` CIFAR-10 and `oe_n_ood` OOD images, not the whole test sets, so an
# AUROC carries about ±0.02–0.03 of sampling noise, which the std claim's interval takes into account. NVB has
# neither the DCT nor the Gaussian blur; we follow B.3's description of them. NVB also picks its K on held-out
# OOD images, which this book does not do (K is B.3's).
