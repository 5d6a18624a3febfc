"""The approximate mass (Chali et al.): the model recipes (model config, data, training config) and the trained models its pages use."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import torch

from ... import data
from ...cache import DataSpec, get_trained, load_snapshot, snapshots
from ...errors import BadInput, UnknownName
from ...models import ClassifierConfig, RealNVPConfig, build, parameter_count
from ...train import TrainConfig
from ..kit import ModelKind
from .sizes import _sizes

REALNVP_ARCH = {  # Chali §4.2: 2 scales × 4 blocks (≈10M parameters), 3 scales × 6 blocks (≈60M)
    "fmnist": dict(channels=1, image_size=28, scales=2, blocks=4, hidden=64),
    "mnist": dict(channels=1, image_size=28, scales=2, blocks=4, hidden=64),    # §4.4, as Fashion-MNIST's
    "cifar10": dict(channels=3, image_size=32, scales=3, blocks=6, hidden=64),
}


CHALI_ALPHA = 2.0          # §4.1: "α = 2 yields the best results"


REFERENCE_CLIP_NATS = 100.0   # the reference code clips the gradient norm of its nats-per-image loss at 100


def realnvp_recipe(in_dist: str, profile: str, seed: int = 0, alpha: float = 0.0, classes=None):
    """Return (RealNVPConfig, DataSpec, TrainConfig) of Chali et al.'s RealNVP on ``in_dist`` at ``profile``.

    ``alpha`` = 0 is vanilla maximum likelihood, ``alpha`` > 0 adds the approximate-mass penalty of Eq. 2
    with that weight (the paper's: ``CHALI_ALPHA``). ``classes`` (e.g. ``[3]``) trains on those classes
    of the training split only: the one-class models of §4.4 (sizes from the profile's ``oneclass_*``).

    §4.1 names Adam and 200 epochs, nothing else. Batch 64 and lr 1e-3 (constant) are ours (the reference
    code's defaults are batch 32, lr 5e-5, with random crops, flips and rotations of the training images,
    which we leave out); its clipping of the gradient norm at 100 nats per image is kept, here in the
    loss's units (bits/dim: 100 / (D ln 2)). Images keep their own size (28×28 for the MNISTs).
    """
    if in_dist not in REALNVP_ARCH:
        raise UnknownName(f"no RealNVP recipe for in-distribution set {in_dist!r}; known: {', '.join(REALNVP_ARCH)}")
    p = _sizes(profile)
    one_class = classes is not None
    changes = p.oneclass_arch if one_class else p.realnvp_arch.get(in_dist, {})
    model = RealNVPConfig(**{**REALNVP_ARCH[in_dist], **changes})
    spec = DataSpec(in_dist, "train", n=p.oneclass_n_train if one_class else p.realnvp_n_train.get(in_dist),
                    seed=seed, channels=model.channels, size=model.image_size,
                    classes=tuple(int(c) for c in classes) if one_class else None)
    dims = model.channels * model.image_size ** 2
    tcfg = TrainConfig(epochs=(p.oneclass_epochs if one_class else p.realnvp_epochs)[in_dist], batch_size=64,
                       lr=1e-3, optimizer="adam", lr_step_epochs=None, seed=seed,
                       penalty="approx_mass" if alpha else None, penalty_weight=float(alpha),
                       clip_grad_norm=REFERENCE_CLIP_NATS / (dims * math.log(2)))
    return model, spec, tcfg


def trained_realnvp(in_dist: str, profile: str, seed: int = 0, alpha: float = 0.0, classes=None,
                    keep_snapshots: bool = False, progress: bool = True):
    """Return Chali et al.'s RealNVP for ``in_dist`` at ``profile`` (vanilla if ``alpha`` = 0; see ``realnvp_recipe``).

    ``keep_snapshots``: keep its weights after every epoch too (``realnvp_snapshots``), for §3.1's Figs. 1–2.
    """
    return get_trained(*realnvp_recipe(in_dist, profile, seed, alpha, classes), progress=progress,
                       keep_snapshots=keep_snapshots)


def alpha_realnvp_recipe(in_dist: str, profile: str, seed: int = 0, alpha: float = CHALI_ALPHA):
    """Return the recipe of one model of the §4.1 α ablation: ``realnvp_recipe`` at ``alpha``, trained for the
    profile's ``chali_alpha_epochs`` where it names fewer epochs (α = 0 and α = 2 included, so that all the
    ablation's models compare)."""
    model, spec, tcfg = realnvp_recipe(in_dist, profile, seed, alpha)
    shorter = _sizes(profile).chali_alpha_epochs.get(in_dist)
    return model, spec, replace(tcfg, epochs=shorter) if shorter else tcfg


def trained_alpha_realnvp(in_dist: str, profile: str, seed: int = 0, alpha: float = CHALI_ALPHA,
                          progress: bool = True):
    """Return the trained model of the §4.1 α ablation at ``alpha`` (see ``alpha_realnvp_recipe``)."""
    return get_trained(*alpha_realnvp_recipe(in_dist, profile, seed, alpha), progress=progress)


def realnvp_snapshots(page, in_dist: str, alpha: float = 0.0, progress: bool = True):
    """Return {epoch: model} of Chali et al.'s RealNVP after every epoch of its training (trained if needed)."""

    recipe = realnvp_recipe(in_dist, page.profile_name, page.seed, alpha)
    final = get_trained(*recipe, progress=progress, keep_snapshots=True)
    return {k: load_snapshot(recipe[0], path) for k, path in snapshots(final.cache_key).items()}


# Chali §4.3: the baselines' classifier has "a similar number of parameters" as the flow of §4.2. The energy
# baseline is trained with outliers (Liu et al. 2020): MNIST's training split for Fashion-MNIST, as the paper;
# SVHN for CIFAR-10 in the paper, missing here, so CIFAR-100's test split (no Table 2 row uses it).
CLASSIFIER_VARIANTS = ("plain", "godin", "energy")


ENERGY_OUTLIERS = {"fmnist": "mnist:train", "cifar10": "cifar100:test"}


def matched_width(target_params: int, channels: int, image_size: int, blocks: int) -> int:
    """Return the classifier width (a multiple of 8, at most 1024) whose parameter count is closest to
    ``target_params`` (the count grows with the width: a bisection)."""
    def count(width):
        cfg = ClassifierConfig(channels=channels, image_size=image_size, width=width, blocks=blocks)
        with torch.device("meta"):      # shapes only: no memory, no initialisation (~50× faster)
            return parameter_count(build(cfg.to_dict()))
    lo, hi = 1, 128                      # widths 8·lo … 8·hi
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if count(8 * mid) < target_params else (lo, mid)
    candidates = [8 * w for w in (lo - 1, lo) if w >= 1]
    return min(candidates, key=lambda w: abs(count(w) - target_params))


def classifier_recipe(in_dist: str, profile: str, seed: int = 0, variant: str = "plain"):
    """Return (ClassifierConfig, DataSpec, TrainConfig) of a Table 2 baseline classifier on ``in_dist``.

    Sized to the parameter count of the profile's RealNVP (``realnvp_recipe``), trained on the same images.
    ``variant``: "plain" (cross-entropy: Mahalanobis, Energy without outliers), "godin" (G-ODIN's DeConf-C
    head) or "energy" (cross-entropy + Liu et al.'s energy-bounded loss on ``ENERGY_OUTLIERS``). Adam,
    lr 1e-3, batch 64, from scratch (Liu et al. fine-tune a trained classifier; Chali et al. say "train").
    """
    if variant not in CLASSIFIER_VARIANTS:
        raise UnknownName(f"unknown classifier variant {variant!r}; known: {', '.join(CLASSIFIER_VARIANTS)}")
    flow_cfg, flow_spec, _ = realnvp_recipe(in_dist, profile, seed)
    p = _sizes(profile)
    with torch.device("meta"):
        target = parameter_count(build(flow_cfg.to_dict()))
    width = matched_width(target, flow_cfg.channels, flow_cfg.image_size, p.classifier_blocks)
    model = ClassifierConfig(channels=flow_cfg.channels, image_size=flow_cfg.image_size, width=width,
                             blocks=p.classifier_blocks, head="godin" if variant == "godin" else "linear")
    energy = variant == "energy"
    tcfg = TrainConfig(epochs=p.classifier_epochs[in_dist], batch_size=64, lr=1e-3, optimizer="adam",
                       lr_step_epochs=None, seed=seed, penalty="energy_outlier" if energy else None,
                       penalty_weight=0.1 if energy else 0.0, penalty_data=ENERGY_OUTLIERS[in_dist] if energy else None)
    return model, flow_spec, tcfg


def trained_classifier(in_dist: str, profile: str, seed: int = 0, variant: str = "plain", progress: bool = True):
    """Return the trained Table 2 baseline classifier (see ``classifier_recipe``)."""
    return get_trained(*classifier_recipe(in_dist, profile, seed, variant), progress=progress)


N_HELD_OUT = 1000   # held-out in-distribution training images: G-ODIN's ε (§4.3), the α page's ID columns


def held_out_images(spec, n: int = N_HELD_OUT):
    """Return ``n`` images of ``spec``'s split that ``spec`` does not train on (e.g. G-ODIN's validation images).

    ``DataSpec`` draws its ``spec.n`` training images as the first ``spec.n`` of a seeded permutation; these are
    the next ``n`` of the same permutation, so they never overlap.
    """


    full = data.load(spec.name, spec.split, size=spec.size, channels=spec.channels)
    total = len(full)
    used = total if spec.n is None else spec.n
    if used + n > total:
        raise BadInput(f"{spec.name}/{spec.split} has {total} images and the model trains on {used}: "
                       f"no {n} held-out images left; train on fewer (the profile's realnvp_n_train)")
    idx = np.random.default_rng(spec.seed).permutation(total)[used:used + n]
    return data.ImageSet(f"{spec.name}@held-out", spec.split, full.x[idx], full.y[idx])


def oneclass_realnvp_recipe(in_dist: str, profile: str, seed: int = 0, cls: int = 0):
    """Return the recipe of the §4.4 one-class model of class ``cls``: the penalised RealNVP (α = ``CHALI_ALPHA``)
    trained on that class alone."""
    return realnvp_recipe(in_dist, profile, seed, alpha=CHALI_ALPHA, classes=[int(cls)])


MODELS = {
    "realnvp": ModelKind(realnvp_recipe, snapshots=("cifar10",)),   # §3.1 scores the CIFAR-10 model after each epoch
    "realnvp-penalised": ModelKind(realnvp_recipe, "alpha", float, CHALI_ALPHA, "α {}"),
    "realnvp-alpha": ModelKind(alpha_realnvp_recipe, "alpha", float, CHALI_ALPHA, "α {}"),
    "realnvp-oneclass": ModelKind(oneclass_realnvp_recipe, "class", int, 0, "class {}"),
    "classifier": ModelKind(classifier_recipe, "variant", str, "plain", "{}"),
}


def profile_models(profile: str) -> list[tuple[str, str, float | int | str | None]]:
    """Return (kind, in-distribution set, extra) of every model the approximate-mass pages need at ``profile``:
    extra is the α of a penalised or an α-ablation RealNVP, the class of a one-class RealNVP, the variant of a
    §4.3 classifier, None otherwise."""
    p = _sizes(profile)
    out = [(kind, d, None) for kind in ("realnvp", "realnvp-penalised") for d in ("fmnist", "cifar10")]
    out += [("realnvp-alpha", d, a) for d in p.chali_alpha_sets for a in (0.0, *p.chali_alphas)]
    out += [("classifier", d, v) for d in ("fmnist", "cifar10") for v in CLASSIFIER_VARIANTS]
    return out + [("realnvp-oneclass", d, k) for d in ("mnist", "cifar10") for k in range(10)]
