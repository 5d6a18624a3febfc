"""The ROSE chapter (Choi et al., "Robust Out-of-Distribution Detection on Deep Probabilistic Generative
Models"): its profile sizes, its model recipes (the VAE and Glow of App. B, their LRatio background models, the
width sweep of Table 3) and the claims the book tests (see ``oodlib.chapters``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from .. import data, display, sweeps
from ..cache import DataSpec, get_trained
from ..models.layered import ARCHS, LayeredClassifierConfig
from ..claims import Claim
from ..errors import UnknownName
from ..models import GlowConfig, RNDConfig, VAEConfig
from ..train import TrainConfig
from . import ModelKind, sizes

PAPER = "rose"
ORDER = 1
PAPER_WIDTHS = (0.5, 1.0, 2.0, 4.0)   # Table 3: the VAE's width relative to the paper's standard (1×) VAE


@dataclass(frozen=True)
class Sizes:
    """ROSE's sizes at one profile (the ``paper`` instance: the paper's where it speaks)."""

    vae_epochs: dict          # in-dist -> epochs (paper: 100)
    vae_lr_step: dict         # in-dist -> halve the lr every this many epochs (paper: 30)
    vae_n_train: int | None   # training images (None: the whole train split)
    vae_width: float          # multiplier of the base width n (paper: 1)
    n_id_test: int            # in-distribution test images scored (paper: 5,000)
    n_ood: int                # images per OOD set (paper: 5,000)
    n_overall_each: int       # images of each OOD set in the "overall" mix (paper: 1,000)
    iwae_k: int               # importance samples of the IWAE NLL (paper: 20)
    # §5 benchmark (Table 2 with every method, Tables 3–6, Fig. 4–5)
    bench_n_id: int = 5000        # ID test images per method
    bench_n_ood: int = 5000       # images per OOD set
    bench_overall_each: int = 1000
    n_fisher: int = 1000          # in-distribution images for ROSE's Fisher (authors' code: 1,000)
    lr_steps: int = 100           # Likelihood Regret: encoder optimisation steps per image (Xiao et al.)
    lr_n_id: int = 5000           # Likelihood Regret is ~100× slower: its own (smaller) subsets
    lr_n_ood: int = 5000
    fisher_sweep: tuple = (10, 30, 100, 300, 1000, 3000, 10000)   # Fig. 5
    fisher_repeats: int = 10
    fisher_sweep_sets: tuple = ("fmnist", "cifar10")
    widths: tuple = PAPER_WIDTHS                                     # Table 3, relative to the 1× VAE
    width_base: float = 1.0                                          # the sweep's 1×, in units of the paper's VAE
    width_sets: tuple = ("fmnist", "cifar10")
    background_epochs: dict = field(default_factory=dict)    # LRatio background VAE: in-dist -> (epochs, lr step)
    width_epochs: int | None = None   # Table 3's models: epochs (None: as vae_epochs) and lr step
    width_lr_step: int | None = None
    throughput_n: int = 512           # Fig. 4: images timed per method (LR(E): throughput_n_lr)
    throughput_n_lr: int = 64
    # Glow (App. B.2: 50 epochs; 1,000 test images per set, "overall" 1,000 of each)
    glow_epochs: dict = field(default_factory=lambda: {"fmnist": 50, "cifar10": 50})
    glow_arch: dict = field(default_factory=dict)       # in-dist -> GlowConfig fields overriding App. B.2's
    glow_background_epochs: dict = field(default_factory=dict)   # LRatio background Glow, where shorter
    glow_n_id: int = 1000
    glow_n_ood: int = 1000
    glow_overall_each: int = 1000
    # §3.2 and App. C.4: LRatio and RND with every perturbation of App. B.3 (CIFAR-10 in-distribution)
    oe_n_train: int | None = None     # their training images (None: the whole train split)
    oe_background_epochs: tuple = (100, 30)   # the perturbation study's background VAEs: (epochs, lr halved every)
    oe_n_id: int = 5000               # CIFAR-10 test images scored
    oe_n_ood: int = 5000              # images per OOD set (and per brightness)
    oe_iwae_k: int = 20               # IWAE samples of LRatio's two likelihoods
    rnd_width: int = 64               # RND networks: channels of the first conv (paper: NVB's ResNet-34)
    rnd_features: int = 512           # ... and the embedding size (NVB: 512)
    rnd_epochs: int = 50              # NVB: 50 epochs of Adam, lr 1e-4, × 0.1 from epoch 25, batch 128
    rnd_lr: float = 1e-4
    rnd_lr_step: int | None = 25
    # App. D (Fig. 6): six classifiers on Fashion-MNIST, layer-wise ROSE (the paper gives no training details)
    fig6_width: float = 1.0           # × the published channels (64–512) of the basic CNN and VGGs
    fig6_n_train: int | None = None   # training images (None: all 60,000)
    fig6_epochs: int = 30
    fig6_n_id: int = 10000            # Fashion-MNIST test images scored
    fig6_n_ood: int = 10000           # images per OOD set (MNIST, KMNIST, notMNIST)


SIZES = {
    "smoke": Sizes({"fmnist": 1, "cifar10": 1}, {"fmnist": 30, "cifar10": 30}, 256, 0.25,
                   48, 24, 8, 2, bench_n_id=32, bench_n_ood=16, bench_overall_each=8, n_fisher=16, lr_steps=2,
                   lr_n_id=8, lr_n_ood=4, fisher_sweep=(4, 16), fisher_repeats=2, fisher_sweep_sets=("fmnist",),
                   widths=(0.5, 1.0), width_base=1.0, width_sets=("fmnist",), throughput_n=8, throughput_n_lr=2,
                   glow_epochs={"fmnist": 1, "cifar10": 1},
                   glow_arch={"fmnist": dict(steps=2, hidden=8), "cifar10": dict(steps=2, hidden=8)},
                   glow_n_id=32, glow_n_ood=16, glow_overall_each=8, oe_n_train=256, oe_background_epochs=(1, 30),
                   oe_n_id=32, oe_n_ood=16, oe_iwae_k=2, rnd_width=8, rnd_features=16, rnd_epochs=1, rnd_lr=1e-3,
                   rnd_lr_step=None, fig6_width=0.125, fig6_n_train=256, fig6_epochs=1, fig6_n_id=32, fig6_n_ood=16),
    # cpu: measured on 2 cores with tcmalloc, ~600 img/s (FMNIST) and ~160 img/s (CIFAR-10) per
    # training step, i.e. ~20 min and ~32 min of training; IWAE k=20 scores ~67 and ~16 img/s.
    # The §5 benchmark scores 1,000 ID / 400 per OOD set (IWAE on CIFAR-10 is ~18 img/s here) and
    # Likelihood Regret (~0.5–3 img/s: 100 Adam steps per image) 64 ID / 32 per set; the width sweep
    # runs from 0.125× to the paper's 4× VAE, Fashion-MNIST only, 3 epochs each (6, 8, 13 and 22 min at
    # 0.5×, 1×, 2× and 4×: the 256-way decoder output costs the same at every width, so narrow VAEs are not
    # much cheaper to train here); the Fisher sweep has the paper's 10 repeats. The CIFAR-10 background VAE
    # of LRatio gets 3 epochs (lr halved every epoch) instead of the main VAE's 6, to fit one session.
    # Glow keeps App. B.2's depth (2 scales × 16 steps; 3 × 8) with narrower coupling networks (hidden
    # 64 / 128 instead of 200 / 400): 193 / 124 img/s per training step on one thread
    # (benchmarks/flow_throughput.csv; the paper's widths: 41 / 30 img/s, ~25 min per epoch), so 8 / 6
    # epochs took 47 / 44 min, each on one thread beside the other; the LRatio background Glows get
    # 3 / 2 epochs (19 / 15 min). The perturbation study (§3.2, App. C.4) trains 7 background VAEs and 7 RNDs
    # (and Table 1's 4 backgrounds again at λ = 10), none committed (checkpoints/ is full): each on 10,000
    # CIFAR-10 images, the VAEs for 3 epochs (~3 min each), the RNDs (small CNNs, 32 channels, 128-d) for 5
    # epochs at lr 1e-3 (~2 min each), and scores 1,000 CIFAR-10 and 250 OOD images per set and brightness with
    # 5 IWAE samples (20 would take ~4× as long).
    "cpu": Sizes({"fmnist": 12, "cifar10": 6}, {"fmnist": 4, "cifar10": 2}, None, 1.0,
                 2000, 1000, 1000, 20, bench_n_id=1000, bench_n_ood=400, bench_overall_each=400,
                 lr_n_id=64, lr_n_ood=32, fisher_sweep=(10, 100, 1000, 10000), fisher_repeats=10,
                 fisher_sweep_sets=("fmnist",), widths=(0.125, 0.25, 0.5, 1.0, 2.0, 4.0), width_sets=("fmnist",),
                 width_epochs=3, width_lr_step=1,
                 background_epochs={"cifar10": (3, 1)}, throughput_n=256, throughput_n_lr=16,
                 glow_epochs={"fmnist": 8, "cifar10": 6},
                 glow_arch={"fmnist": dict(hidden=64), "cifar10": dict(hidden=128)},
                 glow_background_epochs={"fmnist": 3, "cifar10": 2}, oe_n_train=10000, oe_background_epochs=(3, 1),
                 oe_n_id=1000, oe_n_ood=250, oe_iwae_k=5, rnd_width=32, rnd_features=128, rnd_epochs=5, rnd_lr=1e-3,
                 rnd_lr_step=None, fig6_width=0.25, fig6_n_train=20000, fig6_epochs=3, fig6_n_id=1000, fig6_n_ood=500),
    "paper": Sizes({"fmnist": 100, "cifar10": 100}, {"fmnist": 30, "cifar10": 30}, None, 1.0, 5000, 5000, 1000, 20),
}

FIELD_LABELS = {
    "vae_epochs": "VAE training epochs", "vae_lr_step": "lr halved every (epochs)",
    "vae_n_train": "training images (None = all)", "vae_width": "VAE width multiplier",
    "n_id_test": "ID test images scored", "n_ood": "images per OOD set", "n_overall_each": "images per set in 'overall'",
    "iwae_k": "IWAE importance samples",
    "bench_n_id": "§5: ID test images per method", "bench_n_ood": "§5: images per OOD set",
    "bench_overall_each": "§5: images per set in 'overall'", "n_fisher": "ROSE: Fisher images",
    "lr_steps": "LR(E): optimisation steps", "lr_n_id": "LR(E): ID test images", "lr_n_ood": "LR(E): images per OOD set",
    "fisher_sweep": "Fig. 5: Fisher sample sizes", "fisher_repeats": "Fig. 5: repeats",
    "fisher_sweep_sets": "Fig. 5: in-distribution sets", "widths": "Table 3: widths (× the sweep's 1×)",
    "width_base": "Table 3: the sweep's 1× (× paper VAE)", "width_sets": "Table 3: in-distribution sets",
    "background_epochs": "LRatio background VAE: (epochs, lr step) where not as above",
    "width_epochs": "Table 3: training epochs (None = as above)", "width_lr_step": "Table 3: lr halved every",
    "throughput_n": "Fig. 4: images timed per method", "throughput_n_lr": "Fig. 4: images timed for LR(E)",
    "glow_epochs": "Glow training epochs", "glow_arch": "Glow architecture (changes to App. B.2's)",
    "glow_background_epochs": "LRatio background Glow: epochs where not as above",
    "glow_n_id": "Glow: ID test images", "glow_n_ood": "Glow: images per OOD set",
    "glow_overall_each": "Glow: images per set in 'overall'",
    "oe_n_train": "LRatio / RND: training images (None = all)",
    "oe_background_epochs": "background VAEs: (epochs, lr halved every)", "oe_n_id": "CIFAR-10 test images scored",
    "oe_n_ood": "images per OOD set and brightness", "oe_iwae_k": "LRatio: IWAE samples",
    "rnd_width": "RND: first conv channels", "rnd_features": "RND: embedding size", "rnd_epochs": "RND: epochs",
    "rnd_lr": "RND: Adam lr", "rnd_lr_step": "RND: lr × 0.1 from epoch",
    "fig6_width": "classifiers: width (× published; not ResNet-18)", "fig6_n_train": "classifiers: training images",
    "fig6_epochs": "classifiers: epochs", "fig6_n_id": "classifiers: Fashion-MNIST test images scored",
    "fig6_n_ood": "classifiers: images per OOD set",
}
FIG6_FIELDS = ("fig6_width", "fig6_n_train", "fig6_epochs", "n_fisher", "fig6_n_id", "fig6_n_ood")
# The fields each page's setting table shows.
BASE_FIELDS = ("vae_epochs", "vae_lr_step", "vae_n_train", "vae_width", "n_id_test", "n_ood", "n_overall_each", "iwae_k")
BENCH_FIELDS = ("vae_epochs", "iwae_k", "bench_n_id", "bench_n_ood", "bench_overall_each", "n_fisher")
OE_FIELDS = ("vae_epochs", "oe_n_train", "oe_background_epochs", "rnd_width", "rnd_features", "rnd_epochs", "rnd_lr",
             "rnd_lr_step", "oe_n_id", "oe_n_ood", "oe_iwae_k", "n_fisher")
GLOW_FIELDS = ("glow_epochs", "glow_arch", "glow_background_epochs", "glow_n_id", "glow_n_ood", "glow_overall_each",
               "n_fisher")


def _sizes(profile: str) -> Sizes:
    return sizes(SIZES, profile)


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


# App. B.3's perturbations, named as the columns of Tables 10 and 11. Tables 1 and 8 use SVD28, DCT28, GB and
# Random0.2; Table 9 uses SVD22 in place of SVD28. Their rows name the perturbation without K or μ.
PERTURBATIONS = {"SVD22": "svd:22", "SVD28": "svd:28", "DCT28": "dct:28", "GB": "gb",
                 "Random0.1": "random:0.1", "Random0.2": "random:0.2", "Random0.3": "random:0.3"}
BRIGHTNESS_TABLES = {"Table 1": ("celeba", ("SVD28", "DCT28", "GB", "Random0.2")),
                     "Table 8": ("svhn", ("SVD28", "DCT28", "GB", "Random0.2")),
                     "Table 9": ("omniglot", ("SVD22", "DCT28", "GB", "Random0.2"))}
ROW_NAMES = {"SVD22": "SVD", "SVD28": "SVD", "DCT28": "DCT", "GB": "GB", "Random0.2": "Random"}
# App. B.3: "For all perturbations in Table 1, we use λ = 0, which performs better than λ = 10". The book trains
# Table 1's four backgrounds at λ = 10 too; their rows are LRatio λ=10's.
OE_L2 = 10.0
OE_L2_DETECTOR = f"LRatio λ={OE_L2:g}"


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


def brightness_sets(images: dict, factors=sweeps.FACTORS) -> dict:
    """Return {"celeba@0.2x": CelebA at 0.2× brightness, …} for every set of ``images`` ({name: ImageSet})."""
    return {f"{name}@{k}": s for name, imgs in images.items() for k, s in sweeps.brightened(imgs, factors).items()}


def _sweep(ev, ood: str) -> dict:
    return {k: ev.ood_scores[f"{ood}@{k}"] for k in map(sweeps.factor_label, sweeps.FACTORS)}


def brightness_rows(evals: dict, table: str, seed: int = 0) -> pd.DataFrame:
    """Return our values of ``table`` (Table 1, 8 or 9; ``evals``: {method: Evaluation} of
    ``oodlib.lineup.outlier_exposure_methods`` on ``brightness_sets``): per LRatio and RND row of the table and
    ROSE, the AUROC at each brightness, the row's mean and std, and ROSE's std minus each other row's with its
    95% paired bootstrap interval (``sweeps.std_difference_rows``: what the §3.2 claim reads)."""
    ood, names = BRIGHTNESS_TABLES[table]
    rows = [(f"{detector}/{ROW_NAMES[n]}", evals[f"{detector}/{n}"]) for detector in ("LRatio", "RND") for n in names]
    rose = evals["ROSE"]
    out = [sweeps.sweep_rows(label, ev.id_scores, _sweep(ev, ood), ood) for label, ev in rows + [("ROSE", rose)]]
    out += [sweeps.std_difference_rows("ROSE", rose.id_scores, _sweep(rose, ood), label, ev.id_scores, _sweep(ev, ood),
                                       ood, seed=seed) for label, ev in rows]
    return pd.concat(out, ignore_index=True)


def l2_rows(evals: dict, table: str = "Table 1", seed: int = 0) -> pd.DataFrame:
    """Return App. B.3's comparison of λ = 0 with λ = ``OE_L2`` on ``table``'s OOD set (``evals``: {method:
    Evaluation} holding "LRatio/<name>" and "LRatio λ=10/<name>" for the table's perturbations): the λ = 10 rows as
    ``brightness_rows`` gives the λ = 0 ones, and each λ = 0 row's Mean minus its λ = 10 row's with the 95% paired
    bootstrap interval (the same CIFAR-10 and OOD images redrawn for both: what the claim ``rose-b3-lambda`` reads)."""
    ood, names = BRIGHTNESS_TABLES[table]
    out = []
    for n in names:
        zero, ten = evals[f"LRatio/{n}"], evals[f"{OE_L2_DETECTOR}/{n}"]
        label, label_l2 = f"LRatio/{ROW_NAMES[n]}", f"{OE_L2_DETECTOR}/{ROW_NAMES[n]}"
        out.append(sweeps.sweep_rows(label_l2, ten.id_scores, _sweep(ten, ood), ood))
        out.append(sweeps.sweep_difference_rows(label, zero.id_scores, _sweep(zero, ood), label_l2, ten.id_scores,
                                                _sweep(ten, ood), ood, "Mean", seed=seed))
    return pd.concat(out, ignore_index=True)


def brightness_view(table: pd.DataFrame, caption: str, columns=None):
    """Return the rows of one brightness table as the paper lays it out: a row per detector and perturbation, a
    column per brightness, then Mean and Std (or only ``columns``, e.g. half of them, to fit the page); cells
    "ours (paper)"."""
    t = table[table.metric == "AUROC"].copy()
    head, _, tail = zip(*(m.partition("/") for m in t.method))
    t["detector"] = head
    t["perturbation"] = [v.split("; ")[0] if "; " in v else "" for v in tail]
    t["brightness"] = [v.split("; ")[-1] for v in tail]
    if columns is not None:
        t = t[t.brightness.isin(columns)]
    return display.paper_vs_ours(t, caption, rows=("detector", "perturbation"), columns=("brightness",), stand_ins={})


def brightness_curves(table: pd.DataFrame, name: str) -> dict:
    """Return {row label ("LRatio/SVD", "ROSE"): (brightness factors, AUROCs)} of brightness table ``name`` in
    results rows ``table``: ``plots.curves``' lines."""
    t = table[(table.table == name) & (table.metric == "AUROC")]
    out = {}
    for method, value in zip(t.method, t.value):
        label, _, column = method.rpartition("; ") if "; " in method else method.rpartition("/")
        if column in ("Mean", "Std"):
            continue
        xs, ys = out.setdefault(label, ([], []))
        xs.append(float(column.rstrip("x")))
        ys.append(value)
    return out


def perturbation_ranges(table: pd.DataFrame, tables=("Table 10", "Table 11")) -> pd.DataFrame:
    """Return, per OOD set (rows) and per table of ``tables`` (Tables 10, 11: a column per perturbation), the range
    of our AUROCs over the perturbations, and the perturbations giving the highest and the lowest."""
    out = {}
    for name in tables:
        t = table[(table.table == name) & (table.metric == "AUROC")]
        detector = t.method.iloc[0].split("/")[0] if len(t) else name
        for ood, g in t.groupby("ood", sort=False):
            best, worst = g.loc[g.value.idxmax()], g.loc[g.value.idxmin()]
            row = out.setdefault(ood, {})
            row[f"{detector}: range"] = best.value - worst.value
            row[f"{detector}: best"] = f"{best.method.split('/')[1]} ({best.value:.3f})"
            row[f"{detector}: worst"] = f"{worst.method.split('/')[1]} ({worst.value:.3f})"
    return pd.DataFrame(out).T


def _rnd_cell(r):
    """paper_numbers.csv leaves the model of RND's rows empty (RND has its own networks)."""
    return {"model": ""} if r.method.startswith("RND") else {}


PAPER_KEYS = {t: _rnd_cell for t in ("Table 1", "Table 8", "Table 9", "Table 11")}


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


def _std_rows(table: str) -> dict:
    """The rows a brightness table's std claim reads: ROSE's Std and every LRatio and RND row's."""
    rows = [f"{d}/{ROW_NAMES[n]}; Std" for d in ("LRatio", "RND") for n in BRIGHTNESS_TABLES[table][1]]
    return {"paper": "rose", "table": table, "metric": "AUROC", "method": ["ROSE/Std"] + rows}


_T2_NLL = {"paper": "rose", "section": "§3.1", "table": "Table 2", "method": "NLL", "metric": "AUROC"}
_ROSE_SETS = ("svhn", "lsun")   # Table 2 rows and "overall" members of the paper that may be missing here

CLAIMS = [
    Claim("rose-3.1-fmnist", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A VAE trained on Fashion-MNIST assigns higher likelihood to MNIST than to Fashion-MNIST "
          "(Fig. 1a; NLL AUROC 0.161).", {**_T2_NLL, "model": "VAE", "in_dist": "fmnist", "ood": "mnist"}, "below"),
    Claim("rose-3.1-cifar10", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A VAE trained on CIFAR-10 assigns higher likelihood to SVHN than to CIFAR-10 (Fig. 1b; "
          "NLL AUROC 0.081).", {**_T2_NLL, "model": "VAE", "in_dist": "cifar10", "ood": "svhn"}, "below",
          needs=("svhn",)),
    Claim("rose-3.1-glow-fmnist", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A Glow trained on Fashion-MNIST assigns higher likelihood to MNIST than to Fashion-MNIST (Fig. 1c; "
          "the paper shows histograms only).", {**_T2_NLL, "model": "Glow", "in_dist": "fmnist", "ood": "mnist"},
          "below"),
    Claim("rose-3.1-glow-cifar10", "rose", "§3.1", "rose/s3_1_likelihood_fails",
          "A Glow trained on CIFAR-10 assigns higher likelihood to SVHN than to CIFAR-10 (Fig. 1d).",
          {**_T2_NLL, "model": "Glow", "in_dist": "cifar10", "ood": "svhn"}, "below", needs=("svhn",)),
    Claim("rose-t2-nll", "rose", "§5.1", "rose/s3_1_likelihood_fails",
          "NLL separates each OOD set on the same side of chance as the paper reports (Table 2, NLL column; "
          "AUROC < 0.5 means the OOD set looks more likely).", {**_T2_NLL, "model": "VAE"}, "same_side",
          needs=_ROSE_SETS),
    Claim("rose-t2-vae-best", "rose", "§5.1", "rose/s5_1_vae_benchmark",
          "On the VAE, ROSE has the highest AUROC on the 'overall' OOD mix of all methods compared "
          "(Table 2: ROSE, LR(E), NLL, LRatio, IC(png), IC(jp2)); compared on the images every method scored.",
          {"paper": "rose", "section": "§5.1", "table": "Table 2 (LR(E) images)", "model": "VAE", "ood": "overall",
           "metric": "AUROC"}, "beats", method="ROSE", needs=_ROSE_SETS),
    Claim("rose-t2-vae-chance", "rose", "§5.1", "rose/s5_1_vae_benchmark",
          "ROSE never falls below chance (AUROC ≥ 0.5) on any OOD set, unlike the likelihood-based scores "
          "(Table 2, VAE).", {"paper": "rose", "section": "§5.1", "table": "Table 2", "model": "VAE", "method": "ROSE",
                              "metric": "AUROC"}, "above", threshold=0.5, needs=_ROSE_SETS),
    Claim("rose-t2-vae-side", "rose", "§5.1", "rose/s5_1_vae_benchmark",
          "Every method lands on the same side of chance as in the paper, cell by cell (Table 2, VAE half).",
          {"paper": "rose", "table": "Table 2", "model": "VAE", "metric": "AUROC", "section": "§5.1"}, "same_side",
          needs=_ROSE_SETS),
    Claim("rose-t2-glow-best", "rose", "§5.1", "rose/s5_1_glow_benchmark",
          "On Glow, ROSE has the highest AUROC on the 'overall' OOD mix of the methods the paper compares "
          "(Table 2 right: ROSE, LRatio, IC(png), IC(jp2)).",
          {"paper": "rose", "section": "§5.1", "table": "Table 2", "model": "Glow", "ood": "overall",
           "metric": "AUROC", "method": ["ROSE", "LRatio", "IC(png)", "IC(jp2)"]}, "beats", method="ROSE",
          needs=_ROSE_SETS),
    Claim("rose-t2-glow-overall", "rose", "§5.1", "rose/s5_1_glow_benchmark",
          "ROSE on Glow detects the 'overall' OOD mix well (Table 2 right: AUROC 0.885 for Fashion-MNIST, 0.932 "
          "for CIFAR-10); the book asks for at least 0.8.",
          {"paper": "rose", "section": "§5.1", "table": "Table 2", "model": "Glow", "ood": "overall", "metric": "AUROC",
           "method": "ROSE"}, "above", threshold=0.8, needs=_ROSE_SETS),
    Claim("rose-t2-glow-chance", "rose", "§5.1", "rose/s5_1_glow_benchmark",
          "ROSE on Glow never falls below chance (AUROC ≥ 0.5) on any OOD set: 'ROSE has no failure case in which "
          "the AUROC is less than 0.5' (§5.1; its lowest Glow values are 0.518 and 0.562).",
          {"paper": "rose", "section": "§5.1", "table": "Table 2", "model": "Glow", "method": "ROSE",
           "metric": "AUROC"}, "above", threshold=0.5, needs=_ROSE_SETS),
    Claim("rose-t2-glow-side", "rose", "§5.1", "rose/s5_1_glow_benchmark",
          "Every method lands on the same side of chance as in the paper, cell by cell (Table 2, Glow half).",
          {"paper": "rose", "table": "Table 2", "model": "Glow", "metric": "AUROC", "section": "§5.1"}, "same_side",
          needs=_ROSE_SETS),
    Claim("rose-fig4-speed", "rose", "§5.2", "rose/s5_2_efficiency_robustness",
          "ROSE scores images far faster than Likelihood Regret on the same VAE (Fig. 4: about 110 vs 2.5 images/s, "
          "44×); the book asks for at least 30×.",
          {"paper": "rose", "table": "Fig 4", "metric": "images_per_s"}, "ratio", threshold=30.0,
          method="ROSE", versus="LR(E)"),
    Claim("rose-fig5-fisher", "rose", "§5.2", "rose/s5_2_efficiency_robustness",
          "ROSE is robust to the number of in-distribution images used for the Fisher (Fig. 5: 10 to 10,000); "
          "the book counts it robust when the median 'overall' AUROC varies by at most 0.10.",
          {"paper": "rose", "table": "Fig 5", "metric": "AUROC_median"}, "spread", threshold=0.10, needs=_ROSE_SETS),
    Claim("rose-t3-width", "rose", "§5.2", "rose/s5_2_efficiency_robustness",
          "ROSE is robust to the VAE's capacity (Table 3: widths 0.5×–4×); the book counts it robust when the "
          "AUROC on each OOD set varies by at most 0.10 across the paper's four widths (the paper's own largest "
          "spread is 0.098; the narrower VAEs the page also shows are not judged).",
          {"paper": "rose", "table": "Table 3", "metric": "AUROC", "method": [f"ROSE/{w:g}x" for w in PAPER_WIDTHS]},
          "spread", threshold=0.10, needs=_ROSE_SETS),
    Claim("rose-3.2-std", "rose", "§3.2", "rose/s3_2_outlier_exposure",
          "Outlier exposure is fragile: across CelebA at brightness 0.2×–1.8×, ROSE's AUROC varies less than every "
          "LRatio and RND row's (Table 1: ROSE's std 0.074 against 0.097–0.374); judged on ROSE's std minus each "
          "row's, with a 95% paired bootstrap interval over the test images.",
          _std_rows("Table 1"),
          "beats", method="ROSE/Std", lower=True),
    Claim("rose-b3-lambda", "rose", "App. B.3", "rose/s3_2_outlier_exposure",
          "For every perturbation of Table 1, LRatio's background VAE trained with λ = 0 performs better than with "
          "λ = 10 (App. B.3: 'we use λ = 0, which performs better than λ = 10'); judged on the mean AUROC over "
          "CelebA's nine brightnesses, λ = 0's minus λ = 10's, with a 95% paired bootstrap interval over the test "
          "images.",
          {"paper": "rose", "table": "Table 1", "metric": "AUROC",
           "method": [f"{d}/{ROW_NAMES[n]}; Mean" for d in ("LRatio", OE_L2_DETECTOR)
                      for n in BRIGHTNESS_TABLES["Table 1"][1]]},
          "beats", method="LRatio/{}; Mean", versus=OE_L2_DETECTOR + "/{}; Mean"),
    Claim("rose-c4-t9-std", "rose", "App. C.4", "rose/s3_2_outlier_exposure",
          "§3.2's claim on Omniglot (Table 9): ROSE's AUROC varies less across brightness than every LRatio and RND "
          "row's. The paper's own Table 9 does not quite show it: there LRatio with GB varies less (std 0.064 against "
          "ROSE's 0.078), at AUROCs near 0.",
          _std_rows("Table 9"),
          "beats", method="ROSE/Std", lower=True),
    Claim("rose-c4-t10-side", "rose", "App. C.4", "rose/c4_perturbations",
          "LRatio with each of the seven perturbations lands on the same side of chance as the paper's, cell by cell "
          "(Table 10).", {"paper": "rose", "table": "Table 10", "metric": "AUROC"}, "same_side",
          needs=("svhn", "lsun")),
    Claim("rose-c4-t11-side", "rose", "App. C.4", "rose/c4_perturbations",
          "RND with each of the seven perturbations lands on the same side of chance as the paper's, cell by cell "
          "(Table 11).", {"paper": "rose", "table": "Table 11", "metric": "AUROC"}, "same_side",
          needs=("svhn", "lsun")),
    Claim("rose-fig6-cnn", "rose", "App. D", "rose/d_layerwise",
          "In the basic CNN, layer-wise ROSE detects OOD images better at deeper layers (Fig. 6a: 'AUROCs increase in "
          "basic CNN as the layer goes deeper'); judged on the last layer against the first, per OOD set.",
          {"paper": "rose", "table": "Fig 6", "model": "cnn4", "metric": "AUROC",
           "method": ["ROSE/last", "ROSE/first"]},
          "beats", method="ROSE/last", per_model=True),
    Claim("rose-fig6-rise-fall", "rose", "App. D", "rose/d_layerwise",
          "In VGG-11/13/16/19 and ResNet-18, layer-wise ROSE rises with depth and drops off at the deepest layers "
          "(Fig. 6b–f); judged on the middle layer against the first and the last, per network and OOD set.",
          {"paper": "rose", "table": "Fig 6", "model": [a for a in ARCHS if a != "cnn4"], "metric": "AUROC",
           "method": ["ROSE/middle", "ROSE/first", "ROSE/last"]}, "beats", method="ROSE/middle", per_model=True),
    Claim("rose-e-prop2-hessian", "rose", "App. E", "rose/e_proposition2",
          "The second-order expansion of S_X(x̃) with the Hessian of log p(θ | X) (App. E, Eq. 16) leaves an O(‖Δθ‖³) "
          "error; the book asks for a fitted log-log slope of the error of at least 2.5.",
          {"paper": "rose", "table": "Proposition 2", "method": "Eq. 13 (Hessian)", "metric": "error slope"},
          "above", threshold=2.5),
    Claim("rose-e-prop2", "rose", "App. E", "rose/e_proposition2",
          "Proposition 2 (Eq. 13): with −N·F_X(θ0) in place of that Hessian (Eq. 17), the error is still O(‖Δθ‖³); "
          "the book asks for a fitted log-log slope of at least 2.5.",
          {"paper": "rose", "table": "Proposition 2", "method": "Eq. 13 (F_X)", "metric": "error slope"},
          "above", threshold=2.5),
    Claim("rose-e-eq5-rank", "rose", "App. E", "rose/e_proposition2",
          "ROSE's score (Eq. 5) ranks test points as the exact S_X(x̃) does; the book asks for a Spearman correlation "
          "of at least 0.9.", {"paper": "rose", "table": "Proposition 2", "method": "Eq. 5", "metric": "Spearman ρ"},
          "above", threshold=0.9),
    Claim("rose-t6-ekfac", "rose", "App. C.2", "rose/c2_diag_vs_ekfac",
          "EKFAC beats the diagonal preconditioner in every cell (Table 6: 'For all situations, EKFAC outperforms "
          "DIAG').", {"paper": "rose", "section": "App. C.2", "table": "Table 6", "metric": "AUROC"},
          "beats", method="ROSE/EKFAC", needs=_ROSE_SETS),
    Claim("rose-t7-overall", "rose", "App. C.3", "rose/c3_glow_layers",
          "On Glow, ROSE on the invertible 1×1 convolutions beats ROSE on every convolution on the 'overall' mix "
          "(Table 7: 'The overall performance of InvConv is slightly superior to Full').",
          {"paper": "rose", "section": "App. C.3", "table": "Table 7", "metric": "AUROC", "ood": "overall"},
          "beats", method="ROSE/InvConv", needs=_ROSE_SETS),
    Claim("rose-t7-cifar10", "rose", "App. C.3", "rose/c3_glow_layers",
          "On the CIFAR-10 Glow, InvConv beats Full on every OOD set (Table 7 caption; the table's CIFAR-10 row "
          "was lost in the PDF conversion).",
          {"paper": "rose", "section": "App. C.3", "table": "Table 7", "metric": "AUROC", "in_dist": "cifar10"},
          "beats", method="ROSE/InvConv", needs=_ROSE_SETS),
]
