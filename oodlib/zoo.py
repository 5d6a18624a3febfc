"""The book's canonical models: recipes per (model, in-distribution set, profile)."""

from __future__ import annotations

import math
from dataclasses import replace

import torch

from .cache import DataSpec, get_trained
from .errors import UnknownName
from .models import ClassifierConfig, GlowConfig, RealNVPConfig, VAEConfig, build, parameter_count
from .profiles import get_profile
from .train import TrainConfig

VAE_ARCH = {  # ROSE App. B.1: n and latent size per in-distribution set
    "fmnist": dict(channels=1, base=32, latent=100),
    "cifar10": dict(channels=3, base=64, latent=200),
}


def vae_recipe(in_dist: str, profile: str, seed: int = 0, width: float = 1.0):
    """Return (VAEConfig, DataSpec, TrainConfig) of the ROSE VAE on ``in_dist`` at ``profile``."""
    if in_dist not in VAE_ARCH:
        raise UnknownName(f"no VAE recipe for in-distribution set {in_dist!r}; known: {', '.join(VAE_ARCH)}")
    p = get_profile(profile)
    model = VAEConfig(**VAE_ARCH[in_dist], width=width * p.vae_width)
    spec = DataSpec(in_dist, "train", n=p.vae_n_train, seed=seed, channels=model.channels)
    tcfg = TrainConfig(epochs=p.vae_epochs[in_dist], batch_size=64, lr=1e-3,
                       lr_step_epochs=p.vae_lr_step[in_dist], lr_gamma=0.5, seed=seed)
    return model, spec, tcfg


# ROSE App. B.3: perturbation rate μ and L2 weight λ of the LRatio background VAE (λ = 0 for the VAE)
BACKGROUND_VAE = {"fmnist": dict(mu=0.3, l2=0.0), "cifar10": dict(mu=0.2, l2=0.0)}


def width_vae_recipe(in_dist: str, profile: str, seed: int = 0, width: float = 1.0):
    """Return the recipe of a ROSE Table 3 VAE: ``width`` × the paper's, trained for the profile's width_epochs."""
    p = get_profile(profile)
    model, spec, tcfg = vae_recipe(in_dist, profile, seed, width)
    if p.width_epochs is None:
        return model, spec, tcfg
    return model, spec, replace(tcfg, epochs=p.width_epochs, lr_step_epochs=p.width_lr_step)


def trained_width_vae(in_dist: str, profile: str, seed: int = 0, width: float = 1.0, progress: bool = True):
    """Return the trained ROSE Table 3 VAE of ``width`` (× the paper's) for ``in_dist`` at ``profile``."""
    return get_trained(*width_vae_recipe(in_dist, profile, seed, width), progress=progress)


def background_vae_recipe(in_dist: str, profile: str, seed: int = 0, width: float = 1.0):
    """Return the recipe of the Likelihood Ratio background VAE: the same VAE, trained on perturbed inputs.

    λ enters as Adam's ``weight_decay`` (the gradient of (λ/2)‖θ‖²); App. B.3 uses λ = 0 for both VAEs.
    """
    model, spec, tcfg = vae_recipe(in_dist, profile, seed, width)
    bg = BACKGROUND_VAE[in_dist]
    tcfg = replace(tcfg, perturb_mu=bg["mu"], weight_decay=bg["l2"])
    shorter = get_profile(profile).background_epochs.get(in_dist)   # a shorter schedule where the profile says so
    if shorter:
        tcfg = replace(tcfg, epochs=shorter[0], lr_step_epochs=shorter[1])
    return model, spec, tcfg


def trained_background_vae(in_dist: str, profile: str, seed: int = 0, width: float = 1.0, progress: bool = True):
    """Return the trained LRatio background VAE for ``in_dist`` at ``profile``."""
    return get_trained(*background_vae_recipe(in_dist, profile, seed, width), progress=progress)


def trained_vae(in_dist: str, profile: str, seed: int = 0, width: float = 1.0, progress: bool = True):
    """Return the trained ROSE VAE for ``in_dist`` at ``profile`` (from the cache, or trained now)."""
    return get_trained(*vae_recipe(in_dist, profile, seed, width), progress=progress)


GLOW_ARCH = {  # ROSE App. B.2
    "fmnist": dict(channels=1, levels=2, steps=16, hidden=200),
    "cifar10": dict(channels=3, levels=3, steps=8, hidden=400),
}
GLOW_WEIGHT_DECAY = {"fmnist": 0.0, "cifar10": 5e-5}          # App. B.2: weight decay only for CIFAR-10
# App. B.3: perturbation rate μ and L2 weight λ of the LRatio background Glow
BACKGROUND_GLOW = {"fmnist": dict(mu=0.3, l2=0.01), "cifar10": dict(mu=0.2, l2=5e-5)}


def glow_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return (GlowConfig, DataSpec, TrainConfig) of the ROSE Glow on ``in_dist`` at ``profile``.

    App. B.2: Adamax, lr 5e-4, batch 64, weight decay 5e-5 for CIFAR-10 only; a constant learning rate
    (y0ast/Glow-PyTorch, the code ROSE used, also warms the rate up linearly over its first 5 epochs; App.
    B.2 does not mention it and we do not). The profile may narrow the coupling networks (``glow_arch``) and
    shortens training (``glow_epochs``). The training images are the VAE's (``vae_n_train``: all of them
    at every profile but ``smoke``).
    """
    if in_dist not in GLOW_ARCH:
        raise UnknownName(f"no Glow recipe for in-distribution set {in_dist!r}; known: {', '.join(GLOW_ARCH)}")
    p = get_profile(profile)
    model = GlowConfig(**{**GLOW_ARCH[in_dist], **p.glow_arch.get(in_dist, {})})
    spec = DataSpec(in_dist, "train", n=p.vae_n_train, seed=seed, channels=model.channels)
    tcfg = TrainConfig(epochs=p.glow_epochs[in_dist], batch_size=64, lr=5e-4, optimizer="adamax",
                       weight_decay=GLOW_WEIGHT_DECAY[in_dist], lr_step_epochs=None, seed=seed)
    return model, spec, tcfg


def background_glow_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of the LRatio background Glow: the same Glow trained on perturbed inputs.

    App. B.3 names an L2 weight λ without saying how it enters; here it is Adamax's ``weight_decay`` (the
    gradient of (λ/2)‖θ‖², on the bits/dim loss), and it replaces App. B.2's weight decay, which for
    CIFAR-10 has the same value (5e-5). The profile may shorten training (``glow_background_epochs``).
    """
    model, spec, tcfg = glow_recipe(in_dist, profile, seed)
    bg = BACKGROUND_GLOW[in_dist]
    tcfg = replace(tcfg, perturb_mu=bg["mu"], weight_decay=bg["l2"])
    shorter = get_profile(profile).glow_background_epochs.get(in_dist)
    return model, spec, replace(tcfg, epochs=shorter) if shorter else tcfg


def trained_glow(in_dist: str, profile: str, seed: int = 0, progress: bool = True):
    """Return the trained ROSE Glow for ``in_dist`` at ``profile`` (from the cache, or trained now)."""
    return get_trained(*glow_recipe(in_dist, profile, seed), progress=progress)


def trained_background_glow(in_dist: str, profile: str, seed: int = 0, progress: bool = True):
    """Return the trained LRatio background Glow for ``in_dist`` at ``profile``."""
    return get_trained(*background_glow_recipe(in_dist, profile, seed), progress=progress)


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
    p = get_profile(profile)
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
    shorter = get_profile(profile).chali_alpha_epochs.get(in_dist)
    return model, spec, replace(tcfg, epochs=shorter) if shorter else tcfg


def trained_alpha_realnvp(in_dist: str, profile: str, seed: int = 0, alpha: float = CHALI_ALPHA,
                          progress: bool = True):
    """Return the trained model of the §4.1 α ablation at ``alpha`` (see ``alpha_realnvp_recipe``)."""
    return get_trained(*alpha_realnvp_recipe(in_dist, profile, seed, alpha), progress=progress)


def realnvp_snapshots(in_dist: str, profile: str, seed: int = 0, alpha: float = 0.0, progress: bool = True):
    """Return {epoch: model} of Chali et al.'s RealNVP after every epoch of its training (trained if needed)."""
    from .cache import load_snapshot, snapshots

    recipe = realnvp_recipe(in_dist, profile, seed, alpha)
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
    p = get_profile(profile)
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
    import numpy as np

    from . import data
    from .errors import BadInput

    full = data.load(spec.name, spec.split, size=spec.size, channels=spec.channels)
    total = len(full)
    used = total if spec.n is None else spec.n
    if used + n > total:
        raise BadInput(f"{spec.name}/{spec.split} has {total} images and the model trains on {used}: "
                       f"no {n} held-out images left; train on fewer (the profile's realnvp_n_train)")
    idx = np.random.default_rng(spec.seed).permutation(total)[used:used + n]
    return data.ImageSet(f"{spec.name}@held-out", spec.split, full.x[idx], full.y[idx])


def profile_models(profile: str) -> list[tuple[str, str, float | int | None]]:
    """Return (kind, in-distribution set, extra) of every model the pages need at ``profile``: extra is the
    width of a VAE (× the paper's), the α of a penalised or an α-ablation RealNVP, the class of a one-class
    RealNVP, the variant of a §4.3 classifier, None otherwise."""
    p = get_profile(profile)
    out = [(kind, d, 1.0) for kind in ("vae", "background-vae") for d in VAE_ARCH]
    out += [("width-vae", d, w * p.width_base) for d in p.width_sets for w in p.widths]
    out += [(kind, d, None) for kind in ("glow", "background-glow") for d in GLOW_ARCH]
    out += [(kind, d, None) for kind in ("realnvp", "realnvp-penalised") for d in ("fmnist", "cifar10")]
    out += [("realnvp-alpha", d, a) for d in p.chali_alpha_sets for a in (0.0, *p.chali_alphas)]
    out += [("classifier", d, v) for d in ("fmnist", "cifar10") for v in CLASSIFIER_VARIANTS]
    return out + [("realnvp-oneclass", d, k) for d in ("mnist", "cifar10") for k in range(10)]


RECIPES = {"vae": vae_recipe, "background-vae": background_vae_recipe, "width-vae": width_vae_recipe,
           "glow": glow_recipe, "background-glow": background_glow_recipe}


def recipe(kind: str, in_dist: str, profile: str, seed: int = 0, extra=None):
    """Return (model config, DataSpec, TrainConfig) of one ``profile_models`` entry: what ``fetch`` trains or
    loads, without training or loading anything (``cache.model_key(*recipe(...))`` is its cache key)."""
    if kind == "realnvp":
        return realnvp_recipe(in_dist, profile, seed)
    if kind == "realnvp-penalised":
        return realnvp_recipe(in_dist, profile, seed, alpha=CHALI_ALPHA if extra is None else float(extra))
    if kind == "realnvp-alpha":
        return alpha_realnvp_recipe(in_dist, profile, seed, alpha=CHALI_ALPHA if extra is None else float(extra))
    if kind == "classifier":
        return classifier_recipe(in_dist, profile, seed, "plain" if extra is None else extra)
    if kind == "realnvp-oneclass":
        return realnvp_recipe(in_dist, profile, seed, alpha=CHALI_ALPHA, classes=[int(extra)])
    if kind not in RECIPES:
        raise UnknownName(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")
    if "vae" in kind:
        return RECIPES[kind](in_dist, profile, seed, 1.0 if extra is None else extra)
    return RECIPES[kind](in_dist, profile, seed)


def keeps_snapshots(kind: str, in_dist: str) -> bool:
    """Whether ``fetch`` keeps every epoch's weights of this model: §3.1 scores the CIFAR-10 RealNVP after each."""
    return kind == "realnvp" and in_dist == "cifar10"


def fetch(kind: str, in_dist: str, profile: str, seed: int = 0, extra=None, progress: bool = True):
    """Return the trained model of one ``profile_models`` entry (from the cache, or trained now)."""
    return get_trained(*recipe(kind, in_dist, profile, seed, extra), progress=progress,
                       keep_snapshots=keeps_snapshots(kind, in_dist))


FETCH = {"vae": trained_vae, "background-vae": trained_background_vae, "width-vae": trained_width_vae,
         "glow": trained_glow, "background-glow": trained_background_glow}
KINDS = [*FETCH, "realnvp", "realnvp-penalised", "realnvp-alpha", "realnvp-oneclass", "classifier"]


def _extra_label(kind: str, extra) -> str:
    if extra is None:
        return ""
    if "vae" in kind:
        return f", width {extra:g}"
    if kind in ("realnvp-penalised", "realnvp-alpha"):
        return f", α {extra:g}"
    return f", class {extra}" if kind == "realnvp-oneclass" else f", {extra}"


def main(argv=None) -> None:
    """Command line: ``python -m oodlib.zoo KIND fmnist cifar10 --profile cpu [--width 1 | --alpha 5 | --class 3 |
    --variant energy] [--promote]`` or ``python -m oodlib.zoo all --profile cpu`` for every model the pages need."""
    import argparse

    from .cache import promote

    ap = argparse.ArgumentParser(prog="python -m oodlib.zoo", description="train (or fetch) canonical models")
    ap.add_argument("kind", choices=[*KINDS, "all"], help="'all': every model of the profile's pages")
    ap.add_argument("in_dist", nargs="*")
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=float, default=1.0, help="VAEs: width × the paper's")
    ap.add_argument("--alpha", type=float, default=CHALI_ALPHA,
                    help="realnvp-penalised / realnvp-alpha: α of Chali Eq. 2")
    ap.add_argument("--class", dest="cls", type=int, default=0, help="realnvp-oneclass: the class trained on")
    ap.add_argument("--variant", default="plain", choices=CLASSIFIER_VARIANTS, help="classifier: §4.3 baseline")
    ap.add_argument("--promote", action="store_true", help="copy the weights into checkpoints/ (committed)")
    args = ap.parse_args(argv)
    extra = {"realnvp-penalised": args.alpha, "realnvp-alpha": args.alpha, "realnvp-oneclass": args.cls,
             "classifier": args.variant}.get(args.kind, args.width if "vae" in args.kind else None)
    todo = profile_models(args.profile) if args.kind == "all" else [(args.kind, d, extra) for d in args.in_dist]
    for kind, d, extra in todo:
        model = fetch(kind, d, args.profile, args.seed, extra)
        label = f"{kind} {d}" + _extra_label(kind, extra)
        print(f"{label}: model {model.cache_key}")
        if args.promote:
            print("promoted to", promote(model.cache_key, note=f"{label}, profile {args.profile}"))


if __name__ == "__main__":
    main()
