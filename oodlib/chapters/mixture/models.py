"""Mixture priors (Kamoi & Kobayashi): the model recipes (model config, data, training config) and the trained models its pages use."""

from __future__ import annotations

from ... import data
from ...cache import DataSpec, get_trained
from ...errors import BadInput
from ...models import PriorGlowConfig, PriorVAEConfig
from ...priors import KINDS, LAYOUTS, PriorConfig
from ...train import TrainConfig
from ..kit import ModelKind
from .sets import CIFAR_STAND_INS
from .sizes import _sizes

IMAGE = {"fmnist": (1, 28), "cifar10": (3, 32)}          # channels, side: App. B Tables 2 and 3


PRIOR_GLOW_ARCH = {"fmnist": dict(channels=1, image_size=28, steps=32, squeeze_after=(16,), hidden=512),   # App. B
                   "cifar10": dict(channels=3, image_size=32, steps=24, squeeze_after=(8, 16), hidden=512)}


def parse_model(spec: str) -> tuple[PriorConfig, tuple]:
    """Return (prior, training labels) of a model named "PRIOR|LABELS", e.g. "uni|1,7", "uni|7", "gaussian:150|1,7"
    (two components at [±75, 0, …]: §5.3's VAE), "generalized:20|1,7" (Eq. 3, β = 4), "gaussian-axes:150|0,1,7,8"
    (§5.4's VAE: 150 · e_i), "gaussian-line:200|0,1,7,8" (§5.4's Glow: [200 i, 0, …]). A mixture has one component
    per label, in the labels' order."""
    try:
        prior_code, label_code = spec.split("|")
        labels = tuple(int(v) for v in label_code.split(","))
        if prior_code == "uni":
            return PriorConfig(), labels
        kind_layout, distance = prior_code.split(":")
        kind, _, layout = kind_layout.partition("-")
        if kind not in KINDS[1:] or (layout and layout not in LAYOUTS):
            raise ValueError
        return PriorConfig(kind, k=len(labels), layout=layout or "two", distance=float(distance)), labels
    except ValueError:
        raise BadInput(f"cannot read the model {spec!r}: write PRIOR|LABELS, e.g. 'uni|1,7', 'gaussian:150|1,7', "
                       "'generalized:20|1,7' or 'gaussian-axes:150|0,1,7,8'") from None


def prior_data(in_dist: str, profile: str, seed: int, labels: tuple) -> DataSpec:
    """Return the training images of ``labels``: Fashion-MNIST's (at most ``prior_n_train``; §5.1: "a small
    subset", size not stated), or of each CIFAR-10 label the most homogeneous of ``prior_clusters`` k-means clusters
    (§5.4, App. E). CIFAR-10's 10% random shifts while training (§5.1) are not applied here."""
    if in_dist not in IMAGE:
        raise BadInput(f"the mixture chapter's models are for {', '.join(IMAGE)}, got {in_dist!r}")
    p = _sizes(profile)
    channels, size = IMAGE[in_dist]
    return DataSpec(in_dist, "train", n=p.prior_n_train.get(in_dist), seed=seed, channels=channels, size=size,
                    classes=labels, clusters=p.prior_clusters if in_dist == "cifar10" else None)


def prior_vae_recipe(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7"):
    """Return (PriorVAEConfig, DataSpec, TrainConfig) of Kamoi's VAE (App. B; Table 2 for Fashion-MNIST, Table 3
    for CIFAR-10) on the labels of ``spec`` (``prior_data``).

    Each image is trained under the prior component of its label; Adam β = (0.5, 0.9), lr 1e-3 constant, batch 64
    (the batch size is not stated).
    """
    prior, labels = parse_model(spec)
    images = prior_data(in_dist, profile, seed, labels)
    model = PriorVAEConfig(channels=images.channels, image_size=images.size, latent=50, prior=prior.to_dict(),
                           labels=labels if prior.k > 1 else ())
    tcfg = TrainConfig(epochs=_sizes(profile).prior_vae_epochs[in_dist], batch_size=64, lr=1e-3, optimizer="adam",
                       lr_step_epochs=None, betas=(0.5, 0.9), seed=seed)
    return model, images, tcfg


def prior_glow_recipe(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7"):
    """Return (PriorGlowConfig, DataSpec, TrainConfig) of Kamoi's Glow (App. B) on the labels of ``spec``.

    The training images as ``prior_vae_recipe``'s; Adam, lr 1e-3 raised linearly from 0 over the first 10 epochs
    (App. B) and constant after, batch 64 (OpenAI's code's). The profile may narrow or shorten it
    (``prior_glow_arch``).
    """
    prior, labels = parse_model(spec)
    images = prior_data(in_dist, profile, seed, labels)
    p = _sizes(profile)
    model = PriorGlowConfig(**{**PRIOR_GLOW_ARCH[in_dist], **p.prior_glow_arch.get(in_dist, {})}, prior=prior.to_dict(),
                            labels=labels if prior.k > 1 else ())
    epochs = p.prior_glow_epochs[in_dist]
    tcfg = TrainConfig(epochs=epochs, batch_size=64, lr=1e-3, optimizer="adam", lr_step_epochs=None,
                       warmup_epochs=min(10, epochs), seed=seed)
    return model, images, tcfg


MODELS = {"prior-vae": ModelKind(prior_vae_recipe, "spec", str, "uni|1,7", "{}"),
          "prior-glow": ModelKind(prior_glow_recipe, "spec", str, "uni|1,7", "{}")}


# The models of §5's pages: {page: {kind: [spec, ...]}} per in-distribution set. §5.3: Table 1 (uni on labels 1 and 7,
# on 1, on 7; the bimodal prior at [±75, 0, …] for the VAE, [±50, 0, …] for Glow); §5.4: four labels and four
# components (the VAE's on four axes at 150, Glow's on a line 200 apart), and CIFAR-10 labels 0 and 4 ([±100, 0, …]
# for the VAE, [±200, 0, …] for Glow).
TABLE1_SPECS = {"prior-vae": ["uni|1,7", "uni|1", "uni|7", "gaussian:150|1,7"],
                "prior-glow": ["uni|1,7", "uni|1", "uni|7", "gaussian:100|1,7"]}


FOUR_MODE_SPECS = {"prior-vae": ["uni|0,1,7,8", "gaussian-axes:150|0,1,7,8"],
                   "prior-glow": ["uni|0,1,7,8", "gaussian-line:200|0,1,7,8"]}


CIFAR_SPECS = {"prior-vae": ["uni|0,4", "gaussian:200|0,4"], "prior-glow": ["uni|0,4", "gaussian:400|0,4"]}


def cifar_ood_names() -> list[str]:
    """Return Fig. 9's OOD sets: SVHN where it is here, else ``CIFAR_STAND_INS``."""
    return ["svhn"] if data.is_available("svhn", "test") else list(CIFAR_STAND_INS)


KIND_LABEL = {"prior-vae": "VAE", "prior-glow": "Glow"}


def distance_specs(sizes) -> list[str]:
    """Return Fig. 6's models at the chapter's ``sizes`` of a profile: a Gaussian and a generalized-Gaussian (β = 4)
    mixture of two components at each of ``prior_distances`` (means [±d/2, 0, …])."""
    return [f"{kind}:{d:g}|1,7" for kind in ("gaussian", "generalized") for d in sizes.prior_distances]


def profile_models(profile: str) -> list:
    """Return (kind, in-distribution set, spec) of every model the mixture chapter's §5 pages need at ``profile``
    (the toy flows of §3.1 train on their page in seconds and are not cached)."""
    out = []
    for kind in KIND_LABEL:
        specs = TABLE1_SPECS[kind] + distance_specs(_sizes(profile)) + FOUR_MODE_SPECS[kind]
        out += [(kind, "fmnist", s) for s in dict.fromkeys(specs)]
        out += [(kind, "cifar10", s) for s in CIFAR_SPECS[kind]]
    return out


def model_label(spec: str) -> str:
    """Return how pages name the model of ``spec``: "uni (1, 7)", "multi (1, 7)" (Kamoi's words)."""
    prior, labels = parse_model(spec)
    return f"{'uni' if prior.k == 1 else 'multi'} ({', '.join(str(v) for v in labels)})"


def sweep_label(spec: str) -> str:
    """Return how Fig. 6's pages name the model of ``spec``: "gaussian, d = 50", "generalized, d = 10", "uni"."""
    prior, _ = parse_model(spec)
    return "uni" if prior.k == 1 else f"{prior.kind}, d = {prior.distance:g}"


def trained_models(page, kind: str, in_dist: str, specs, label=model_label, progress: bool = True) -> dict:
    """Return {label(spec): trained model} of ``kind`` ("prior-vae" / "prior-glow") for each spec (cached, or
    trained now)."""
    return {label(s): get_trained(*MODELS[kind].make(in_dist, page.profile_name, page.seed, s), progress=progress) for s in specs}
