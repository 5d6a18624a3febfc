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
    notes: dict = field(default_factory=dict)


PAPER = Profile("paper", {"fmnist": 100, "cifar10": 100}, {"fmnist": 30, "cifar10": 30}, None, 1.0,
                5000, 5000, 1000, 20)
PROFILES = {
    "smoke": Profile("smoke", {"fmnist": 1, "cifar10": 1}, {"fmnist": 30, "cifar10": 30}, 256, 0.25,
                     48, 24, 8, 2, {"purpose": "seconds-long smoke test: numbers are meaningless"}),
    # cpu: measured on 2 cores with tcmalloc, ~600 img/s (FMNIST) and ~160 img/s (CIFAR-10) per
    # training step, i.e. ~20 min and ~32 min of training; IWAE k=20 scores ~67 and ~16 img/s.
    "cpu": Profile("cpu", {"fmnist": 12, "cifar10": 6}, {"fmnist": 4, "cifar10": 2}, None, 1.0,
                   2000, 1000, 1000, 20),
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
}


def compare(profile: str, fields=tuple(FIELD_LABELS)):
    """Return a table of ``fields``: the paper's setting beside ``profile``'s."""
    import pandas as pd

    p = get_profile(profile)
    return pd.DataFrame({"paper": [str(getattr(PAPER, f)) for f in fields],
                         profile: [str(getattr(p, f)) for f in fields]},
                        index=[FIELD_LABELS.get(f, f) for f in fields])
