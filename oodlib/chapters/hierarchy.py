"""The hierarchies chapter (Schirrmeister, Zhou, Ball, Zhang, "Understanding Anomaly Detection with Deep Invertible
Networks through Hierarchies of Distributions and Features", NeurIPS 2020; the book replicates its supplement): its
profile sizes, the recipes of its Glows, the data every comparison scores, and the claims the book tests (see
``oodlib.chapters``).

The general-distribution model is trained on ``data.load("general", "train")``, the stand-in for 80 Million Tiny
Images (``oodlib.data.halves``): the general halves of the RGB sets here; the pages score those sets' other halves.
Every in-distribution Glow is CIFAR-10's; CIFAR-100's train split, SVHN and the LSUN benchmark set are missing here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from .. import data, results
from ..cache import DataSpec, get_trained, model_key
from ..claims import SEED_STD, Claim
from ..data.halves import GENERAL_NAME as GENERAL
from ..errors import UnknownName
from ..models import ClassifierConfig, DenseGlowConfig, GlowConfig, LocalGlowConfig
from ..outlier_loss import WEIGHT
from ..train import TrainConfig
from . import ModelKind, sizes

PAPER = "hierarchy"
ORDER = 5
IN_DIST = "cifar10"
CLASSES = 10


@dataclass(frozen=True)
class Sizes:
    """The chapter's sizes at one profile (the ``paper`` instance: the supplement's, S1.1 and S4.1)."""

    hi_arch: dict = field(default_factory=lambda: dict(levels=3, steps=32, hidden=512))   # S1.1
    hi_epochs: int = 250                # in-distribution Glows (S4.1)
    # the general model: as many batch updates as an in-distribution Glow (S4.1: "so that the number of batch
    # updates is identical"), i.e. 250 epochs × 50,000 / 9,104 general images
    hi_general_epochs: int = 1373
    hi_n_train: int | None = None       # CIFAR-10 training images (None: all 50,000)
    hi_seeds: int = 3                   # training seeds of Table S2
    hi_n_test: int | None = None        # CIFAR-10 test images scored (None: all 10,000)
    hi_n_ood: int | None = None         # images per OOD set (None: its whole evaluation half)
    hi_lr: float = 5e-4                 # Adamax's learning rate from scratch (S4.1) ...
    hi_finetune_lr: float = 5e-4        # ... and when finetuning (S4.1: the same)
    hi_local_arch: dict = field(default_factory=lambda: dict(patch=8, steps=32, hidden=512))   # S2.1
    hi_dense_arch: dict = field(default_factory=lambda: dict(steps=8, hidden=512))             # S2.2
    hi_classifier_epochs: int = 200     # S9's Wide-ResNet (meliketoy/wide-resnet.pytorch: 200 epochs)
    hi_classifier_n: int | None = None  # its training images, a seeded draw from both classes (None: all 18,208)


SIZES = {
    "smoke": Sizes(hi_arch=dict(levels=3, steps=1, hidden=4), hi_epochs=1, hi_general_epochs=1, hi_n_train=128,
                   hi_seeds=2, hi_n_test=32, hi_n_ood=16, hi_lr=2e-3, hi_local_arch=dict(patch=8, steps=1, hidden=4),
                   hi_dense_arch=dict(steps=1, hidden=4), hi_classifier_epochs=1, hi_classifier_n=256),
    # cpu: three scales of 4 steps with coupling networks 40 channels wide train at ~1,200 img/s on 2 threads
    # (~520 img/s with the outlier loss, which scores an outlier batch and the reference model too): 10,000 CIFAR-10
    # images × 12 epochs take ~2 min plain and ~4 min with the outlier loss; every Glow weighs 0.43 MB in half
    # precision. With ~1,900 updates instead of the paper's ~195,000, Adamax's rate from scratch is 2e-3, chosen on
    # the general set's training loss (3 epochs: 5.36 bits/dim at 5e-4, 4.96 at 2e-3); finetuning keeps the paper's
    # 5e-4 (at 2e-3 Adamax's first, sign-sized step on every weight threw the general Glow from 4.47 to 563 bits/dim
    # on CIFAR-10 and its training to NaN; at 5e-4 it recovers within ~40 steps)
    "cpu": Sizes(hi_arch=dict(levels=3, steps=4, hidden=40), hi_epochs=12, hi_general_epochs=13, hi_n_train=10000,
                 hi_seeds=3, hi_n_test=2000, hi_n_ood=2000, hi_lr=2e-3, hi_finetune_lr=5e-4,
                 hi_local_arch=dict(patch=8, steps=8, hidden=64), hi_dense_arch=dict(steps=2, hidden=16),
                 hi_classifier_epochs=4),
    "paper": Sizes(),
}

FIELD_LABELS = {
    "hi_arch": "Glow: scales, steps per scale, coupling width", "hi_epochs": "in-distribution Glows: epochs",
    "hi_general_epochs": "general Glow: epochs (as many updates)",
    "hi_n_train": "CIFAR-10 training images (None = all)",
    "hi_seeds": "training seeds", "hi_n_test": "CIFAR-10 test images (None = all)",
    "hi_n_ood": "images per OOD set (None = its evaluation half)", "hi_lr": "Adamax learning rate from scratch",
    "hi_finetune_lr": "Adamax learning rate when finetuning",
    "hi_local_arch": "local Glow: patch, steps, coupling width",
    "hi_dense_arch": "fully connected Glow: steps per scale, width", "hi_classifier_epochs": "binary classifier: epochs",
    "hi_classifier_n": "binary classifier: training images (None = all)",
}
TABLE_S2_FIELDS = ("hi_arch", "hi_epochs", "hi_general_epochs", "hi_lr", "hi_finetune_lr", "hi_n_train", "hi_seeds",
                   "hi_n_test", "hi_n_ood")


def _sizes(profile: str) -> Sizes:
    return sizes(SIZES, profile)


def _check_in_dist(in_dist: str) -> None:
    if in_dist != IN_DIST:
        raise UnknownName(f"the hierarchies chapter trains CIFAR-10 Glows only, not {in_dist!r} (CIFAR-100's train "
                          "split and SVHN are not on this machine)")


# --- the models -------------------------------------------------------------------------------------------------

def _glow_config(profile: str, classes: int = 0) -> GlowConfig:
    return GlowConfig(channels=3, image_size=32, classes=classes, **_sizes(profile).hi_arch)


def _train_config(profile: str, epochs: int, seed: int, **extra) -> TrainConfig:
    """S4.1: Adamax (lr 5e-4 in the paper; the profile's ``hi_lr``, or ``hi_finetune_lr`` for a model that starts
    from another's weights), weight decay 5e-5, batch 64, no schedule (y0ast/Glow-PyTorch without warm start)."""
    p = _sizes(profile)
    lr = p.hi_finetune_lr if extra.get("init_from") else p.hi_lr
    return TrainConfig(epochs=epochs, batch_size=64, lr=lr, optimizer="adamax", weight_decay=5e-5,
                       lr_step_epochs=None, seed=seed, **extra)


def hier_training_spec(profile: str, seed: int = 0) -> DataSpec:
    """Return the DataSpec of the CIFAR-10 training images (the same for every training seed)."""
    return DataSpec(IN_DIST, "train", n=_sizes(profile).hi_n_train, seed=seed, channels=3)


def general_spec(seed: int = 0) -> DataSpec:
    """Return the DataSpec of the general-distribution set (every image of it)."""
    return DataSpec(GENERAL, "train", seed=seed, channels=3)


def general_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return (GlowConfig, DataSpec, TrainConfig) of the general-distribution Glow (Tiny-Glow's stand-in)."""
    if in_dist != GENERAL:
        raise UnknownName(f"the general model is trained on {GENERAL!r}, not {in_dist!r}")
    return _glow_config(profile), general_spec(seed), _train_config(profile, _sizes(profile).hi_general_epochs, seed)


def _general_key(profile: str, seed: int) -> str:
    return model_key(*general_recipe(GENERAL, profile, seed))


def split_variant(variant: str) -> tuple[str, int]:
    """Return (name, training-seed index) of a variant "name@k" (k = 0 where absent)."""
    name, _, k = variant.partition("@")
    return name, int(k or 0)


GLOW_VARIANTS = {
    "scratch": "from scratch (Table S1 'Retr')",
    "finetune": "finetuned from the general model (Table S1 'Finet')",
    "own": "the from-scratch Glow trained as long again (Fig. S4 'finetuned from own model')",
    "outlier": "finetuned from the general model with the outlier loss (Eq. S1; Table S2, unsupervised)",
    "outlier-sup": "supervised, finetuned from the general model with the outlier loss (Table S2, supervised)",
    "margin": "finetuned from the general model with the margin loss (S7.5, Fig. S6)",
}


def hier_glow_recipe(in_dist: str, profile: str, seed: int = 0, variant: str = "finetune"):
    """Return (GlowConfig, DataSpec, TrainConfig) of CIFAR-10's Glow ``variant`` ("name@k": k-th training seed,
    seed + k; names in GLOW_VARIANTS). The training images are the same for every k."""
    _check_in_dist(in_dist)
    name, k = split_variant(variant)
    if name not in GLOW_VARIANTS:
        raise UnknownName(f"unknown Glow variant {name!r}; known: {', '.join(GLOW_VARIANTS)}")
    p, general = _sizes(profile), _general_key(profile, seed)
    extra = {}
    if name == "own":
        extra = dict(init_from=model_key(*hier_glow_recipe(in_dist, profile, seed, f"scratch@{k}")))
    elif name != "scratch":
        extra = dict(init_from=general)
    if name in ("outlier", "outlier-sup"):
        extra.update(penalty="outlier", penalty_weight=WEIGHT, penalty_data=f"{GENERAL}:train",
                     penalty_reference=general)
    elif name == "margin":
        extra.update(penalty="margin", penalty_weight=1.0, penalty_data=f"{GENERAL}:train")
    model = _glow_config(profile, CLASSES if name == "outlier-sup" else 0)
    return model, hier_training_spec(profile, seed), _train_config(profile, p.hi_epochs, seed + k, **extra)


def dagger_recipe(in_dist: str, profile: str, seed: int = 0, variant: str = "unsup"):
    """Return the recipe of Diff†'s general model (main paper §5.4): the general Glow finetuned on the general set
    with the outlier loss, CIFAR-10's training images as its outliers and the CIFAR-10 Glow with the outlier loss
    ("unsup@k") or its supervised twin ("sup@k") as the reference."""
    _check_in_dist(in_dist)
    name, k = split_variant(variant)
    if name not in ("unsup", "sup"):
        raise UnknownName(f"unknown Diff† variant {name!r}; use 'unsup@k' or 'sup@k'")
    p, spec = _sizes(profile), hier_training_spec(profile, seed)
    twin = "outlier" if name == "unsup" else "outlier-sup"
    reference = model_key(*hier_glow_recipe(in_dist, profile, seed, f"{twin}@{k}"))
    outliers = ":".join([spec.name, spec.split, "" if spec.n is None else str(spec.n), str(spec.seed)])
    tcfg = _train_config(profile, p.hi_general_epochs, seed + k, init_from=_general_key(profile, seed),
                         penalty="outlier", penalty_weight=WEIGHT, penalty_data=outliers, penalty_reference=reference)
    return _glow_config(profile), general_spec(seed), tcfg


def local_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of the local 8×8-patch Glow (S2.1), trained from scratch on CIFAR-10 as the full Glow."""
    _check_in_dist(in_dist)
    model = LocalGlowConfig(channels=3, image_size=32, **_sizes(profile).hi_local_arch)
    return model, hier_training_spec(profile, seed), _train_config(profile, _sizes(profile).hi_epochs, seed)


def dense_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of the fully connected Glow (S2.2), trained from scratch on CIFAR-10 as the full Glow."""
    _check_in_dist(in_dist)
    model = DenseGlowConfig(channels=3, image_size=32, levels=3, **_sizes(profile).hi_dense_arch)
    return model, hier_training_spec(profile, seed), _train_config(profile, _sizes(profile).hi_epochs, seed)


def binary_classifier_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of S9's binary classifier: a small ResNet (ours; the paper's is a Wide-ResNet 28-10) trained
    to tell CIFAR-10 (class 1) from the general set (class 0), as many images of each (``cifar10_vs_general``).
    Adam, lr 1e-3, batch 64 (the Wide-ResNet repository's SGD schedule is for 200 epochs)."""
    _check_in_dist(in_dist)
    tcfg = TrainConfig(epochs=_sizes(profile).hi_classifier_epochs, batch_size=64, lr=1e-3, lr_step_epochs=None,
                       seed=seed)
    spec = DataSpec(data.halves.BINARY_NAME, "train", n=_sizes(profile).hi_classifier_n, seed=seed, channels=3)
    return ClassifierConfig(channels=3, classes=2, width=16), spec, tcfg


CURVES = ("scratch", "finetune@0")     # the Glows whose every epoch Figs. S2–S3 score ("own", Fig. S4: its last)
# The epochs whose weights the book commits for the curves at the cpu profile (the last epoch's are the model's own
# weights): enough for Figs. S2–S3's claims (the finetuned Glow's first epochs) at a third of the bytes
CPU_SNAPSHOT_EPOCHS = {"scratch": (1, 2, 3, 6), "finetune@0": (1, 2, 3, 6)}


def snapshot_epochs(profile: str, variant: str):
    """Return the epochs of the curve Glow ``variant`` whose snapshots are committed at ``profile`` (None: all)."""
    return CPU_SNAPSHOT_EPOCHS.get(variant) if profile == "cpu" else None

MODELS = {
    "hier-general": ModelKind(general_recipe),
    "hier-curve": ModelKind(hier_glow_recipe, "variant", str, "finetune@0", "{}", snapshots=(IN_DIST,),
                            committed_epochs=snapshot_epochs),
    "hier-glow": ModelKind(hier_glow_recipe, "variant", str, "finetune@0", "{}"),
    "hier-dagger": ModelKind(dagger_recipe, "variant", str, "unsup@0", "{}"),
    "hier-local": ModelKind(local_recipe),
    "hier-dense": ModelKind(dense_recipe),
    "hier-classifier": ModelKind(binary_classifier_recipe),
}


def profile_models(profile: str) -> list:
    """Return (kind, in-distribution set, extra) of every model the chapter's pages need at ``profile``, each after
    the models it starts from or compares with."""
    seeds = range(_sizes(profile).hi_seeds)
    out = [("hier-general", GENERAL, None)] + [("hier-curve", IN_DIST, v) for v in CURVES]
    out += [("hier-glow", IN_DIST, "own")] + [("hier-glow", IN_DIST, f"finetune@{k}") for k in seeds if k]
    out += [("hier-glow", IN_DIST, f"{v}@{k}") for v in ("outlier", "outlier-sup") for k in seeds]
    out += [("hier-glow", IN_DIST, "margin")]
    out += [("hier-dagger", IN_DIST, f"{v}@{k}") for v in ("unsup", "sup") for k in seeds]
    return out + [("hier-local", IN_DIST, None), ("hier-dense", IN_DIST, None), ("hier-classifier", IN_DIST, None)]


def trained_general(profile: str, seed: int = 0, progress: bool = True):
    """Return the general-distribution Glow."""
    return get_trained(*general_recipe(GENERAL, profile, seed), progress=progress)


def trained_hier_glow(profile: str, variant: str, seed: int = 0, progress: bool = True):
    """Return CIFAR-10's Glow ``variant`` (training the models it starts from or compares with first)."""
    name, k = split_variant(variant)
    trained_general(profile, seed, progress)
    if name == "own":
        trained_hier_glow(profile, f"scratch@{k}", seed, progress)
    curve = name in ("scratch", "finetune") and k == 0          # CURVES: every epoch's weights kept
    return get_trained(*hier_glow_recipe(IN_DIST, profile, seed, variant), progress=progress, keep_snapshots=curve)


def trained_local(profile: str, seed: int = 0, progress: bool = True):
    """Return the local 8×8-patch Glow."""
    return get_trained(*local_recipe(IN_DIST, profile, seed), progress=progress)


def trained_dense(profile: str, seed: int = 0, progress: bool = True):
    """Return the fully connected Glow."""
    return get_trained(*dense_recipe(IN_DIST, profile, seed), progress=progress)


def trained_binary_classifier(profile: str, seed: int = 0, progress: bool = True):
    """Return S9's CIFAR-10-vs-general classifier."""
    return get_trained(*binary_classifier_recipe(IN_DIST, profile, seed), progress=progress)


def trained_dagger(profile: str, variant: str, seed: int = 0, progress: bool = True):
    """Return Diff†'s general model ``variant`` ("unsup@k" or "sup@k")."""
    name, k = split_variant(variant)
    trained_hier_glow(profile, f"{'outlier' if name == 'unsup' else 'outlier-sup'}@{k}", seed, progress)
    return get_trained(*dagger_recipe(IN_DIST, profile, seed, variant), progress=progress)




# --- what the pages score ---------------------------------------------------------------------------------------

# Table S2's OOD columns, Table S3's, and the general set's other parts (beyond the paper); a missing set with a
# stand-in here is replaced by it (the stand-in keeps its own name; the page says what it stands for)
TABLE_S2_OOD = ("svhn", "cifar100", "lsun")
TABLE_S3_OOD = ("celeba", "tinyimagenet")
OTHER_OOD = ("gtsrb", "dtd_partial", "pokemon")
HIER_STAND_INS = {"lsun": "lsun_church"}
HIER_SHOWN_FOR = {v: k for k, v in HIER_STAND_INS.items()}
SETTINGS = ("Unsupervised", "Supervised")
NO_OUTLIER_LOSS = "no outlier loss"        # the variant name of the Glows finetuned without it (not in Table S2)


# paper_numbers.csv's name of a score where a table names it its own way
PAPER_METHODS = {"Table S3": {"4x4": "Raw[4x4]"}}


def _paper_cell(table: str, r) -> dict:
    method, _, variant = r.method.partition("/")
    return {"method": PAPER_METHODS.get(table, {}).get(method, method), "variant": variant}


def _variant_only(r) -> dict:
    """Table S1 and Fig. S3 name their cells by a variant alone (method empty)."""
    return {"method": "", "variant": r.method}


def _text_s3(r) -> dict:
    """S3's correlations are stated for CIFAR-10 images (SVHN's too) with no OOD set named."""
    method, _, variant = r.method.partition("/")
    return {"model": "Glow", "ood": "", "method": method, "variant": variant} if r.ood == IN_DIST else None


# How results rows find the paper's cell (``results.rows``' paper_key)
PAPER_KEYS = {**{t: functools.partial(_paper_cell, t) for t in ("Table S2", "Table S3")},
              "Table S1": _variant_only, "Fig S3": _variant_only, "text §S3": _text_s3,
              "Fig S2": lambda r: {"in_dist": ""}}      # Fig. S2's caption names no dataset


def general_make_up() -> pd.DataFrame:
    """Return the general set's make-up: per source set, its images in the general half and in the evaluation half,
    with the total beside the paper's 1,000,000 Tiny Images (S5.1)."""
    from ..data.loading import _read_raw

    t = pd.DataFrame(data.halves.make_up(_read_raw), columns=["set", "general half", "evaluation half"])
    t = t.set_index("set")
    t.loc["total"] = t.sum()
    t = t.map(lambda v: f"{v:,}")
    t.loc["paper: 80 Million Tiny Images subset"] = ["1,000,000", "—"]
    return t


def hier_test_images(profile: str, seed: int = 0) -> data.ImageSet:
    """Return the CIFAR-10 test images every comparison scores (the first hi_n_test of the seeded draw)."""
    return data.load(IN_DIST, "test", n=_sizes(profile).hi_n_test, seed=seed, channels=3)


def hier_ood_sets(names, profile: str, seed: int = 0) -> tuple[dict, list]:
    """Return ({set: ImageSet}, [missing sets]) of ``names``: a part of the general set is scored on its evaluation
    half only (``data.evaluation_half``); a missing set with a stand-in here is replaced by it."""
    parts, n = dict(data.halves.GENERAL_PARTS), _sizes(profile).hi_n_ood
    sets, missing = {}, []
    for name in names:
        if not data.is_available(name, parts.get(name, "test")) and name in HIER_STAND_INS:
            missing.append(name)
            name = HIER_STAND_INS[name]
        if name in parts:
            sets[name] = data.evaluation_half(name, n=n)
        elif data.is_available(name, "test"):
            sets[name] = data.load(name, "test", n=n, seed=seed, channels=3)
        else:
            missing.append(name)
    return sets, sorted(set(missing))


def setting_scorers(profile: str, setting: str, k: int, seed: int = 0, progress: bool = False) -> dict:
    """Return {method: fitted scorer} of one column block of Table S2 at training seed k: the CIFAR-10 Glow with the
    outlier loss (``setting`` Unsupervised or Supervised) scored by its raw likelihood, its last scale (4x4), Diff to
    the general Glow, Diff† (to the general Glow trained with CIFAR-10 as outliers) and Diff to PNG; or, for
    ``setting`` = NO_OUTLIER_LOSS, the Glow finetuned without it (no Diff†). Methods are named "score/setting"."""
    from ..scores import LastScale, LikelihoodDiff, RawLikelihood

    general = trained_general(profile, seed, progress)
    if setting == NO_OUTLIER_LOSS:
        model, dagger = trained_hier_glow(profile, f"finetune@{k}", seed, progress), None
    elif setting in SETTINGS:
        sup = setting == "Supervised"
        model = trained_hier_glow(profile, f"{'outlier-sup' if sup else 'outlier'}@{k}", seed, progress)
        dagger = trained_dagger(profile, f"{'sup' if sup else 'unsup'}@{k}", seed, progress)
    else:
        raise UnknownName(f"unknown setting {setting!r}; use {', '.join(SETTINGS)} or {NO_OUTLIER_LOSS!r}")
    scorers = {"Raw": RawLikelihood(), "4x4": LastScale(), "Diff": LikelihoodDiff(general)}
    if dagger is not None:
        scorers["Diff†"] = LikelihoodDiff(dagger)
    scorers["Diff to PNG"] = LikelihoodDiff("png")
    return {f"{m}/{setting}": s.fit(model) for m, s in scorers.items()}


def seed_aurocs(profile: str, sets: dict, settings=(*SETTINGS, NO_OUTLIER_LOSS), seed: int = 0,
                progress: bool = False) -> pd.DataFrame:
    """Return the AUROC of every method of ``settings`` on every set of ``sets`` at every training seed: rows
    training_seed, ood, method, value."""
    from ..evaluate import evaluate

    test = hier_test_images(profile, seed)
    rows = []
    for k in range(_sizes(profile).hi_seeds):
        for setting in settings:
            for method, scorer in setting_scorers(profile, setting, k, seed, progress).items():
                ev = evaluate(scorer, test, sets, method=method, progress=progress)
                t = ev.table[ev.table.metric == "AUROC"]
                rows += [{"training_seed": seed + k, "ood": r.ood, "method": method, "value": r.value}
                         for r in t.itertuples()]
    return pd.DataFrame(rows)


def over_seeds(aurocs: pd.DataFrame) -> pd.DataFrame:
    """Return the mean and standard deviation (ddof 1, as the paper's "(std)") over training seeds of ``seed_aurocs``
    rows, as rows ood, method, metric ("AUROC", "AUROC std"), value."""
    g = aurocs.groupby(["ood", "method"], sort=False).value
    mean = g.mean().reset_index().assign(metric="AUROC")
    std = g.std(ddof=1).reset_index().assign(metric=SEED_STD.format(metric="AUROC"))
    return pd.concat([mean, std], ignore_index=True)[["ood", "method", "metric", "value"]]


def seed_table(table: pd.DataFrame, caption: str):
    """Return a results table as "mean ± std (paper mean ± std)" cells: methods as rows, OOD sets as columns."""
    from .. import display, paper

    numbers = paper.numbers()
    quoted = numbers[(numbers.paper == PAPER) & (numbers.metric == "AUROC")]
    mean, std = table[table.metric == "AUROC"], table[table.metric == SEED_STD.format(metric="AUROC")]
    cells = []
    for r in mean.itertuples():
        s = std[(std.ood == r.ood) & (std.method == r.method)].value
        shown_for, keys = HIER_SHOWN_FOR.get(r.ood, r.ood), _paper_cell(results.paper_table_of(r.table), r)
        q = quoted[(quoted.table == results.paper_table_of(r.table)) & (quoted.ood == shown_for)
                   & (quoted.method == keys["method"]) & (quoted.variant == keys["variant"])]
        theirs = f" ({'' if shown_for == r.ood else shown_for + ': '}{q.value.iloc[0]:.3f} ± {q['std'].iloc[0]:.3f})" \
            if len(q) else ""
        ood = r.ood if shown_for == r.ood else f"{r.ood} (for {shown_for})"
        cells.append({"method": r.method, "ood": ood,
                      "cell": f"{r.value:.3f} ± {s.iloc[0]:.3f}{theirs}" if len(s) else f"{r.value:.3f}{theirs}"})
    wide = pd.DataFrame(cells).pivot_table(index="method", columns="ood", values="cell", aggfunc="first", sort=False)
    wide.columns.name = None
    return wide.style.set_caption(caption).set_table_styles(display.CAPTION_STYLE)


_S2 = {"paper": PAPER, "table": "Table S2", "in_dist": IN_DIST, "metric": "AUROC"}
_S3 = {"paper": PAPER, "table": "Table S3", "in_dist": IN_DIST, "metric": "AUROC"}
_BLOCKS = [f"{m}/{s}" for m in ("Raw", "4x4", "Diff", "Diff†") for s in (*SETTINGS, NO_OUTLIER_LOSS)]
CLAIMS = [
    Claim("hier-s2-diff-raw", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "The log-likelihood difference to a learned general model (Diff) detects OOD images better than the raw "
          "likelihood of the same CIFAR-10 Glow — with or without the outlier loss, unsupervised or supervised "
          "(main paper §5; judged over 3 training seeds).",
          {**_S2, "method": _BLOCKS}, "seeds", method="Diff/{}", versus="Raw/{}", needs=TABLE_S2_OOD),
    Claim("hier-s2-dagger", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "Diff† (a general model trained with CIFAR-10 images as its outliers) is at least as good as Diff, in both "
          "settings (Table S2; Fig. S5: \"always outperforms\").",
          {**_S2, "method": _BLOCKS}, "seeds", method="Diff†/{}", versus="Diff/{}", needs=TABLE_S2_OOD),
    Claim("hier-s2-supervised", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "The supervised (class-conditional) Glow is at least as good as the unsupervised one, for 4x4, Diff and "
          "Diff† (Fig. S5: \"supervised setting outperforms unsupervised setting\").",
          {**_S2, "method": [f"{m}/{s}" for m in ("4x4", "Diff", "Diff†") for s in SETTINGS]}, "seeds",
          method="{}/Supervised", versus="{}/Unsupervised", needs=TABLE_S2_OOD),
    Claim("hier-s3-dagger", PAPER, "§S7.4", "hierarchy/s7_4_more_ood",
          "On CelebA and Tiny-ImageNet, Diff† is at least as good as Diff, in both settings (Table S3).",
          {**_S3, "ood": list(TABLE_S3_OOD), "method": _BLOCKS}, "seeds", method="Diff†/{}", versus="Diff/{}"),
]


# --- S3: Fourier amplitude/phase mixing ---------------------------------------------------------------------------

FOURIER = "Fourier mix"


def fourier_rows(model, sets: dict, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Return (rows ood, method, metric, value; example images) of S3: each set's images mixed with a seeded
    derangement of themselves (amplitudes of one, phases of another), and the Spearman correlation of the mixed
    images' log-likelihoods (noise-free) with the amplitude images' ("Fourier mix/amplitude") and with the phase
    images' ("Fourier mix/phase")."""
    from scipy.stats import spearmanr

    from ..fourier import mix_amplitude_phase, mixing_pairs
    from ..scores import RawLikelihood

    raw = RawLikelihood().fit(model)
    rows, examples = [], {}
    for name, images in sets.items():
        amplitude, phase = mixing_pairs(images.x, seed)
        mixed = mix_amplitude_phase(amplitude, phase)
        ll = {k: -raw.score(v).numpy() for k, v in (("mixed", mixed), ("amplitude", amplitude), ("phase", phase))}
        for source in ("amplitude", "phase"):
            rows.append({"ood": name, "method": f"{FOURIER}/{source}", "metric": "spearman",
                         "value": float(spearmanr(ll["mixed"], ll[source]).statistic)})
        examples[name] = {"amplitude image": amplitude[:8], "phase image": phase[:8], "result": mixed[:8]}
    return pd.DataFrame(rows), examples


# --- S7.1–S7.2: bits/dim and training curves ----------------------------------------------------------------------

TABLE_S1 = {"Tiny": "general", "Retr": "scratch", "Finet": "finetune@0"}    # Table S1's columns: our models


def bits_per_dim_rows(profile: str, seed: int = 0) -> pd.DataFrame:
    """Return Table S1's cells on CIFAR-10's test images: bits/dim (one uniform dequantisation sample per image, as
    the supplement's) of the general Glow ("Tiny"), the Glow trained from scratch ("Retr") and the one finetuned
    from the general Glow ("Finet"), and the difference Finet − Retr."""
    test = hier_test_images(profile, seed)
    bpd = {}
    for column, variant in TABLE_S1.items():
        model = trained_general(profile, seed) if variant == "general" else trained_hier_glow(profile, variant, seed)
        bpd[column] = model.bits_per_dim(test.x, noise=True, seed=seed)
    rows = [{"ood": "", "method": c, "metric": "bpd", "value": v} for c, v in bpd.items()]
    rows.append({"ood": "", "method": "Finet − Retr", "metric": "bpd difference", "value": bpd["Finet"] - bpd["Retr"]})
    return pd.DataFrame(rows)


def curve_sets(profile: str, seed: int = 0) -> dict:
    """Return the OOD sets the training curves score (those of Tables S2 and S3 that are here)."""
    return hier_ood_sets((*TABLE_S2_OOD, *TABLE_S3_OOD), profile, seed)[0]


def training_curves(profile: str, seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """Return, for every epoch's weights kept of the curve Glows (CURVES; the last epoch's are the model's own), the
    test images' bits/dim (one noise sample) and the AUROC of Diff to the general Glow on each of ``curve_sets`` and
    their mean: rows model, epoch, metric, ood, value. "own" (Fig. S4) continues "scratch" for as many epochs again:
    its last epoch only, numbered after scratch's."""
    from ..cache import load_snapshot, snapshots
    from ..evaluate import evaluate
    from ..progress import progress_bar
    from ..scores import LikelihoodDiff

    test, sets, general = hier_test_images(profile, seed), curve_sets(profile, seed), trained_general(profile, seed)
    rows, epochs = [], _sizes(profile).hi_epochs
    for variant in (*CURVES, "own"):
        model = trained_hier_glow(profile, variant, seed, progress)
        config = hier_glow_recipe(IN_DIST, profile, seed, variant)[0]
        name = split_variant(variant)[0]
        weights = {k: path for k, path in snapshots(model.cache_key).items() if k < epochs} if name != "own" else {}
        kept = [(k, functools.partial(load_snapshot, config, path)) for k, path in sorted(weights.items())]
        kept.append((2 * epochs if name == "own" else epochs, lambda m=model: m))
        for at, load in progress_bar(kept, enabled=progress, desc=name):
            snap = load()
            rows.append({"model": name, "epoch": at, "metric": "bpd", "ood": IN_DIST,
                         "value": snap.bits_per_dim(test.x, noise=True, seed=seed)})
            ev = evaluate(LikelihoodDiff(general).fit(snap), test, sets, method="Diff")
            aurocs = ev.table[ev.table.metric == "AUROC"]
            rows += [{"model": name, "epoch": at, "metric": "AUROC", "ood": r.ood, "value": r.value}
                     for r in aurocs.itertuples()]
            rows.append({"model": name, "epoch": at, "metric": "AUROC", "ood": "mean", "value": aurocs.value.mean()})
    return pd.DataFrame(rows)


def first_epoch_beating(curves: pd.DataFrame, metric: str, ood: str, lower_is_better: bool) -> float:
    """Return the percentage of the training epochs after which the finetuned Glow first matches the from-scratch
    Glow's final ``metric`` (Figs. S2–S3: "after less than 20% of the training epochs"); over 100 if never."""
    part = curves[(curves.metric == metric) & (curves.ood == ood)]
    scratch = part[part.model == "scratch"].sort_values("epoch")
    tuned = part[part.model == "finetune"].sort_values("epoch")
    final = scratch.value.iloc[-1]
    better = tuned.value <= final if lower_is_better else tuned.value >= final
    epochs = int(tuned.epoch.max())          # the last epoch's weights are always kept, however few others are
    return 100.0 * (float(tuned.epoch[better].iloc[0]) if better.any() else epochs + 1.0) / epochs


def curve_rows(curves: pd.DataFrame) -> pd.DataFrame:
    """Return the rows Figs. S2–S3's claims read: the fraction of epochs the finetuned Glow needs to match the final
    from-scratch Glow in bits/dim (Fig. S3) and in mean Diff AUROC (Fig. S2), and the final AUROCs of Fig. S4."""
    fraction = "fraction_of_epochs_to_beat_scratch"
    rows = [{"table": "Fig S3", "ood": "", "method": "finetuned vs from scratch", "metric": fraction,
             "value": first_epoch_beating(curves, "bpd", IN_DIST, True)},
            {"table": "Fig S2", "ood": "", "method": "Diff/finetuned vs from scratch", "metric": fraction,
             "value": first_epoch_beating(curves, "AUROC", "mean", False)}]
    final = curves[(curves.metric == "AUROC") & (curves.ood == "mean")]
    last = {m: g.sort_values("epoch").value.iloc[-1] for m, g in final.groupby("model")}
    rows.append({"table": "Fig S4", "ood": "", "method": "Diff/finetuned from Tiny vs finetuned from own model",
                 "metric": "AUROC_gain", "value": last["finetune"] - last["own"]})
    return pd.DataFrame(rows)


def figure_rows(page, rows: pd.DataFrame, section: str) -> pd.DataFrame:
    """Return ``curve_rows`` as results rows, one table (figure) at a time."""
    return pd.concat([page.rows(g.drop(columns="table"), section=section, table=t, model="Glow", in_dist=IN_DIST)
                      for t, g in rows.groupby("table", sort=False)], ignore_index=True)

_S1 = {"paper": PAPER, "in_dist": IN_DIST}
CLAIMS += [
    Claim("hier-s3-amplitude", PAPER, "§S3", "hierarchy/s3_fourier",
          "The likelihoods of amplitude/phase-mixed images follow the amplitude image: Spearman correlation with the "
          "amplitude image's likelihoods above 0.8 (CIFAR-10 Glow, CIFAR-10 and SVHN images).",
          {"paper": PAPER, "table": "text §S3", "ood": [IN_DIST, "svhn"], "method": f"{FOURIER}/amplitude",
           "metric": "spearman"}, "above",
          threshold=0.8, needs=("svhn",)),
    Claim("hier-s3-phase", PAPER, "§S3", "hierarchy/s3_fourier",
          "... and not the phase image, which carries the semantic content: Spearman correlation with the phase "
          "image's likelihoods below 0.05.",
          {"paper": PAPER, "table": "text §S3", "ood": [IN_DIST, "svhn"], "method": f"{FOURIER}/phase",
           "metric": "spearman"}, "below",
          threshold=0.05, needs=("svhn",)),
    Claim("hier-s1-finetune", PAPER, "§S7.1", "hierarchy/s7_1_finetuning",
          "Finetuning the general Glow on CIFAR-10 reaches a lower bits/dim than training from scratch (Table S1: "
          "3.36 vs 3.40).",
          {**_S1, "table": "Table S1", "method": "Finet − Retr", "metric": "bpd difference"}, "below", threshold=0.0),
    Claim("hier-fig-s3", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "The finetuned Glow matches the final bits/dim of the from-scratch Glow within less than 20% of the "
          "training epochs (Fig. S3, CIFAR-10/100).",
          {**_S1, "table": "Fig S3", "metric": "fraction_of_epochs_to_beat_scratch"}, "below", threshold=20.0),
    Claim("hier-fig-s2", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "The finetuned Glow matches the final Diff AUROC of the from-scratch Glow within less than 20% of the "
          "training epochs (Fig. S2).",
          {**_S1, "table": "Fig S2", "metric": "fraction_of_epochs_to_beat_scratch"}, "below", threshold=20.0),
    Claim("hier-fig-s4", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "At the end of training, the Glow finetuned from the general model detects better (Diff AUROC) than one "
          "finetuned from its own from-scratch weights, i.e. trained twice as long (Fig. S4; the paper quantifies "
          "CIFAR-100's gap, ~6%, and CIFAR-100's train split is missing here: tested on CIFAR-10).",
          {**_S1, "table": "Fig S4", "metric": "AUROC_gain"}, "above", threshold=0.0),
]


# --- S2: other model biases ----------------------------------------------------------------------------------------

ARCHITECTURES = {"local 8×8 Glow": "local", "fully connected Glow": "dense"}


def architecture_rows(profile: str, sets: dict, seed: int = 0) -> pd.DataFrame:
    """Return S2's comparison: on CIFAR-10's test images and each OOD set, the Spearman correlation of the local and
    fully connected Glows' log-likelihoods with the full Glow's (the from-scratch one: all three trained alike), over
    each set and over all sets pooled, and every model's raw-likelihood AUROC. Rows model, ood, method, metric,
    value."""
    from scipy.stats import spearmanr

    from ..evaluate import evaluate
    from ..scores import RawLikelihood

    test = hier_test_images(profile, seed)
    models = {"full Glow": trained_hier_glow(profile, "scratch", seed), "local 8×8 Glow": trained_local(profile, seed),
              "fully connected Glow": trained_dense(profile, seed)}
    everything = {IN_DIST: test, **sets}
    ll = {m: {k: -RawLikelihood().fit(model).score(v.x).numpy() for k, v in everything.items()}
          for m, model in models.items()}
    rows = []
    for m in ARCHITECTURES:
        for k in everything:
            rows.append({"model": m, "ood": k, "method": "vs full Glow", "metric": "spearman",
                         "value": float(spearmanr(ll[m][k], ll["full Glow"][k]).statistic)})
        pooled = [np.concatenate([ll[name][k] for k in everything]) for name in (m, "full Glow")]
        rows.append({"model": m, "ood": "all pooled", "method": "vs full Glow", "metric": "spearman",
                     "value": float(spearmanr(*pooled).statistic)})
    for m, model in models.items():
        ev = evaluate(RawLikelihood().fit(model), test, sets, method="Raw")
        rows += [{"model": m, **r} for r in ev.table[ev.table.metric == "AUROC"].to_dict("records")]
    return pd.DataFrame(rows)


# --- S7.5: margin loss vs outlier loss ------------------------------------------------------------------------------

def loss_comparison_scorers(profile: str, seed: int = 0) -> dict:
    """Return {method: fitted scorer} of S7.5: Diff (to the general Glow) and the raw likelihood of the CIFAR-10
    Glow finetuned with the outlier loss (seed 0) and of the one finetuned with the margin loss."""
    from ..scores import LikelihoodDiff, RawLikelihood

    general = trained_general(profile, seed)
    out = {}
    for name, variant in (("outlier loss", "outlier@0"), ("margin loss", "margin")):
        model = trained_hier_glow(profile, variant, seed)
        out[f"Diff/{name}"] = LikelihoodDiff(general).fit(model)
        out[f"Raw/{name}"] = RawLikelihood().fit(model)
    return out


# --- S8: the general set's most likely images ----------------------------------------------------------------------

S8_MODELS = {"without the outlier loss (Fig. S7)": "finetune@0", "with the outlier loss (Fig. S8)": "outlier@0"}


def top_general_images(profile: str, seed: int = 0, k: int = 12) -> tuple[dict, pd.DataFrame]:
    """Return ({row label: the k general-set images that look most in-distribution}, rows) for Figs. S7–S8: per
    CIFAR-10 Glow (without and with the outlier loss) and metric (raw likelihood, Diff to the general Glow, the last
    scale), the k images with the lowest OOD score. The rows describe those images: their mean PNG code length
    (bits/dim: how simple they are) and the share that comes from CIFAR-100, the part of the general set closest to
    CIFAR-10; columns model, ood ("general"), method, metric, value."""
    from ..scores import LastScale, LikelihoodDiff, RawLikelihood
    from ..scores.complexity import code_length_bits

    general_set, general = data.load(GENERAL, "train", channels=3), trained_general(profile, seed)
    cifar100 = [name for name, _ in data.halves.GENERAL_PARTS].index("cifar100")
    images, rows = {}, []
    for label, variant in S8_MODELS.items():
        model = trained_hier_glow(profile, variant, seed)
        for method, scorer in (("Raw", RawLikelihood()), ("Diff", LikelihoodDiff(general)), ("4x4", LastScale())):
            scores = scorer.fit(model).score(general_set.x)
            top = torch.argsort(scores)[:k]
            images[f"{method}, {label.split(' (')[0]}"] = general_set.x[top]
            bits = code_length_bits(general_set.x[top], "png") / general_set.x[0].numel()
            short = "without" if variant.startswith("finetune") else "with"
            rows += [{"model": f"Glow ({short} outlier loss)", "ood": "general", "method": method,
                      "metric": "PNG bits/dim of the top images", "value": float(bits.mean())},
                     {"model": f"Glow ({short} outlier loss)", "ood": "general", "method": method,
                      "metric": "share of CIFAR-100 in the top images",
                      "value": float((general_set.y[top] == cifar100).float().mean())}]
    return images, pd.DataFrame(rows)


# --- S9: the binary classifier --------------------------------------------------------------------------------------

TABLE_S4_OOD = ("svhn", "cifar100", "lsun")


S8_TABLES = {"Glow (without outlier loss)": "Fig S7", "Glow (with outlier loss)": "Fig S8", "Glow": "Fig S8"}


def rows_by_model(page, values: pd.DataFrame, *, section: str, table) -> pd.DataFrame:
    """Return ``values`` (with a model column) as results rows, one ``page.rows`` call per model; ``table``: the
    results table's name, or {model: table name}."""
    return pd.concat([page.rows(g.drop(columns="model"), section=section, model=m, in_dist=IN_DIST,
                                table=table[m] if isinstance(table, dict) else table)
                      for m, g in values.groupby("model", sort=False)], ignore_index=True)


def s8_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``top_general_images``' rows and, per metric, the CIFAR-100 share with minus without the outlier loss
    (Fig. S8 against Fig. S7: "more fitting images for all metrics")."""
    share = rows[rows.metric == "share of CIFAR-100 in the top images"].pivot_table(index="method", columns="model",
                                                                                     values="value", sort=False)
    gain = pd.DataFrame({"model": "Glow", "ood": "general", "method": share.index,
                         "metric": "share of CIFAR-100: with minus without the outlier loss",
                         "value": share["Glow (with outlier loss)"] - share["Glow (without outlier loss)"]})
    return pd.concat([rows, gain], ignore_index=True)


def binary_evaluations(profile: str, sets: dict, seed: int = 0) -> dict:
    """Return {method: Evaluation} of Table S4's binary classifier, p(in | x), and of the unsupervised generative
    scores it is compared with in S9 (Diff and Diff† of training seed 0), on the same test images."""
    from ..evaluate import evaluate
    from ..scores import InDistributionProbability

    test = hier_test_images(profile, seed)
    scorers = {"Binary classifier": InDistributionProbability(in_class=1).fit(trained_binary_classifier(profile, seed))}
    unsup = setting_scorers(profile, "Unsupervised", 0, seed)
    scorers.update({m: unsup[m] for m in ("Diff/Unsupervised", "Diff†/Unsupervised")})
    return {m: evaluate(s, test, sets, method=m) for m, s in scorers.items()}


_S4 = {"paper": PAPER, "table": "Table S4", "in_dist": IN_DIST, "metric": "AUROC"}
CLAIMS += [
    Claim("hier-s2-local", PAPER, "§S2", "hierarchy/s2_architectures",
          "A Glow that sees only 8×8 patches, and one with fully connected steps, rank images by likelihood much as "
          "the full Glow does (S2 with the main paper §2: the likelihood is dominated by local, low-level features; "
          "the book asks for a Spearman correlation of at least 0.8 over the CIFAR-10 and OOD images pooled).",
          {"paper": PAPER, "table": "S2", "ood": "all pooled", "metric": "spearman"}, "above", threshold=0.8),
    Claim("hier-s6-margin", PAPER, "§S7.5", "hierarchy/s7_5_margin",
          "The margin loss is less stable than the outlier loss in longer training: its Diff AUROC drops in the later "
          "stages of training (Fig. S6; the book reads 'later' as beyond half of the paper's 250 epochs).",
          {"paper": PAPER, "table": "Fig S6", "in_dist": IN_DIST, "metric": "AUROC",
           "method": ["Diff/outlier loss", "Diff/margin loss"]}, "beats",
          method="Diff/outlier loss", after_epochs=("hi_epochs", IN_DIST, 125)),
    Claim("hier-s7-raw", PAPER, "§S8", "hierarchy/s8_qualitative",
          "Without the outlier loss, the raw likelihood's most likely general images are simpler (constant images) "
          "than Diff's (Fig. S7): the book measures simplicity as the PNG code length of the 12 top images.",
          {"paper": PAPER, "table": "Fig S7", "model": "Glow (without outlier loss)",
           "metric": "PNG bits/dim of the top images", "method": ["Diff", "Raw"]}, "ratio", threshold=1.0,
          method="Diff", versus="Raw"),
    Claim("hier-s8-outlier", PAPER, "§S8", "hierarchy/s8_qualitative",
          "With the outlier loss, every metric's most likely general images are more CIFAR-like (Fig. S8 against "
          "S7); the book counts the 12 top images that come from CIFAR-100, the general set's closest part.",
          {"paper": PAPER, "table": "Fig S8", "metric": "share of CIFAR-100: with minus without the outlier loss"},
          "above", threshold=0.0),
    Claim("hier-s9-cifar100", PAPER, "§S9", "hierarchy/s9_classifier",
          "The binary classifier (CIFAR-10 vs the general set) detects CIFAR-100 better than the unsupervised "
          "generative method (S9: 89% vs 87%; compared here with Diff† of training seed 0, paired over the same "
          "images).",
          {**_S4, "ood": "cifar100", "method": ["Binary classifier", "Diff†/Unsupervised"]}, "beats",
          method="Binary classifier"),
    Claim("hier-s9-svhn", PAPER, "§S9", "hierarchy/s9_classifier",
          "The binary classifier detects SVHN worse than the unsupervised generative method (S9: 93% vs 99%).",
          {**_S4, "ood": "svhn", "method": ["Diff†/Unsupervised", "Binary classifier"]}, "beats",
          method="Diff†/Unsupervised", needs=("svhn",)),
]
