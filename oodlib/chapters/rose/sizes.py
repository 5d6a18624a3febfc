"""ROSE (Choi et al.): the chapter's sizes at each profile (``smoke``, ``cpu``, ``paper``) and the fields of its setting tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import sizes_at

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
                   glow_n_id=32, glow_n_ood=16, glow_overall_each=8, oe_n_train=64, oe_background_epochs=(1, 30),
                   oe_n_id=16, oe_n_ood=8, oe_iwae_k=2, rnd_width=8, rnd_features=16, rnd_epochs=1, rnd_lr=1e-3,
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
    return sizes_at(SIZES, profile)
