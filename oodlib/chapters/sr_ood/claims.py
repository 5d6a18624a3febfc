"""SR-OOD (Sun et al.): the paper's claims the book tests, each with the rule that judges it (``oodlib.claims``)."""

from __future__ import annotations

from ...claims import Claim
from .pages import INPAINT, MISSING_T1, OFFSETS, REC, SR, TABLE1_METHODS, TABLE2_METHODS
from .paper import PAPER

_T1 = {"paper": PAPER, "table": "Table I", "in_dist": "cifar10", "metric": "AUROC"}


_T2 = {"paper": PAPER, "table": "Table II", "in_dist": "celeba", "metric": "AUROC", "ood": ["svhn", "cifar10", "cifar100"]}


CLAIMS = [
    Claim("srood-h3-inpaint", PAPER, "§V-A", "sr_ood/s5_1_cifar10",
          "Hypothesis 3: repairing beats reconstructing — SR-OOD_Inpaint detects OOD images better than SR-OOD_Rec "
          "(Table I; the paper's own LSUN column has Inpaint 74.26 below Rec 74.83).",
          {**_T1, "method": [INPAINT, REC]}, "beats", method=INPAINT, needs=MISSING_T1),
    Claim("srood-h3-sr", PAPER, "§V-A", "sr_ood/s5_1_cifar10",
          "Hypothesis 3: SR-OOD_SR (super-resolution) detects OOD images better than SR-OOD_Rec (Table I).",
          {**_T1, "method": [SR, REC]}, "beats", method=SR, needs=MISSING_T1),
    Claim("srood-t1-best", PAPER, "§V-A", "sr_ood/s5_1_cifar10",
          "SR-OOD_SR has the highest AUROC of Table I's methods in 3 of its 4 columns (all but iSUN).",
          {**_T1, "method": list(TABLE1_METHODS)}, "beats", method=SR, needs=MISSING_T1),
    Claim("srood-t2-best", PAPER, "§V-B", "sr_ood/s5_2_celeba",
          "On CelebA, SR-OOD_SR has the highest AUROC of Table II's methods against SVHN, CIFAR-10 and CIFAR-100 "
          "(DoSE_SVM is best on VFlip).",
          {**_T2, "method": list(TABLE2_METHODS)}, "beats", method=SR, needs=("svhn",)),
    Claim("srood-t2-baselines", PAPER, "§V-B", "sr_ood/s5_2_celeba",
          "On CelebA, SR-OOD_SR beats each of Table II's five likelihood-based baselines (WAIC, TT, LLR, DoSE_KDE, "
          "DoSE_SVM) against SVHN, CIFAR-10 and CIFAR-100.",
          {**_T2, "method": [m for m in TABLE2_METHODS if m not in (REC, INPAINT)]}, "beats", method=SR,
          needs=("svhn",)),
    Claim("srood-t3-cifar10", PAPER, "§V-C", "sr_ood/s5_3_pokemon",
          "SR-OOD_SR trained on Pokemon separates CIFAR-10 almost perfectly (Table III: AUROC 0.993; the book asks "
          "for at least 0.9).",
          {"paper": PAPER, "table": "Table III", "in_dist": "pokemon", "ood": "cifar10", "method": SR,
           "metric": "AUROC"}, "above", threshold=0.9),
    Claim("srood-t3-classifiers", PAPER, "§V-C", "sr_ood/s5_3_pokemon",
          "On Pokemon, SR-OOD_SR beats the classifier-based MSP and MaxLogit on every OOD set (Table III).",
          {"paper": PAPER, "table": "Table III", "in_dist": "pokemon", "metric": "AUROC",
           "method": [SR, "MSP", "MaxLogit"]}, "beats", method=SR, needs=("svhn",)),
    Claim("srood-t4-lpips", PAPER, "§VI-A", "sr_ood/s6_1_distances",
          "LPIPS detects better than L2 as SR-OOD_SR's distance (Table IV: on all four columns).",
          {"paper": PAPER, "table": "Table IV", "in_dist": "cifar10", "metric": "AUROC",
           "method": [f"{SR}/LPIPS", f"{SR}/L2"]}, "beats", method=f"{SR}/LPIPS", needs=MISSING_T1),
    Claim("srood-t5-offsets", PAPER, "§VI-B", "sr_ood/s6_2_mask_offsets",
          "The black-out square's offset from the centre (0, 4 or 8 px) barely changes SR-OOD_Inpaint's AUROC "
          "(Table V: at most 0.004 apart; the book allows 0.02).",
          {"paper": PAPER, "table": "Table V", "in_dist": "cifar10", "metric": "AUROC",
           "method": [f"{INPAINT}/{o}" for o in OFFSETS]}, "spread", threshold=0.02, needs=MISSING_T1),
]
