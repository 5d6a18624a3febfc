"""The approximate mass (Chali et al.): the chapter's sizes at each profile (``smoke``, ``cpu``, ``paper``) and the fields of its setting tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import sizes_at


@dataclass(frozen=True)
class Sizes:
    """Chali et al.'s sizes at one profile (the ``paper`` instance: §4's RealNVPs 2 scales × 4 blocks / 3 × 6,
    Adam, 200 epochs, all images)."""

    realnvp_arch: dict = field(default_factory=dict)      # in-dist -> RealNVPConfig fields overriding §4.2's
    realnvp_epochs: dict = field(default_factory=lambda: {"fmnist": 200, "cifar10": 200})
    # in-dist -> training images (absent: all). The paper trains on all; 1,000 are held out here for G-ODIN's ε
    # and the α ablation's in-distribution columns (held_out_images).
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


SIZES = {
    "smoke": Sizes(realnvp_arch={"fmnist": dict(blocks=1, hidden=4), "cifar10": dict(scales=2, blocks=1, hidden=4)},
                   realnvp_epochs={"fmnist": 1, "cifar10": 1}, realnvp_n_train={"fmnist": 128, "cifar10": 128},
                   chali_n_test=24, chali_alphas=(2.0,), classifier_blocks=1,
                   classifier_epochs={"fmnist": 1, "cifar10": 1}, oneclass_arch=dict(scales=2, blocks=1, hidden=4),
                   oneclass_epochs={"mnist": 1, "cifar10": 1}, oneclass_n_train=64, oneclass_n_id=24,
                   oneclass_n_rest=24),
    # cpu: Chali et al.'s RealNVP (2 scales × 2 blocks, hidden 32 for Fashion-MNIST: 1.16M parameters) trains at
    # ~7 / ~15 min per epoch of 20,000 images, vanilla / penalised (double backpropagation), on one thread:
    # 5 epochs took 33 / 72 min, each on one thread beside the other. The α ablation needs four more
    # penalised models, so its models get 2 epochs (chali_alpha_epochs), its α = 0 and α = 2 points included.
    "cpu": Sizes(realnvp_arch={"fmnist": dict(blocks=2, hidden=32), "cifar10": dict(blocks=2, hidden=32)},
                 realnvp_epochs={"fmnist": 5, "cifar10": 5}, realnvp_n_train={"fmnist": 20000, "cifar10": 5000},
                 chali_n_test=2000, chali_alphas=(0.5, 1.0, 2.0, 5.0), chali_alpha_epochs={"fmnist": 2},
                 classifier_epochs={"fmnist": 5, "cifar10": 5},
                 oneclass_arch=dict(scales=2, blocks=1, hidden=32), oneclass_epochs={"mnist": 2, "cifar10": 1},
                 oneclass_n_rest=1000),
    "paper": Sizes(),
}


FIELD_LABELS = {
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


# The fields each page's setting table shows.
CHALI_FIELDS = ("realnvp_arch", "realnvp_epochs", "realnvp_n_train", "chali_n_test")


ONECLASS_FIELDS = ("oneclass_arch", "oneclass_epochs", "oneclass_n_train", "oneclass_n_id", "oneclass_n_rest")


def _sizes(profile: str) -> Sizes:
    return sizes_at(SIZES, profile)
