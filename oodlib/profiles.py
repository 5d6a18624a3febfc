"""Scale profiles: ``smoke`` (seconds, for tests), ``cpu`` (the committed book, 2 cores), ``paper``.

A page asks its profile for sizes; the "setting" cell prints them beside the paper's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UnknownName


@dataclass(frozen=True)
class Profile:
    """Sizes of one scale profile."""

    name: str
    vae_epochs: dict          # in-dist -> epochs (paper: 100)
    vae_lr_step: dict         # in-dist -> halve the lr every this many epochs (paper: 30)
    vae_n_train: int | None   # training images (None: the whole train split)
    vae_width: float          # multiplier of the base width n (paper: 1)
    n_id_test: int            # in-distribution test images scored (paper: 5,000)
    n_ood: int                # images per OOD set (paper: 5,000)
    n_overall_each: int       # images of each OOD set in the "overall" mix (paper: 1,000)
    iwae_k: int               # importance samples of the IWAE NLL (paper: 20)
    # ROSE §5 benchmark (Table 2 with every method, Tables 3–6, Fig. 4–5)
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
    widths: tuple = (0.5, 1.0, 2.0, 4.0)                            # Table 3, relative to the 1× VAE
    width_base: float = 1.0                                          # the sweep's 1×, in units of the paper's VAE
    width_sets: tuple = ("fmnist", "cifar10")
    background_epochs: dict = field(default_factory=dict)    # LRatio background VAE: in-dist -> (epochs, lr step)
    width_epochs: int | None = None   # Table 3's models: epochs (None: as vae_epochs) and lr step
    width_lr_step: int | None = None
    throughput_n: int = 512           # Fig. 4: images timed per method (LR(E): throughput_n_lr)
    throughput_n_lr: int = 64
    # Glow (ROSE App. B.2: 50 epochs; 1,000 test images per set, "overall" 1,000 of each)
    glow_epochs: dict = field(default_factory=lambda: {"fmnist": 50, "cifar10": 50})
    glow_arch: dict = field(default_factory=dict)       # in-dist -> GlowConfig fields overriding App. B.2's
    glow_background_epochs: dict = field(default_factory=dict)   # LRatio background Glow, where shorter
    glow_n_id: int = 1000
    glow_n_ood: int = 1000
    glow_overall_each: int = 1000
    # Approximate mass (Chali et al. §4: RealNVP 2 scales × 4 blocks / 3 × 6, Adam, 200 epochs, all images)
    realnvp_arch: dict = field(default_factory=dict)      # in-dist -> RealNVPConfig fields overriding §4.2's
    realnvp_epochs: dict = field(default_factory=lambda: {"fmnist": 200, "cifar10": 200})
    # in-dist -> training images (absent: all). The paper trains on all; 1,000 are held out here for G-ODIN's ε
    # and the α ablation's in-distribution columns (zoo.held_out_images).
    realnvp_n_train: dict = field(default_factory=lambda: {"fmnist": 59000, "cifar10": 49000})
    chali_n_test: int = 10000          # ID test images, and as many of each OOD set (balanced, §4.3)
    chali_alphas: tuple = (0.5, 1.0, 2.0, 5.0, 10.0)   # the α ablation (§4.1: "a range of α")
    chali_alpha_sets: tuple = ("fmnist",)
    chali_alpha_epochs: dict = field(default_factory=dict)   # in-dist -> the α models' epochs, where shorter
    oneclass_arch: dict = field(default_factory=dict)     # one-class models (§4.4): changes to §4.2's
    oneclass_epochs: dict = field(default_factory=lambda: {"mnist": 200, "cifar10": 200})
    oneclass_n_train: int | None = None  # training images of the class (None: all, ~6,000 / 5,000)
    classifier_blocks: int = 2           # §4.3 baselines' classifier: residual blocks per stage (width: matched)
    classifier_epochs: dict = field(default_factory=lambda: {"fmnist": 100, "cifar10": 100})
    oneclass_n_id: int | None = None     # test images of the class itself (None: all, ~1,000)
    oneclass_n_rest: int | None = None   # test images of the other classes per model (None: all)
    notes: dict = field(default_factory=dict)


PAPER = Profile("paper", {"fmnist": 100, "cifar10": 100}, {"fmnist": 30, "cifar10": 30}, None, 1.0,
                5000, 5000, 1000, 20)
PROFILES = {
    "smoke": Profile("smoke", {"fmnist": 1, "cifar10": 1}, {"fmnist": 30, "cifar10": 30}, 256, 0.25,
                     48, 24, 8, 2, bench_n_id=32, bench_n_ood=16, bench_overall_each=8, n_fisher=16, lr_steps=2,
                     lr_n_id=8, lr_n_ood=4, fisher_sweep=(4, 16), fisher_repeats=2, fisher_sweep_sets=("fmnist",),
                     widths=(0.5, 1.0), width_base=1.0, width_sets=("fmnist",), throughput_n=8, throughput_n_lr=2,
                     glow_epochs={"fmnist": 1, "cifar10": 1},
                     glow_arch={"fmnist": dict(steps=2, hidden=8), "cifar10": dict(steps=2, hidden=8)},
                     glow_n_id=32, glow_n_ood=16, glow_overall_each=8,
                     realnvp_arch={"fmnist": dict(blocks=1, hidden=4), "cifar10": dict(scales=2, blocks=1, hidden=4)},
                     realnvp_epochs={"fmnist": 1, "cifar10": 1}, realnvp_n_train={"fmnist": 128, "cifar10": 128},
                     chali_n_test=24, chali_alphas=(2.0,), classifier_blocks=1,
                     classifier_epochs={"fmnist": 1, "cifar10": 1}, oneclass_arch=dict(scales=2, blocks=1, hidden=4),
                     oneclass_epochs={"mnist": 1, "cifar10": 1}, oneclass_n_train=64, oneclass_n_id=24, oneclass_n_rest=24,
                     notes={"purpose": "seconds-long smoke test: numbers are meaningless"}),
    # cpu: measured on 2 cores with tcmalloc, ~600 img/s (FMNIST) and ~160 img/s (CIFAR-10) per
    # training step, i.e. ~20 min and ~32 min of training; IWAE k=20 scores ~67 and ~16 img/s.
    # The §5 benchmark scores 1,000 ID / 400 per OOD set (IWAE on CIFAR-10 is ~18 img/s here) and
    # Likelihood Regret (~0.5–3 img/s: 100 Adam steps per image) 64 ID / 32 per set; the width sweep
    # sits around 0.25× of the paper's VAE (widths 0.125–1), Fashion-MNIST only, so that every model
    # trains in minutes (3 epochs each: the 256-way decoder output costs the same at every width, so
    # narrow VAEs are not much cheaper to train here). The CIFAR-10 background VAE of LRatio gets 3
    # epochs (lr halved every epoch) instead of the main VAE's 6, to fit one session.
    # Glow keeps App. B.2's depth (2 scales × 16 steps; 3 × 8) with narrower coupling networks (hidden
    # 64 / 128 instead of 200 / 400): 193 / 124 img/s per training step on one thread
    # (benchmarks/flow_throughput.csv; the paper's widths: 41 / 30 img/s, ~25 min per epoch), so 8 / 6
    # epochs took 47 / 44 min, each on one thread beside the other; the LRatio background Glows get
    # 3 / 2 epochs (19 / 15 min).
    # Chali et al.'s RealNVP (2 scales × 2 blocks, hidden 32 for Fashion-MNIST: 1.16M parameters) trains at
    # ~7 / ~15 min per epoch of 20,000 images, vanilla / penalised (double backpropagation), on one thread:
    # 5 epochs took 33 / 72 min, each on one thread beside the other. The α ablation needs four more
    # penalised models, so its models get 2 epochs (chali_alpha_epochs), its α = 0 and α = 2 points included.
    "cpu": Profile("cpu", {"fmnist": 12, "cifar10": 6}, {"fmnist": 4, "cifar10": 2}, None, 1.0,
                   2000, 1000, 1000, 20, bench_n_id=1000, bench_n_ood=400, bench_overall_each=400,
                   lr_n_id=64, lr_n_ood=32, fisher_sweep=(10, 100, 1000, 10000), fisher_repeats=5,
                   fisher_sweep_sets=("fmnist",), width_base=0.25, width_sets=("fmnist",), width_epochs=3, width_lr_step=1,
                   background_epochs={"cifar10": (3, 1)},
                   throughput_n=256,
                   throughput_n_lr=16,
                   glow_epochs={"fmnist": 8, "cifar10": 6},
                   glow_arch={"fmnist": dict(hidden=64), "cifar10": dict(hidden=128)},
                   glow_background_epochs={"fmnist": 3, "cifar10": 2},
                   realnvp_arch={"fmnist": dict(blocks=2, hidden=32), "cifar10": dict(blocks=2, hidden=32)},
                   realnvp_epochs={"fmnist": 5, "cifar10": 5}, realnvp_n_train={"fmnist": 20000, "cifar10": 5000},
                   chali_n_test=2000, chali_alphas=(0.5, 1.0, 2.0, 5.0), chali_alpha_epochs={"fmnist": 2},
                   classifier_epochs={"fmnist": 5, "cifar10": 5},
                   oneclass_arch=dict(scales=2, blocks=1, hidden=32), oneclass_epochs={"mnist": 2, "cifar10": 1},
                   oneclass_n_rest=1000),
    "paper": PAPER,
}


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``, or raise UnknownName listing the profiles."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownName(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None


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
    "realnvp_arch": "RealNVP architecture (changes to §4.2's)", "realnvp_epochs": "RealNVP training epochs",
    "realnvp_n_train": "RealNVP training images (absent = all)", "chali_n_test": "ID test images (= images per OOD set)",
    "chali_alphas": "α ablation: values", "chali_alpha_sets": "α ablation: in-distribution sets",
    "chali_alpha_epochs": "α ablation: training epochs where not as above",
    "oneclass_arch": "one-class RealNVP (changes to §4.2's)", "oneclass_epochs": "one-class training epochs",
    "oneclass_n_train": "one-class training images (None = the whole class)",
    "oneclass_n_id": "one-class: test images of the class (None = all)",
    "classifier_blocks": "baseline classifier: blocks per stage", "classifier_epochs": "baseline classifier: epochs",
    "oneclass_n_rest": "one-class: test images of the other classes (None = all)",
}


BASE_FIELDS = ("vae_epochs", "vae_lr_step", "vae_n_train", "vae_width", "n_id_test", "n_ood", "n_overall_each", "iwae_k")
BENCH_FIELDS = ("vae_epochs", "iwae_k", "bench_n_id", "bench_n_ood", "bench_overall_each", "n_fisher")
CHALI_FIELDS = ("realnvp_arch", "realnvp_epochs", "realnvp_n_train", "chali_n_test")
ONECLASS_FIELDS = ("oneclass_arch", "oneclass_epochs", "oneclass_n_train", "oneclass_n_id", "oneclass_n_rest")
GLOW_FIELDS = ("glow_epochs", "glow_arch", "glow_background_epochs", "glow_n_id", "glow_n_ood", "glow_overall_each",
               "n_fisher")


def compare(profile: str, fields=BASE_FIELDS):
    """Return a table of ``fields``: the ``paper`` profile's setting beside ``profile``'s.

    The ``paper`` profile follows a paper where it speaks and is the book's paper-size choice where it is
    silent (e.g. the α values of Chali et al.'s ablation), hence the column's name, "paper profile".
    """
    import pandas as pd

    p = get_profile(profile)
    return pd.DataFrame({"paper profile": [str(getattr(PAPER, f)) for f in fields],
                         profile: [str(getattr(p, f)) for f in fields]},
                        index=[FIELD_LABELS.get(f, f) for f in fields])


def setting_rows(profile: str, fields, in_dists) -> dict:
    """Return {field label: {in-distribution set: (this profile's value, the paper profile's)}} for ``fields``:
    a field that is a dict keyed by in-distribution set gives each set its own value (absent: None, i.e. "all"
    for sizes, the paper's for architecture changes), any other field the same value for every set."""
    p = get_profile(profile)

    def of(prof, f, d):
        v = getattr(prof, f)
        if isinstance(v, dict) and (d in v or any(k in PER_SET_KEYS for k in v) or not v):
            return v.get(d, {} if f.endswith("_arch") else None)
        return v
    return {FIELD_LABELS.get(f, f): {d: (of(p, f, d), of(PAPER, f, d)) for d in in_dists} for f in fields}


PER_SET_KEYS = ("fmnist", "cifar10", "mnist", "svhn", "celeba")   # dict fields keyed by in-distribution set
