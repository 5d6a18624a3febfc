"""The approximate mass (Chali et al.): the paper's evaluation sets, and the stand-ins used where one is missing here."""

from __future__ import annotations

# The stand-ins, partial sets and paper's names of sets stay in oodlib.paper, where the core's tables read them.
from ...paper import CHALI_PAPER_NAMES, CHALI_STAND_INS, PARTIAL_SETS  # noqa: F401 (re-exported)

# Table 1: one OOD set per in-distribution set; Table 2: its rows, in order ("inaturalist" holds both the Animalia and
# the Plantae parts of the paper's table).
CHALI_TABLE1_OOD = {"fmnist": "mnist", "cifar10": "svhn"}
CHALI_TABLE2_OOD = {"fmnist": ["mnist", "emnist", "kmnist"],
                    "cifar10": ["svhn", "inaturalist", "dtd", "places365", "gtsrb"]}


def chali_table2_sets(in_dist: str, available) -> list[str]:
    """Return Chali Table 2's OOD sets for ``in_dist`` as scored here: a set that is missing but has a part here
    (PARTIAL_SETS) is replaced by that part; other missing sets stay (the loader reports them missing)."""
    return [PARTIAL_SETS[n] if n in PARTIAL_SETS and not available(n) and available(PARTIAL_SETS[n]) else n
            for n in CHALI_TABLE2_OOD[in_dist]]


def chali_ood(name: str, available) -> tuple[str, str]:
    """Return (set to use, note): ``name`` if ``available(name)``, else its stand-in (CHALI_STAND_INS) and why."""
    if available(name) or name not in CHALI_STAND_INS:
        return name, ""
    stand_in, why = CHALI_STAND_INS[name]
    return stand_in, f"{name} is not on this machine; its stand-in here is {why}."
