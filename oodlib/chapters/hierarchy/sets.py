"""Hierarchies of distributions (Schirrmeister et al.): the paper's evaluation sets, and the stand-ins used where one is missing here."""

from __future__ import annotations

IN_DIST = "cifar10"


# Table S2's OOD columns, Table S3's, and the general set's other parts (beyond the paper); a missing set with a
# stand-in here is replaced by it (the stand-in keeps its own name; the page says what it stands for)
TABLE_S2_OOD = ("svhn", "cifar100", "lsun")


TABLE_S3_OOD = ("celeba", "tinyimagenet")


OTHER_OOD = ("gtsrb", "dtd_partial", "pokemon")


HIER_STAND_INS = {"lsun": "lsun_church"}


HIER_SHOWN_FOR = {v: k for k, v in HIER_STAND_INS.items()}


SETTINGS = ("Unsupervised", "Supervised")


NO_OUTLIER_LOSS = "no outlier loss"        # the variant name of the Glows finetuned without it (not in Table S2)


TABLE_S4_OOD = ("svhn", "cifar100", "lsun")
