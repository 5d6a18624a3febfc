"""ROSE (Choi et al.): the model recipes (model config, data, training config) and the trained models its pages use."""

from __future__ import annotations

from dataclasses import replace

from ... import data
from ...cache import DataSpec, get_trained
from ...errors import UnknownName
from ...models import GlowConfig, RNDConfig, VAEConfig
from ...models.layered import ARCHS, LayeredClassifierConfig
from ...train import TrainConfig
from ..kit import ModelKind
from .sets import BRIGHTNESS_TABLES, PERTURBATIONS
from .sizes import _sizes

VAE_ARCH = {  # ROSE App. B.1: n and latent size per in-distribution set
    "fmnist": dict(channels=1, base=32, latent=100),
    "cifar10": dict(channels=3, base=64, latent=200),
}


def vae_recipe(in_dist: str, profile: str, seed: int = 0, width: float = 1.0):
    """Return (VAEConfig, DataSpec, TrainConfig) of the ROSE VAE on ``in_dist`` at ``profile``."""
    if in_dist not in VAE_ARCH:
        raise UnknownName(f"no VAE recipe for in-distribution set {in_dist!r}; known: {', '.join(VAE_ARCH)}")
    p = _sizes(profile)
    model = VAEConfig(**VAE_ARCH[in_dist], width=width * p.vae_width)
    spec = DataSpec(in_dist, "train", n=p.vae_n_train, seed=seed, channels=model.channels)
    tcfg = TrainConfig(epochs=p.vae_epochs[in_dist], batch_size=64, lr=1e-3,
                       lr_step_epochs=p.vae_lr_step[in_dist], lr_gamma=0.5, seed=seed)
    return model, spec, tcfg


# ROSE App. B.3: perturbation rate μ and L2 weight λ of the LRatio background VAE (λ = 0 for the VAE)
BACKGROUND_VAE = {"fmnist": dict(mu=0.3, l2=0.0), "cifar10": dict(mu=0.2, l2=0.0)}


def width_vae_recipe(in_dist: str, profile: str, seed: int = 0, width: float = 1.0):
    """Return the recipe of a ROSE Table 3 VAE: ``width`` × the paper's, trained for the profile's width_epochs."""
    p = _sizes(profile)
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
    shorter = _sizes(profile).background_epochs.get(in_dist)   # a shorter schedule where the profile says so
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
    p = _sizes(profile)
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
    shorter = _sizes(profile).glow_background_epochs.get(in_dist)
    return model, spec, replace(tcfg, epochs=shorter) if shorter else tcfg


def trained_glow(in_dist: str, profile: str, seed: int = 0, progress: bool = True):
    """Return the trained ROSE Glow for ``in_dist`` at ``profile`` (from the cache, or trained now)."""
    return get_trained(*glow_recipe(in_dist, profile, seed), progress=progress)


def trained_background_glow(in_dist: str, profile: str, seed: int = 0, progress: bool = True):
    """Return the trained LRatio background Glow for ``in_dist`` at ``profile``."""
    return get_trained(*background_glow_recipe(in_dist, profile, seed), progress=progress)


def layered_classifier_recipe(in_dist: str, profile: str, seed: int = 0, arch: str = "cnn4"):
    """Return the recipe of one App. D classifier (``oodlib.models.LayeredClassifier``) on ``in_dist``: Adam, lr
    1e-3, batch 128, a constant rate (App. D gives no training details), ``fig6_*`` sizes."""
    p = _sizes(profile)
    channels = data.info(in_dist).channels
    model = LayeredClassifierConfig(arch=arch, channels=channels, width=p.fig6_width)
    spec = DataSpec(in_dist, "train", n=p.fig6_n_train, seed=seed, channels=channels)
    return model, spec, TrainConfig(epochs=p.fig6_epochs, batch_size=128, lr=1e-3, lr_step_epochs=None, seed=seed)


def trained_layered_classifiers(in_dist: str, profile: str, seed: int = 0, archs=ARCHS, progress: bool = True) -> dict:
    """Return {arch: trained App. D classifier} (cached, or trained now: their weights are not committed)."""
    return {a: get_trained(*layered_classifier_recipe(in_dist, profile, seed, a), progress=progress) for a in archs}


# App. B.3: "For all perturbations in Table 1, we use λ = 0, which performs better than λ = 10". The book trains
# Table 1's four backgrounds at λ = 10 too; their rows are LRatio λ=10's.
OE_L2 = 10.0


def _perturbation(name: str) -> str:
    if name not in PERTURBATIONS.values():
        raise UnknownName(f"no perturbation-study model for {name!r}; known: {', '.join(PERTURBATIONS.values())}")
    return name


def oe_background_vae_recipe(in_dist: str, profile: str, seed: int = 0, perturbation: str = "svd:28",
                             l2: float = 0.0):
    """Return the recipe of an LRatio background VAE of the perturbation study (§3.2, App. C.4): the ROSE VAE
    trained on ``perturbation``-perturbed images (a value of PERTURBATIONS), λ = ``l2`` (App. B.3: 0; its text
    compares ``OE_L2``) as Adam's ``weight_decay``, on ``oe_n_train`` images for ``oe_background_epochs``.
    "random:MU" trains with ``perturb_mu`` as the §5.1 background does."""
    name, _, arg = _perturbation(perturbation).partition(":")
    model, spec, tcfg = vae_recipe(in_dist, profile, seed)
    p = _sizes(profile)
    epochs, step = p.oe_background_epochs
    how = dict(perturb_mu=float(arg)) if name == "random" else dict(perturbation=perturbation)
    return model, replace(spec, n=p.oe_n_train), replace(tcfg, epochs=epochs, lr_step_epochs=step, weight_decay=l2,
                                                         **how)


def oe_background_vae_l2_recipe(in_dist: str, profile: str, seed: int = 0, perturbation: str = "svd:28"):
    """Return the recipe of the background VAE with λ = ``OE_L2``, the value App. B.3 compares with λ = 0."""
    return oe_background_vae_recipe(in_dist, profile, seed, perturbation, l2=OE_L2)


def rnd_recipe(in_dist: str, profile: str, seed: int = 0, perturbation: str = "svd:28"):
    """Return the recipe of the RND networks (``oodlib.models.RND``) whose second target embeds ``perturbation``'s
    images: Adam, batch 128, the rate cut × 0.1 at ``rnd_lr_step`` (NVB's schedule), on ``oe_n_train`` images."""
    p = _sizes(profile)
    channels = data.info(in_dist).channels
    model = RNDConfig(channels=channels, width=p.rnd_width, features=p.rnd_features,
                      perturbation=_perturbation(perturbation))
    spec = DataSpec(in_dist, "train", n=p.oe_n_train, seed=seed, channels=channels)
    tcfg = TrainConfig(epochs=p.rnd_epochs, batch_size=128, lr=p.rnd_lr, lr_step_epochs=p.rnd_lr_step, lr_gamma=0.1,
                       seed=seed)
    return model, spec, tcfg


def trained_oe_backgrounds(in_dist: str, profile: str, seed: int = 0, names=tuple(PERTURBATIONS), l2: float = 0.0,
                           progress: bool = True) -> dict:
    """Return {name: LRatio background VAE} of the perturbation study for the PERTURBATIONS ``names``, trained with
    λ = ``l2`` (0, or ``OE_L2``), from the cache or trained now (not committed: 2–6 min each at ``cpu`` here)."""
    return {n: get_trained(*oe_background_vae_recipe(in_dist, profile, seed, PERTURBATIONS[n], l2), progress=progress)
            for n in names}


def trained_oe_models(in_dist: str, profile: str, seed: int = 0, names=tuple(PERTURBATIONS), progress: bool = True):
    """Return ({name: background VAE}, {name: RND}) of the perturbation study for the PERTURBATIONS ``names``,
    from the cache or trained now (their weights are not committed: 5–7 min per pair at ``cpu`` here)."""
    backgrounds = trained_oe_backgrounds(in_dist, profile, seed, names, progress=progress)
    rnds = {n: get_trained(*rnd_recipe(in_dist, profile, seed, PERTURBATIONS[n]), progress=progress) for n in names}
    return backgrounds, rnds


def _width_committed(width: float) -> bool:
    """Table 3's VAEs up to the paper's width are committed; the 2× and 4× ones (11 and 33 MB) do not fit the
    checkpoint budget, and the §5.2 page trains them when it is executed (~13 and ~22 min at ``cpu``)."""
    return width <= 1.0


MODELS = {
    "vae": ModelKind(vae_recipe, "width", float, 1.0, "width {}"),
    "background-vae": ModelKind(background_vae_recipe, "width", float, 1.0, "width {}"),
    "width-vae": ModelKind(width_vae_recipe, "width", float, 1.0, "width {}", committed=_width_committed),
    "glow": ModelKind(glow_recipe),
    "background-glow": ModelKind(background_glow_recipe),
    "oe-background-vae": ModelKind(oe_background_vae_recipe, "perturbation", str, "svd:28", "{}", committed=False),
    "oe-background-vae-l2": ModelKind(oe_background_vae_l2_recipe, "perturbation", str, "svd:28",
                                      f"{{}}, λ = {OE_L2:g}", committed=False),
    "rnd": ModelKind(rnd_recipe, "perturbation", str, "svd:28", "{}", committed=False),
    "layered-classifier": ModelKind(layered_classifier_recipe, "arch", str, "cnn4", "{}", committed=False),
}


def profile_models(profile: str) -> list[tuple[str, str, float | None]]:
    """Return (kind, in-distribution set, extra) of every model the ROSE pages need at ``profile``: extra is the
    width of a VAE (× the paper's), None for a Glow, the perturbation of the perturbation study's models."""
    p = _sizes(profile)
    out = [(kind, d, 1.0) for kind in ("vae", "background-vae") for d in VAE_ARCH]
    out += [("width-vae", d, w * p.width_base) for d in p.width_sets for w in p.widths]
    out += [(kind, d, None) for kind in ("glow", "background-glow") for d in GLOW_ARCH]
    out += [(kind, "cifar10", spec) for kind in ("oe-background-vae", "rnd") for spec in PERTURBATIONS.values()]
    out += [("oe-background-vae-l2", "cifar10", PERTURBATIONS[n]) for n in BRIGHTNESS_TABLES["Table 1"][1]]
    return out + [("layered-classifier", "fmnist", arch) for arch in ARCHS]
