"""SR-OOD (Sun et al.): the chapter's sizes at each profile (``smoke``, ``cpu``, ``paper``) and the fields of its setting tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import sizes_at


@dataclass(frozen=True)
class Sizes:
    """SR-OOD's sizes at one profile. The paper states λ1, λ2 and the Likelihood Regret VAE's 200 epochs only; the
    ``paper`` instance holds the book's choices for the rest (pSp's own training runs far longer)."""

    # training and validation images per in-distribution set (CelebA 2,000 and Pokemon 809 images here in all)
    sr_n_train: dict = field(default_factory=lambda: {"cifar10": 45000, "celeba": 1200, "pokemon": 500})
    sr_n_val: dict = field(default_factory=lambda: {"cifar10": 5000, "celeba": 200, "pokemon": 100})
    sr_n_test: int | None = None                   # test images per set (None: all)
    sr_epochs: dict = field(default_factory=lambda: {"cifar10": 100, "celeba": 500, "pokemon": 500})
    sr_arch: dict = field(default_factory=lambda: dict(base=64, style=128))
    sr_regret_n: int | None = None                 # Likelihood Regret: test images per set (None: all)
    sr_vae_epochs: int = 200                       # the CelebA baselines' VAEs (§IV-C: 200 epochs)
    sr_vae_arch: dict = field(default_factory=lambda: dict(base=64, latent=200))
    sr_ensemble: int = 5                           # WAIC's members (Choi et al.: 5)
    sr_is_k: int = 20                              # importance samples of a VAE's NLL
    sr_classifier_epochs: int = 100                # the Pokemon type classifier (MSP, MaxLogit)


SIZES = {
    "smoke": Sizes(sr_n_train={"cifar10": 96, "celeba": 96, "pokemon": 96},
                   sr_n_val={"cifar10": 32, "celeba": 32, "pokemon": 32}, sr_n_test=32,
                   sr_epochs={"cifar10": 1, "celeba": 1, "pokemon": 1}, sr_arch=dict(base=4, style=4), sr_regret_n=4,
                   sr_vae_epochs=1, sr_vae_arch=dict(base=4, latent=4), sr_ensemble=2, sr_is_k=2,
                   sr_classifier_epochs=1),
    # cpu: the repairer trains at ~1,300 img/s with its LPIPS loss (2 threads), so 10,000 CIFAR-10 images × 20
    # epochs take ~3 min and each of the nine repairers under 4; Likelihood Regret scores ~1 img/s (ROSE's
    # benchmarks/ood_throughput.csv), so it sees 64 images per set
    "cpu": Sizes(sr_n_train={"cifar10": 10000, "celeba": 1200, "pokemon": 500},
                 sr_n_val={"cifar10": 500, "celeba": 200, "pokemon": 100}, sr_n_test=500,
                 sr_epochs={"cifar10": 20, "celeba": 100, "pokemon": 150}, sr_arch=dict(base=32, style=64),
                 sr_regret_n=64, sr_vae_epochs=40, sr_vae_arch=dict(base=32, latent=100), sr_ensemble=3,
                 sr_is_k=20, sr_classifier_epochs=60),
    "paper": Sizes(),
}


FIELD_LABELS = {
    "sr_n_train": "SR-OOD: training images", "sr_n_val": "SR-OOD: in-distribution validation images",
    "sr_n_test": "SR-OOD: test images per set (None = all)", "sr_epochs": "repairer: training epochs",
    "sr_arch": "repairer: channels (base) and style width", "sr_regret_n": "Likelihood Regret: images per set",
    "sr_vae_epochs": "baseline VAEs: training epochs", "sr_vae_arch": "baseline VAEs: channels and latent size",
    "sr_ensemble": "WAIC: ensemble members", "sr_is_k": "VAE NLL: importance samples",
    "sr_classifier_epochs": "Pokemon type classifier: epochs",
}


DATA_FIELDS = ("sr_n_train", "sr_n_val", "sr_n_test")


REPAIR_FIELDS = DATA_FIELDS + ("sr_epochs", "sr_arch")


CIFAR_FIELDS = REPAIR_FIELDS + ("sr_regret_n", "sr_is_k")


CELEBA_FIELDS = REPAIR_FIELDS + ("sr_vae_epochs", "sr_vae_arch", "sr_ensemble", "sr_is_k")


POKEMON_FIELDS = REPAIR_FIELDS + ("sr_classifier_epochs",)


def _sizes(profile: str) -> Sizes:
    return sizes_at(SIZES, profile)
