"""The book's canonical models: recipes per (model, in-distribution set, profile)."""

from __future__ import annotations

from .cache import DataSpec, get_trained
from .errors import UnknownName
from .models import VAEConfig
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


def trained_vae(in_dist: str, profile: str, seed: int = 0, width: float = 1.0, progress: bool = True):
    """Return the trained ROSE VAE for ``in_dist`` at ``profile`` (from the cache, or trained now)."""
    return get_trained(*vae_recipe(in_dist, profile, seed, width), progress=progress)


def main(argv=None) -> None:
    """Command line: ``python -m oodlib.zoo vae fmnist cifar10 --profile cpu [--seed 0] [--promote]``."""
    import argparse

    from .cache import promote

    ap = argparse.ArgumentParser(prog="python -m oodlib.zoo", description="train (or fetch) canonical models")
    ap.add_argument("kind", choices=["vae"])
    ap.add_argument("in_dist", nargs="+")
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--promote", action="store_true", help="copy the weights into checkpoints/ (committed)")
    args = ap.parse_args(argv)
    for d in args.in_dist:
        model = trained_vae(d, args.profile, args.seed, args.width)
        print(f"{d}: model {model.cache_key}")
        if args.promote:
            print("promoted to", promote(model.cache_key, note=f"VAE {d}, profile {args.profile}"))


if __name__ == "__main__":
    main()
