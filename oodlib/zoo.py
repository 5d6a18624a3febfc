"""The book's canonical models: recipes per (model, in-distribution set, profile)."""

from __future__ import annotations

from dataclasses import replace

from .cache import DataSpec, get_trained
from .errors import UnknownName
from .models import GlowConfig, VAEConfig
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


def profile_models(profile: str) -> list[tuple[str, str, float]]:
    """Return (kind, in-distribution set, width) of every model the ROSE pages need at ``profile``."""
    p = get_profile(profile)
    out = [(kind, d, 1.0) for kind in ("vae", "background-vae") for d in VAE_ARCH]
    out += [("width-vae", d, w * p.width_base) for d in p.width_sets for w in p.widths]
    return out + [(kind, d, 1.0) for kind in ("glow", "background-glow") for d in GLOW_ARCH]


FETCH = {"vae": trained_vae, "background-vae": trained_background_vae, "width-vae": trained_width_vae,
         "glow": trained_glow, "background-glow": trained_background_glow}


def main(argv=None) -> None:
    """Command line: ``python -m oodlib.zoo {vae,background-vae,glow,background-glow} fmnist cifar10 --profile cpu [--width 1] [--promote]``
    or ``python -m oodlib.zoo all --profile cpu`` for every model the ROSE pages need."""
    import argparse

    from .cache import promote

    ap = argparse.ArgumentParser(prog="python -m oodlib.zoo", description="train (or fetch) canonical models")
    ap.add_argument("kind", choices=[*FETCH, "all"], help="'all': every model of the profile's pages")
    ap.add_argument("in_dist", nargs="*")
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--promote", action="store_true", help="copy the weights into checkpoints/ (committed)")
    args = ap.parse_args(argv)
    todo = (profile_models(args.profile) if args.kind == "all"
            else [(args.kind, d, args.width) for d in args.in_dist])
    for kind, d, width in todo:
        fetch = FETCH[kind]
        model = fetch(d, args.profile, args.seed, width) if "vae" in kind else fetch(d, args.profile, args.seed)
        label = f"{kind} {d}" + (f", width {width:g}" if "vae" in kind else "")
        print(f"{label}: model {model.cache_key}")
        if args.promote:
            print("promoted to", promote(model.cache_key, note=f"{label}, profile {args.profile}"))


if __name__ == "__main__":
    main()
