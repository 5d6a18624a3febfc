"""The book's canonical models: every chapter's recipes, by model kind, in-distribution set and profile.

The recipes live in their chapter (``oodlib.chapters.rose.models``: VAEs and Glows; ``oodlib.chapters.chali.models``:
RealNVPs and classifiers, ...); this module gathers every chapter's model kinds, and trains or fetches any of them.

    python -m oodlib.zoo all --profile cpu          # every model the pages need (trained once, then cached)
    python -m oodlib.zoo classifier cifar10 --variant energy --promote
"""

from __future__ import annotations

from . import chapters
from .cache import get_trained, promote
from .chapters import ModelKind
from .chapters.rose import (  # noqa: F401 (read as zoo.<name> by the four pages not yet moved to Page's handle)
    BACKGROUND_VAE,
    BRIGHTNESS_TABLES,
    OE_L2,
    OE_L2_DETECTOR,
    PERTURBATIONS,
    background_vae_recipe,
    brightness_curves,
    brightness_rows,
    brightness_sets,
    brightness_view,
    l2_rows,
    perturbation_ranges,
    trained_background_vae,
    trained_oe_backgrounds,
    trained_oe_models,
    trained_vae,
    trained_width_vae,
    vae_recipe,
)
from .errors import UnknownName

# The chapter names above are read as ``zoo.<name>`` by the four ROSE pages not yet moved to Page's handle (§3.2, App.
# C.4, and §5.1–§5.2 of the VAE, which read each other's results: they need models the book does not commit, about
# 100 min of training at cpu; tests/test_pages.py lists them), until they read them from their chapter when they are
# next executed.


def kinds() -> dict[str, ModelKind]:
    """Return {model kind: ModelKind} of every chapter (a kind named by two chapters is an error)."""
    out = {}
    for m in chapters.modules():
        for kind, spec in m.MODELS.items():
            if kind in out:
                raise TypeError(f"model kind {kind!r} is defined by two chapters; rename one")
            out[kind] = spec
    return out


def _kind(kind: str) -> ModelKind:
    known = kinds()
    if kind not in known:
        raise UnknownName(f"unknown model kind {kind!r}; known: {', '.join(known)}")
    return known[kind]


def profile_models(profile: str) -> list[tuple[str, str, object]]:
    """Return (kind, in-distribution set, extra) of every model the pages of every chapter need at ``profile``
    (extra: a VAE's width, a RealNVP's α or class, a classifier's variant; None where the kind has none)."""
    return [entry for m in chapters.modules() for entry in m.profile_models(profile)]


def recipe(kind: str, in_dist: str, profile: str, seed: int = 0, extra=None):
    """Return (model config, DataSpec, TrainConfig) of one ``profile_models`` entry: what ``fetch`` trains or
    loads, without training or loading anything (``cache.model_key(*recipe(...))`` is its cache key)."""
    return _kind(kind).make(in_dist, profile, seed, extra)


def keeps_snapshots(kind: str, in_dist: str) -> bool:
    """Whether ``fetch`` keeps every epoch's weights of this model (e.g. Chali §3.1 scores the CIFAR-10 RealNVP
    after each)."""
    return in_dist in _kind(kind).snapshots


def committed_snapshot_epochs(kind: str, profile: str, extra=None):
    """Return the epochs whose snapshots the book commits for this model (None: every epoch it keeps)."""
    spec = _kind(kind)
    return None if spec.committed_epochs is None else spec.committed_epochs(profile, extra)


def extra_label(kind: str, extra) -> str:
    """Return how messages name a model's ``extra`` (", width 0.5", ", α 2", ", class 3", ", energy"; "" for none)."""
    return _kind(kind).extra_label(extra)


def fetch(kind: str, in_dist: str, profile: str, seed: int = 0, extra=None, progress: bool = True):
    """Return the trained model of one ``profile_models`` entry (from the cache, or trained now)."""
    return get_trained(*recipe(kind, in_dist, profile, seed, extra), progress=progress,
                       keep_snapshots=keeps_snapshots(kind, in_dist))


def main(argv=None) -> None:
    """Command line: ``python -m oodlib.zoo KIND fmnist cifar10 --profile cpu [--width 1 | --alpha 5 | --class 3 |
    --variant energy] [--promote]`` or ``python -m oodlib.zoo all --profile cpu`` for every model the pages need."""
    import argparse

    known = kinds()
    ap = argparse.ArgumentParser(prog="python -m oodlib.zoo", description="train (or fetch) canonical models")
    ap.add_argument("kind", choices=[*known, "all"], help="'all': every model of the profile's pages")
    ap.add_argument("in_dist", nargs="*")
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    options = {}
    for kind, spec in known.items():
        if spec.extra_name:
            options.setdefault(spec.extra_name, (spec.extra_type, []))[1].append(f"{kind} (default {spec.default})")
    for name, (kind_type, used_by) in options.items():
        ap.add_argument(f"--{name}", dest=f"extra_{name}", metavar=name.upper(), type=kind_type, default=None,
                        help="; ".join(used_by))
    ap.add_argument("--promote", action="store_true", help="copy the weights into checkpoints/ (committed)")
    ap.add_argument("--half", action="store_true", help="with --promote: commit the weights in half precision")
    ap.add_argument("--with-snapshots", action="store_true",
                    help="with --promote: also commit the per-epoch snapshots (half precision) of a model that keeps "
                         "them (e.g. realnvp cifar10, for Chali §3.1)")
    args = ap.parse_args(argv)
    if args.kind == "all":
        todo = profile_models(args.profile)
    else:
        spec = known[args.kind]
        given = getattr(args, f"extra_{spec.extra_name}") if spec.extra_name else None
        todo = [(args.kind, d, None if not spec.extra_name else spec.default if given is None else given)
                for d in args.in_dist]
    for kind, d, extra in todo:
        model = fetch(kind, d, args.profile, args.seed, extra)
        label = f"{kind} {d}" + extra_label(kind, extra)
        print(f"{label}: model {model.cache_key}")
        if args.promote:
            snaps = args.with_snapshots and keeps_snapshots(kind, d)
            epochs = committed_snapshot_epochs(kind, args.profile, extra) if snaps else None
            print("promoted to", promote(model.cache_key, note=f"{label}, profile {args.profile}", with_snapshots=snaps,
                                         half=args.half, snapshot_epochs=epochs))


if __name__ == "__main__":
    main()
