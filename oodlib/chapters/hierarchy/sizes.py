"""Hierarchies of distributions (Schirrmeister et al.): the chapter's sizes at each profile (``smoke``, ``cpu``, ``paper``) and the fields of its setting tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import sizes_at


@dataclass(frozen=True)
class Sizes:
    """The chapter's sizes at one profile (the ``paper`` instance: the supplement's, S1.1 and S4.1)."""

    hi_arch: dict = field(default_factory=lambda: dict(levels=3, steps=32, hidden=512))   # S1.1
    hi_epochs: int = 250                # in-distribution Glows (S4.1)
    # the general model: as many batch updates as an in-distribution Glow (S4.1: "so that the number of batch
    # updates is identical"), i.e. 250 epochs × 50,000 / 9,104 general images
    hi_general_epochs: int = 1373
    hi_n_train: int | None = None       # CIFAR-10 training images (None: all 50,000)
    hi_general_n: int | None = None     # general-set training images (None: all; fewer at smoke only)
    hi_seeds: int = 3                   # training seeds of Table S2
    hi_n_test: int | None = None        # CIFAR-10 test images scored (None: all 10,000)
    hi_n_ood: int | None = None         # images per OOD set (None: its whole evaluation half)
    hi_lr: float = 5e-4                 # Adamax's learning rate from scratch (S4.1) ...
    hi_finetune_lr: float = 5e-4        # ... and when finetuning (S4.1: the same)
    hi_local_arch: dict = field(default_factory=lambda: dict(patch=8, steps=32, hidden=512))   # S2.1
    hi_dense_arch: dict = field(default_factory=lambda: dict(steps=8, hidden=512))             # S2.2
    hi_classifier_epochs: int = 200     # S9's Wide-ResNet (meliketoy/wide-resnet.pytorch: 200 epochs)
    hi_classifier_n: int | None = None  # its training images, a seeded draw from both classes (None: all 18,208)


SIZES = {
    "smoke": Sizes(hi_arch=dict(levels=3, steps=1, hidden=4), hi_epochs=1, hi_general_epochs=1, hi_n_train=128,
                   hi_general_n=256,
                   hi_seeds=2, hi_n_test=32, hi_n_ood=16, hi_lr=2e-3, hi_local_arch=dict(patch=8, steps=1, hidden=4),
                   hi_dense_arch=dict(steps=1, hidden=4), hi_classifier_epochs=1, hi_classifier_n=256),
    # cpu: three scales of 4 steps with coupling networks 40 channels wide train at ~1,200 img/s on 2 threads
    # (~520 img/s with the outlier loss, which scores an outlier batch and the reference model too): 10,000 CIFAR-10
    # images × 12 epochs take ~2 min plain and ~4 min with the outlier loss; every Glow weighs 0.43 MB in half
    # precision. With ~1,900 updates instead of the paper's ~195,000, Adamax's rate from scratch is 2e-3, chosen on
    # the general set's training loss (3 epochs: 5.36 bits/dim at 5e-4, 4.96 at 2e-3); finetuning keeps the paper's
    # 5e-4 (at 2e-3 Adamax's first, sign-sized step on every weight threw the general Glow from 4.47 to 563 bits/dim
    # on CIFAR-10 and its training to NaN; at 5e-4 it recovers within ~40 steps)
    "cpu": Sizes(hi_arch=dict(levels=3, steps=4, hidden=40), hi_epochs=12, hi_general_epochs=13, hi_n_train=10000,
                 hi_seeds=3, hi_n_test=2000, hi_n_ood=2000, hi_lr=2e-3, hi_finetune_lr=5e-4,
                 hi_local_arch=dict(patch=8, steps=8, hidden=64), hi_dense_arch=dict(steps=2, hidden=16),
                 hi_classifier_epochs=4),
    "paper": Sizes(),
}


FIELD_LABELS = {
    "hi_arch": "Glow: scales, steps per scale, coupling width", "hi_epochs": "in-distribution Glows: epochs",
    "hi_general_epochs": "general Glow: epochs (as many updates)",
    "hi_n_train": "CIFAR-10 training images (None = all)",
    "hi_general_n": "general set: training images (None = all)",
    "hi_seeds": "training seeds", "hi_n_test": "CIFAR-10 test images (None = all)",
    "hi_n_ood": "images per OOD set (None = its evaluation half)", "hi_lr": "Adamax learning rate from scratch",
    "hi_finetune_lr": "Adamax learning rate when finetuning",
    "hi_local_arch": "local Glow: patch, steps, coupling width",
    "hi_dense_arch": "fully connected Glow: steps per scale, width", "hi_classifier_epochs": "binary classifier: epochs",
    "hi_classifier_n": "binary classifier: training images (None = all)",
}


TABLE_S2_FIELDS = ("hi_arch", "hi_epochs", "hi_general_epochs", "hi_lr", "hi_finetune_lr", "hi_n_train", "hi_seeds",
                   "hi_n_test", "hi_n_ood")


def _sizes(profile: str) -> Sizes:
    return sizes_at(SIZES, profile)
