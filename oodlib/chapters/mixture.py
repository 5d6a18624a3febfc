"""The mixture-prior chapter (Kamoi & Kobayashi, "Likelihood Assignment for Out-of-Distribution Inputs in Deep
Generative Models is Sensitive to Prior Distribution Choice"): its profile sizes and the claims the book tests
(see ``oodlib.chapters``). Its toy flows train in seconds and are not cached (``oodlib.toy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..cache import DataSpec, get_trained
from ..claims import Claim
from ..errors import BadInput
from ..models import PriorGlowConfig, PriorVAEConfig
from ..priors import KINDS, LAYOUTS, PriorConfig
from ..toy import ID_SET, LOG_LIKELIHOOD, OOD_SET, paper_key
from ..train import TrainConfig
from . import ModelKind, sizes

PAPER = "mixture_prior"
ORDER = 3


@dataclass(frozen=True)
class Sizes:
    """Kamoi & Kobayashi's sizes at one profile. App. C gives none for the toy flows: the ``paper`` instance holds
    the book's paper-size choice."""

    toy_dims: tuple = (2, 10)             # §3.1 (2-D) and App. C (10-D)
    toy_n_train: int = 10000              # training points (App. C: not stated)
    toy_epochs: int = 100                 # (not stated)
    toy_hidden: int = 64                  # hidden units of the couplings' MLPs (not stated)
    toy_n_test: int = 5000                # in-distribution test points, and as many OOD points
    toy_distances: tuple = (7.0, 10.0, 15.0, 20.0, 30.0)   # the bimodal prior's distances swept (beyond the paper)
    # The VAE of App. B (Adam β = (0.5, 0.9), lr 1e-3, 1,000 epochs; 5,000 importance samples at test time)
    prior_vae_epochs: dict = field(default_factory=lambda: {"fmnist": 1000})
    prior_vae_is_k: int = 5000
    prior_vae_n_train: int | None = None     # training images of the chosen labels (None: all of them)
    # The Glow of App. B (Fashion-MNIST: one block of 32 steps, squeezed after the 16th; Adam, lr 1e-3 warmed up
    # over 10 epochs, 1,000 epochs; the couplings' width is not stated: OpenAI's code's 512)
    prior_glow_epochs: dict = field(default_factory=lambda: {"fmnist": 1000})
    prior_glow_arch: dict = field(default_factory=dict)     # in-dist -> PriorGlowConfig fields overriding App. B's


SIZES = {
    "smoke": Sizes(toy_n_train=512, toy_epochs=1, toy_hidden=8, toy_n_test=200, toy_distances=(7.0, 14.0),
                   prior_vae_epochs={"fmnist": 1}, prior_vae_is_k=2, prior_vae_n_train=128,
                   prior_glow_epochs={"fmnist": 1}, prior_glow_arch={"fmnist": dict(steps=2, squeeze_after=(1,),
                                                                                    hidden=8)}),
    # cpu: each toy flow trains in about 2 s (10,000 points, 30 epochs, one thread). benchmarks/mixture_throughput.csv
    # (2 threads, idle): the VAE trains at ~325 img/s (~37 s per epoch of two Fashion-MNIST classes) and scores
    # ~34 / ~9 img/s with 20 / 100 importance samples (the 256-way decoder's last layer dominates); App. B's Glow
    # (32 steps, 512 wide) trains at ~33 img/s, 64 wide at ~450 img/s. The §5 pages' cpu sizes are set from these.
    "cpu": Sizes(toy_epochs=30, prior_vae_epochs={"fmnist": 10}, prior_vae_is_k=20),
    "paper": Sizes(),
}

FIELD_LABELS = {
    "toy_dims": "toy: dimensions", "toy_n_train": "toy: training points", "toy_epochs": "toy: training epochs",
    "toy_hidden": "toy: coupling MLP width", "toy_n_test": "toy: test points per set",
    "toy_distances": "toy: prior distances swept",
    "prior_vae_epochs": "Kamoi VAE: training epochs", "prior_vae_is_k": "Kamoi VAE: importance samples per test image",
    "prior_vae_n_train": "Kamoi VAE and Glow: training images (None = all of the labels')",
    "prior_glow_epochs": "Kamoi Glow: training epochs", "prior_glow_arch": "Kamoi Glow: architecture (changes to App. B's)",
}
TOY_FIELDS = tuple(f for f in FIELD_LABELS if f.startswith("toy_"))
PRIOR_VAE_FIELDS = ("prior_vae_epochs", "prior_vae_is_k", "prior_vae_n_train")
PRIOR_GLOW_FIELDS = ("prior_glow_epochs", "prior_glow_arch")
PRIOR_GLOW_ARCH = {"fmnist": dict(channels=1, image_size=28, steps=32, squeeze_after=(16,), hidden=512)}   # App. B


def _sizes(profile: str) -> Sizes:
    return sizes(SIZES, profile)


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


def prior_vae_recipe(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7"):
    """Return (PriorVAEConfig, DataSpec, TrainConfig) of Kamoi's VAE (App. B) on ``in_dist``'s labels of ``spec``.

    Every training image of those labels (§5.1 says "a small subset", without its size: the labels are the
    subset here). Each image is trained under the prior component of its label; Adam β = (0.5, 0.9), lr 1e-3
    constant, batch 64 (the batch size is not stated).
    """
    if in_dist != "fmnist":
        raise BadInput(f"the mixture chapter's VAE recipes are for Fashion-MNIST so far, got {in_dist!r}")
    prior, labels = parse_model(spec)
    model = PriorVAEConfig(channels=1, image_size=28, latent=50, prior=prior.to_dict(),
                           labels=labels if prior.k > 1 else ())
    data = DataSpec(in_dist, "train", n=_sizes(profile).prior_vae_n_train, seed=seed, channels=1, size=28,
                    classes=labels)
    tcfg = TrainConfig(epochs=_sizes(profile).prior_vae_epochs[in_dist], batch_size=64, lr=1e-3, optimizer="adam",
                       lr_step_epochs=None, betas=(0.5, 0.9), seed=seed)
    return model, data, tcfg


def trained_prior_vae(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7", progress: bool = True):
    """Return the trained VAE of ``prior_vae_recipe`` (from the cache, or trained now)."""
    return get_trained(*prior_vae_recipe(in_dist, profile, seed, spec), progress=progress)


def prior_glow_recipe(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7"):
    """Return (PriorGlowConfig, DataSpec, TrainConfig) of Kamoi's Glow (App. B) on ``in_dist``'s labels of ``spec``.

    The training images as ``prior_vae_recipe``'s; Adam, lr 1e-3 raised linearly from 0 over the first 10 epochs
    (App. B) and constant after, batch 64 (OpenAI's code's). The profile may narrow or shorten it
    (``prior_glow_arch``).
    """
    if in_dist not in PRIOR_GLOW_ARCH:
        raise BadInput(f"the mixture chapter's Glow recipes are for {', '.join(PRIOR_GLOW_ARCH)} so far, got {in_dist!r}")
    prior, labels = parse_model(spec)
    p = _sizes(profile)
    model = PriorGlowConfig(**{**PRIOR_GLOW_ARCH[in_dist], **p.prior_glow_arch.get(in_dist, {})}, prior=prior.to_dict(),
                            labels=labels if prior.k > 1 else ())
    data = DataSpec(in_dist, "train", n=p.prior_vae_n_train, seed=seed, channels=1, size=28, classes=labels)
    epochs = p.prior_glow_epochs[in_dist]
    tcfg = TrainConfig(epochs=epochs, batch_size=64, lr=1e-3, optimizer="adam", lr_step_epochs=None,
                       warmup_epochs=min(10, epochs), seed=seed)
    return model, data, tcfg


def trained_prior_glow(in_dist: str, profile: str, seed: int = 0, spec: str = "uni|1,7", progress: bool = True):
    """Return the trained Glow of ``prior_glow_recipe`` (from the cache, or trained now)."""
    return get_trained(*prior_glow_recipe(in_dist, profile, seed, spec), progress=progress)


MODELS = {"prior-vae": ModelKind(prior_vae_recipe, "spec", str, "uni|1,7", "{}"),
          "prior-glow": ModelKind(prior_glow_recipe, "spec", str, "uni|1,7", "{}")}


def profile_models(profile: str) -> list:
    """Return the cached models this chapter's pages need at ``profile``: none yet (the toy flows train on their
    page in seconds; the VAEs and Glows come with the §5 pages)."""
    return []


# Results tables whose rows name the paper's cells their own way: table -> row -> paper_numbers.csv keys
# (``results.rows(paper_key=...)``); ``Page.rows`` and the schema test read the paper's numbers through them.
PAPER_KEYS = {"text §3.1": paper_key}

_TOY = {"paper": PAPER, "section": "§3.1", "table": "text §3.1"}

CLAIMS = [
    Claim("mixture-3.1-uni-close", PAPER, "§3.1", "mixture/s3_1_toy_flows",
          "With a standard Gaussian prior, the 2-D flow rates the OOD points about as likely as its training data "
          "(mean log-likelihood −4.87 vs −3.25); the book counts that as the OOD mean at most 3 nats below the "
          "in-distribution one.",
          {**_TOY, "in_dist": "toy 2-D", "method": "uni", "metric": f"{LOG_LIKELIHOOD}, OOD − ID"}, "above",
          threshold=-3.0),
    Claim("mixture-3.1-multi-lower", PAPER, "§3.1", "mixture/s3_1_toy_flows",
          "With a bimodal Gaussian mixture prior, the 2-D flow rates the OOD points far less likely than with the "
          "standard Gaussian (mean log-likelihood −40.11 vs −4.87); the book asks for at least 10 nats lower.",
          {**_TOY, "in_dist": "toy 2-D", "ood": OOD_SET, "method": "multi − uni", "metric": LOG_LIKELIHOOD}, "below",
          threshold=-10.0),
    Claim("mixture-C-uni-10d", PAPER, "App. C", "mixture/s3_1_toy_flows",
          "In 10 dimensions the standard-Gaussian flow rates the OOD points more likely than its training data "
          "(App. C, Fig. 10b: 'much higher').",
          {**_TOY, "section": "App. C", "table": "Fig 10 (10-D)", "in_dist": "toy 10-D", "method": "uni",
           "metric": f"{LOG_LIKELIHOOD}, OOD − ID"}, "above", threshold=0.0),
    Claim("mixture-C-multi-10d", PAPER, "App. C", "mixture/s3_1_toy_flows",
          "In 10 dimensions the bimodal prior rates the OOD points much less likely than the standard Gaussian (App. "
          "C, Fig. 10c); the book asks for at least 10 nats lower.",
          {**_TOY, "section": "App. C", "table": "Fig 10 (10-D)", "in_dist": "toy 10-D", "ood": OOD_SET,
           "method": "multi − uni",
           "metric": LOG_LIKELIHOOD}, "below", threshold=-10.0),
]
