"""Hierarchies of distributions (Schirrmeister et al.): the model recipes (model config, data, training config) and the trained models its pages use."""

from __future__ import annotations

from ... import data
from ...cache import DataSpec, get_trained, model_key
from ...data.halves import GENERAL_NAME as GENERAL
from ...errors import UnknownName
from ...models import ClassifierConfig, DenseGlowConfig, GlowConfig, LocalGlowConfig
from ...outlier_loss import WEIGHT
from ...train import TrainConfig
from ..kit import ModelKind
from .sets import IN_DIST
from .sizes import _sizes

CLASSES = 10


def _check_in_dist(in_dist: str) -> None:
    if in_dist != IN_DIST:
        raise UnknownName(f"the hierarchies chapter trains CIFAR-10 Glows only, not {in_dist!r} (CIFAR-100's train "
                          "split and SVHN are not on this machine)")


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


def general_spec(seed: int = 0, n: int | None = None) -> DataSpec:
    """Return the DataSpec of the general-distribution set: every image of it, or ``n`` of them (the profile's
    ``hi_general_n``: at smoke only)."""
    return DataSpec(GENERAL, "train", n=n, seed=seed, channels=3)


def general_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return (GlowConfig, DataSpec, TrainConfig) of the general-distribution Glow (Tiny-Glow's stand-in)."""
    if in_dist != GENERAL:
        raise UnknownName(f"the general model is trained on {GENERAL!r}, not {in_dist!r}")
    return _glow_config(profile), general_spec(seed, _sizes(profile).hi_general_n), _train_config(profile, _sizes(profile).hi_general_epochs, seed)


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
    return _glow_config(profile), general_spec(seed, _sizes(profile).hi_general_n), tcfg


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
