"""SR-OOD (Sun et al.): the paper's evaluation sets, and the stand-ins used where one is missing here."""

from __future__ import annotations

# The OOD columns of Tables I–III, and the sets of ours that stand in for a missing one (a stand-in keeps its own
# name; the page says what it stands for)
TABLE_OOD = {"cifar10": ("svhn", "lsun", "isun", "dtd"), "celeba": ("svhn", "cifar10", "cifar100", "vflip"),
             "pokemon": ("svhn", "cifar10", "cifar100")}


STAND_INS = {"lsun": "lsun_church", "dtd": "dtd_partial"}


PAPER_NAMES = {"dtd": "texture"}                   # ours -> paper_numbers.csv's name of the same set


SHOWN_FOR = {"lsun_church": "lsun", "dtd_partial": "dtd"}   # display.paper_vs_ours: stand-in -> the paper's set


VFLIP = "vflip"
