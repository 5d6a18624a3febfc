"""SR-OOD (Sun et al.): the model recipes (model config, data, training config) and the trained models its pages use."""

from __future__ import annotations

from dataclasses import replace

from ... import data
from ...cache import DataSpec, get_trained
from ...erosions import VARIANT_METHODS, erosion_set
from ...errors import UnknownName
from ...models import ClassifierConfig, RepairConfig, VAEConfig
from ...train import TrainConfig
from ..kit import ModelKind
from .sizes import _sizes

VARIANTS = ("rec", "inpaint", "sr")


IN_DISTS = ("cifar10", "celeba", "pokemon")


# Where each in-distribution set's images come from: (registered set, split); the test part of a set with one
# split is what its training and validation parts leave
SOURCES = {"cifar10": ("cifar10", "train"), "celeba": ("celeba", "test"), "pokemon": ("pokemon", "all")}


def _check_in_dist(in_dist: str) -> None:
    if in_dist not in SOURCES:
        raise UnknownName(f"SR-OOD has no in-distribution set {in_dist!r}; known: {', '.join(SOURCES)}")


def training_spec(in_dist: str, profile: str, seed: int = 0) -> DataSpec:
    """Return the DataSpec of ``in_dist``'s training part: the first sr_n_train images of the seeded draw."""
    _check_in_dist(in_dist)
    name, split = SOURCES[in_dist]
    return DataSpec(name, split, n=_sizes(profile).sr_n_train[in_dist], seed=seed, channels=3)


def parts(page, in_dist: str) -> dict:
    """Return {"train", "validation", "test"} ImageSets of ``in_dist``, disjoint: the validation part follows the
    training part in the same seeded draw; CIFAR-10's test part is its test split, the others' the rest."""
    p, spec = page.sizes, training_spec(in_dist, page.profile_name, page.seed)
    n_train, n_val = p.sr_n_train[in_dist], p.sr_n_val[in_dist]
    validation = data.load(spec.name, spec.split, n=n_val, seed=page.seed, skip=n_train, channels=3)
    if in_dist == "cifar10":
        test = data.load("cifar10", "test", n=p.sr_n_test, seed=page.seed, channels=3)
    else:
        test = data.load(spec.name, spec.split, n=p.sr_n_test, seed=page.seed, skip=n_train + n_val, channels=3)
    return {"train": spec.load(), "validation": validation, "test": test}


def repair_recipe(in_dist: str, profile: str, seed: int = 0, variant: str = "sr"):
    """Return (RepairConfig, DataSpec, TrainConfig) of the repairer of ``variant`` (rec, inpaint, sr) on ``in_dist``.

    λ1 = 1, λ2 = 0.8 (§IV-C); Adam, lr 1e-3, batch 64, constant rate (pSp trains with Ranger at lr 1e-4 for far
    longer; the paper gives no schedule of its own)."""
    erosion_set(variant)
    p = _sizes(profile)
    model = RepairConfig(variant, channels=3, **p.sr_arch)
    tcfg = TrainConfig(epochs=p.sr_epochs[in_dist], batch_size=64, lr=1e-3, lr_step_epochs=None, seed=seed)
    return model, training_spec(in_dist, profile, seed), tcfg


def baseline_vae_recipe(in_dist: str, profile: str, seed: int = 0, member: int = 0):
    """Return the recipe of the CelebA baselines' VAE number ``member`` (the ROSE / Likelihood Regret VAE, sized by
    the profile): the same training images for every member, another training seed (WAIC's ensemble)."""
    p = _sizes(profile)
    model = VAEConfig(channels=3, **p.sr_vae_arch)
    tcfg = TrainConfig(epochs=p.sr_vae_epochs, batch_size=64, lr=1e-3, lr_step_epochs=None, seed=seed + 1000 * member)
    return model, training_spec(in_dist, profile, seed), tcfg


BACKGROUND_MU = 0.2        # Ren et al.'s perturbation rate for the LLR background model (ROSE App. B.3's CIFAR-10 μ)


def baseline_background_vae_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of the LLR background VAE: member 0's, trained on perturbed images (Ren et al., μ = 0.2)."""
    model, spec, tcfg = baseline_vae_recipe(in_dist, profile, seed)
    return model, spec, replace(tcfg, perturb_mu=BACKGROUND_MU)


POKEMON_TYPES = 18         # pokemon_all.npz's y: the primary type, 18 of them


def type_classifier_recipe(in_dist: str, profile: str, seed: int = 0):
    """Return the recipe of the Pokemon primary-type classifier of Table III's MSP and MaxLogit (a small ResNet)."""
    if in_dist != "pokemon":
        raise UnknownName(f"the type classifier is Pokemon's (Table III), not {in_dist!r}'s")
    tcfg = TrainConfig(epochs=_sizes(profile).sr_classifier_epochs, batch_size=64, lr=1e-3, lr_step_epochs=None,
                       seed=seed)
    return ClassifierConfig(channels=3, classes=POKEMON_TYPES), training_spec(in_dist, profile, seed), tcfg


MODELS = {
    "repair": ModelKind(repair_recipe, "variant", str, "sr", "{}"),
    "srood-vae": ModelKind(baseline_vae_recipe, "member", int, 0, "member {}"),
    "srood-background-vae": ModelKind(baseline_background_vae_recipe),
    "type-classifier": ModelKind(type_classifier_recipe),
}


def profile_models(profile: str) -> list:
    """Return (kind, in-distribution set, extra) of every model the SR-OOD pages need at ``profile``."""
    out = [("repair", d, v) for d in IN_DISTS for v in VARIANTS]
    out += [("srood-vae", "celeba", m) for m in range(_sizes(profile).sr_ensemble)]
    return out + [("srood-background-vae", "celeba", None), ("type-classifier", "pokemon", None)]


def trained_repairers(page, in_dist: str, progress: bool = True) -> dict:
    """Return {method name: trained repairer} of the three variants on ``in_dist`` (SR-OOD_Rec, _Inpaint, _SR)."""
    return {VARIANT_METHODS[v]: get_trained(*repair_recipe(in_dist, page.profile_name, page.seed, v), progress=progress)
            for v in VARIANTS}


def trained_baseline_vaes(in_dist: str, profile: str, seed: int = 0, progress: bool = True) -> list:
    """Return the profile's sr_ensemble baseline VAEs (member 0 first)."""
    return [get_trained(*baseline_vae_recipe(in_dist, profile, seed, m), progress=progress)
            for m in range(_sizes(profile).sr_ensemble)]


def trained_baseline_background_vae(in_dist: str, profile: str, seed: int = 0, progress: bool = True):
    """Return the LLR background VAE."""
    return get_trained(*baseline_background_vae_recipe(in_dist, profile, seed), progress=progress)


def trained_type_classifier(profile: str, seed: int = 0, progress: bool = True):
    """Return the Pokemon primary-type classifier."""
    model, spec, tcfg = type_classifier_recipe("pokemon", profile, seed)
    return get_trained(model, spec, tcfg, progress=progress)
