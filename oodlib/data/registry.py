"""The dataset registry: every set the book uses, where its file lives, and its checksum.

sha256 values are those of ``../shared/datasets/SOURCES.md`` (a test checks they agree);
for Fashion-MNIST they are of the decompressed IDX files of the Debian package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .halves import GENERAL_PARTS, HALVES_SEED


@dataclass(frozen=True)
class DatasetInfo:
    """One registered dataset: its file, shape, provenance and how else it can be obtained."""

    name: str
    title: str
    splits: dict                    # split -> npz file name (or IDX stem for kind="idx")
    sha256: dict = field(default_factory=dict)   # file name -> sha256
    channels: int = 1
    size: int = 28
    kind: str = "npz"               # "npz", "idx", "synthetic" or "halves" (built from other sets' halves)
    torchvision: str | None = None  # torchvision dataset class that can download it
    note: str = ""


FMNIST_IDX_DIRS = ("/usr/share/datasets/fashion-mnist",)
FMNIST_IDX_SHA256 = {  # sha256 of the decompressed IDX files (Debian package dataset-fashion-mnist)
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def _npz(name, title, splits, sha, channels, size, torchvision=None, note=""):
    return DatasetInfo(name, title, splits, sha, channels, size, "npz", torchvision, note)


REGISTRY: dict[str, DatasetInfo] = {d.name: d for d in [
    DatasetInfo("fmnist", "Fashion-MNIST", {"train": "train", "test": "t10k"}, FMNIST_IDX_SHA256, 1, 28,
                "idx", "FashionMNIST", "Debian package dataset-fashion-mnist (IDX files)"),
    _npz("mnist", "MNIST", {"train": "mnist_train.npz", "test": "mnist_test.npz"},
         {"mnist_train.npz": "f68f2be4651f8493c2e6c6f9823ce15b31b5ac8408212f77e5c9d6a79a8c1180",
          "mnist_test.npz": "6039069bcb922bca95d26b83bf8966d0e74b04ef81e298c31d514d8ae7701924"}, 1, 28, "MNIST"),
    _npz("kmnist", "KMNIST", {"test": "kmnist_test.npz", "train": "kmnist_train.npz"},
         {"kmnist_test.npz": "ccd5aff164d13de8e3e0ffe298c3e7d2078feb7abb4f343c14e814078e0b87d6"}, 1, 28, "KMNIST",
         "train split not available here"),
    _npz("notmnist", "notMNIST", {"test": "notmnist_test.npz"},
         {"notmnist_test.npz": "b6507718ba9c8092086363726687adb0fce82521dc44e78a10beb9f848142bd0"}, 1, 28,
         note="1,000 glyphs per letter A–J of notMNIST_small"),
    _npz("omniglot", "Omniglot", {"test": "omniglot_test.npz"},
         {"omniglot_test.npz": "4e78cc0eb4d5ec69c8f5db1ea69e0438ee44ad21ad62502818b05496f3610d81"}, 1, 28,
         note="evaluation alphabets; original polarity (black strokes on white)"),
    _npz("cifar10", "CIFAR-10", {"train": "cifar10_train.npz", "test": "cifar10_test.npz"},
         {"cifar10_train.npz": "261775f25e38dc5d22ab94b28edf56dfbf437e5cc05726fd8860f2ccdb05b1db",
          "cifar10_test.npz": "6e2586e598330e29cd24529378e28b176551850ece97bda611f620d80d585eaa"}, 3, 32, "CIFAR10",
         "files sorted by class: always shuffle or subsample"),
    _npz("cifar100", "CIFAR-100", {"test": "cifar100_test.npz", "train": "cifar100_train.npz"},
         {"cifar100_test.npz": "96af9c371795809466371fe4cb021663386d34f66f940cbb983488584cd27011"}, 3, 32, "CIFAR100"),
    _npz("celeba", "CelebA", {"test": "celeba_test.npz"},
         {"celeba_test.npz": "6c88c3448cad927d22ff30b910dc57cdf2ab863ab90ccca0049fa1ba84dd89d3"}, 3, 32,
         note="2,000 aligned faces, 32×32"),
    _npz("gtsrb", "GTSRB", {"test": "gtsrb_test.npz"},
         {"gtsrb_test.npz": "f8e3f5b1b9ba3f428c80858ece16ca02bbc3d1e8c7c8458500c0f7899d1db805"}, 3, 32, "GTSRB",
         "2,000 of the final test set"),
    _npz("tinyimagenet", "Tiny-ImageNet", {"test": "tinyimagenet_test.npz"},
         {"tinyimagenet_test.npz": "31a0110b9b912b085fcf04b80fb11f6e35d79b77da81302c8fbaa8148be4acfb"}, 3, 32,
         note="2,000 validation images, 64→32"),
    # Part of DTD: a set of its own, never named "dtd" (which is the whole set, below, missing here).
    _npz("dtd_partial", "DTD, partial (10 of 47 classes)", {"test": "dtd_test.npz"},
         {"dtd_test.npz": "5136f05c329768e3dfe9448b4a0b54375dd7d1c267b4f6d686f607d6f7a2d05b"}, 3, 32,
         note="partial: only 10 of the 47 texture classes (1,200 images); not the papers' DTD"),
    _npz("pokemon", "Pokemon", {"all": "pokemon_all.npz"},
         {"pokemon_all.npz": "a616b118abce40a0c74534dfed8dd27f7611350b7363149564267147c63baecc"}, 3, 32),
    _npz("pokemon64", "Pokemon (64×64)", {"all": "pokemon_all64.npz"},
         {"pokemon_all64.npz": "7288f7354d62eb4bec49f32373356552a1ac65f5bb802dea665c688ad7cffaee"}, 3, 64),
    _npz("lsun_church", "LSUN church_outdoor (200-image proxy)", {"test": "lsun_church_outdoor_200.npz"},
         {"lsun_church_outdoor_200.npz": "31650eb14c03bed1965c059dca577d2faca9a5123b34239e2fce6e4e279356d4"}, 3, 32,
         note="a rough stand-in, NOT the LSUN OOD set of the papers"),
    # Sets the papers use that are not on these machines: the loader supports them, and says so.
    _npz("svhn", "SVHN", {"train": "svhn_train.npz", "test": "svhn_test.npz"}, {}, 3, 32, "SVHN"),
    _npz("lsun", "LSUN (OOD benchmark version)", {"test": "lsun_test.npz"}, {}, 3, 32),
    _npz("isun", "iSUN", {"test": "isun_test.npz"}, {}, 3, 32),
    _npz("places365", "Places365", {"test": "places365_test.npz"}, {}, 3, 32, "Places365"),
    _npz("inaturalist", "iNaturalist", {"test": "inaturalist_test.npz"}, {}, 3, 32, "INaturalist"),
    _npz("emnist", "EMNIST", {"test": "emnist_test.npz"}, {}, 1, 28, "EMNIST"),
    _npz("dtd", "DTD (all 47 classes)", {"test": "dtd47_test.npz"}, {}, 3, 32, "DTD"),
    # Schirrmeister et al.'s general distribution, without Tiny Images: half of each set of halves.GENERAL_PARTS
    DatasetInfo("general", "general-distribution set (a stand-in for 80 Million Tiny Images)", {"train": ""}, {}, 3, 32,
                "halves", note="the general halves of CIFAR-100 test, Tiny-ImageNet, CelebA, GTSRB, DTD (partial), "
                "Pokemon and LSUN church (oodlib.data.halves)"),
    DatasetInfo("cifar10_vs_general", "CIFAR-10 (y = 1) vs the general-distribution set (y = 0)", {"train": ""}, {},
                3, 32, "halves", note="the general set and as many CIFAR-10 training images (oodlib.data.halves)"),
    DatasetInfo("noise", "uniform noise", {"test": ""}, {}, 3, 32, "synthetic",
                note="each sub-pixel uniform in 0..255 (ROSE App. F.1)"),
    DatasetInfo("constant", "constant images", {"test": ""}, {}, 3, 32, "synthetic",
                note="one uniformly random colour per image"),
]}


def _general_checksums() -> dict:
    """The general set's version is its parts' files' checksums (and the rule that cuts them)."""
    sums = {"halves_seed": str(HALVES_SEED)}
    for name, _ in GENERAL_PARTS:
        sums.update(REGISTRY[name].sha256)
    return sums


REGISTRY["general"].sha256.update(_general_checksums())
REGISTRY["cifar10_vs_general"].sha256.update({**_general_checksums(), **REGISTRY["cifar10"].sha256})
