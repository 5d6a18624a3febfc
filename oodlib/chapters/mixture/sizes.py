"""Mixture priors (Kamoi & Kobayashi): the chapter's sizes at each profile (``smoke``, ``cpu``, ``paper``) and the fields of its setting tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import sizes_at


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
    # Kamoi §5.1 trains on "a small subset" (size not stated): the labels' training images, at most this many (None:
    # all of them); CIFAR-10's subset is one k-means cluster of each label (App. E: k = 4)
    prior_n_train: dict = field(default_factory=lambda: {"fmnist": None, "cifar10": None})
    prior_clusters: int = 4
    prior_n_test: int | None = None        # test images per set (None: all)
    # Fig. 6's distances between the two components (the paper's axis is only drawn; ours include Table 1's 100, 150)
    prior_distances: tuple = (10.0, 25.0, 50.0, 100.0, 150.0)
    # The VAE of App. B (Adam β = (0.5, 0.9), lr 1e-3, 1,000 epochs; 5,000 importance samples at test time)
    prior_vae_epochs: dict = field(default_factory=lambda: {"fmnist": 1000, "cifar10": 1000})
    prior_vae_is_k: int = 5000
    # The Glow of App. B (Fashion-MNIST: one block of 32 steps, squeezed after the 16th; CIFAR-10: 24 steps, squeezed
    # after the 8th and 16th; Adam, lr 1e-3 warmed up over 10 epochs, 1,000 epochs; the couplings' width is not
    # stated: OpenAI's code's 512)
    prior_glow_epochs: dict = field(default_factory=lambda: {"fmnist": 1000, "cifar10": 1000})
    prior_glow_arch: dict = field(default_factory=dict)     # in-dist -> PriorGlowConfig fields overriding App. B's


SIZES = {
    "smoke": Sizes(toy_n_train=512, toy_epochs=1, toy_hidden=8, toy_n_test=200, toy_distances=(7.0, 14.0),
                   prior_n_train={"fmnist": 128, "cifar10": 128}, prior_clusters=2, prior_n_test=32,
                   prior_distances=(100.0, 150.0), prior_vae_epochs={"fmnist": 1, "cifar10": 1}, prior_vae_is_k=2,
                   prior_glow_epochs={"fmnist": 1, "cifar10": 1},
                   prior_glow_arch={"fmnist": dict(steps=2, squeeze_after=(1,), hidden=8),
                                    "cifar10": dict(steps=3, squeeze_after=(1, 2), hidden=8)}),
    # cpu: each toy flow trains in about 2 s (10,000 points, 30 epochs, one thread). benchmarks/mixture_throughput.csv
    # (2 threads, idle): the VAE trains at ~325 img/s and scores ~34 img/s with 20 importance samples (the 256-way
    # decoder's last layer dominates); App. B's Glow (32 steps, 512 wide) trains at ~33 img/s, 16 steps 64 wide at
    # ~890 img/s. So: 2,000 training images, a VAE ~2 min and a Glow ~1.5 min to train, 500 test images per set.
    "cpu": Sizes(toy_epochs=30, prior_n_train={"fmnist": 2000, "cifar10": None}, prior_n_test=500,
                 prior_vae_epochs={"fmnist": 20, "cifar10": 10}, prior_vae_is_k=20,
                 prior_glow_epochs={"fmnist": 30, "cifar10": 15},
                 prior_glow_arch={"fmnist": dict(steps=16, squeeze_after=(8,), hidden=64),
                                  "cifar10": dict(steps=12, squeeze_after=(4, 8), hidden=64)}),
    "paper": Sizes(),
}


FIELD_LABELS = {
    "toy_dims": "toy: dimensions", "toy_n_train": "toy: training points", "toy_epochs": "toy: training epochs",
    "toy_hidden": "toy: coupling MLP width", "toy_n_test": "toy: test points per set",
    "toy_distances": "toy: prior distances swept",
    "prior_n_train": "Kamoi: training images (None = all of the labels')",
    "prior_clusters": "Kamoi: k-means clusters per CIFAR-10 label (one kept)",
    "prior_n_test": "Kamoi: test images per set (None = all)",
    "prior_distances": "Kamoi: distances between two components swept (Fig. 6)",
    "prior_vae_epochs": "Kamoi VAE: training epochs", "prior_vae_is_k": "Kamoi VAE: importance samples per test image",
    "prior_glow_epochs": "Kamoi Glow: training epochs", "prior_glow_arch": "Kamoi Glow: architecture (changes to App. B's)",
}


TOY_FIELDS = tuple(f for f in FIELD_LABELS if f.startswith("toy_"))


PRIOR_DATA_FIELDS = ("prior_n_train", "prior_n_test")


PRIOR_VAE_FIELDS = ("prior_vae_epochs", "prior_vae_is_k")


PRIOR_GLOW_FIELDS = ("prior_glow_epochs", "prior_glow_arch")


PRIOR_FIELDS = PRIOR_DATA_FIELDS + PRIOR_VAE_FIELDS + PRIOR_GLOW_FIELDS       # §5.3's pages


DISTANCE_FIELDS = PRIOR_FIELDS + ("prior_distances",)                        # Fig. 6's


SECOND_ORDER_FIELDS = PRIOR_DATA_FIELDS + PRIOR_VAE_FIELDS                   # Fig. 7's (the VAE only)


COMPLEX_FIELDS = ("prior_n_train", "prior_clusters", "prior_n_test") + PRIOR_VAE_FIELDS + PRIOR_GLOW_FIELDS  # §5.4


def _sizes(profile: str) -> Sizes:
    return sizes_at(SIZES, profile)
