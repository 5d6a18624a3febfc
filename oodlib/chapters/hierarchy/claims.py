"""Hierarchies of distributions (Schirrmeister et al.): the paper's claims the book tests, each with the rule that judges it (``oodlib.claims``)."""

from __future__ import annotations

from ...claims import Claim
from .pages import FOURIER
from .paper import PAPER
from .sets import IN_DIST, NO_OUTLIER_LOSS, SETTINGS, TABLE_S2_OOD, TABLE_S3_OOD
from .sizes import SIZES

_S2 = {"paper": PAPER, "table": "Table S2", "in_dist": IN_DIST, "metric": "AUROC"}


_S3 = {"paper": PAPER, "table": "Table S3", "in_dist": IN_DIST, "metric": "AUROC"}


_BLOCKS = [f"{m}/{s}" for m in ("Raw", "4x4", "Diff", "Diff†") for s in (*SETTINGS, NO_OUTLIER_LOSS)]


CLAIMS = [
    Claim("hier-s2-diff-raw", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "The log-likelihood difference to a learned general model (Diff) detects OOD images better than the raw "
          "likelihood of the same CIFAR-10 Glow — with or without the outlier loss, unsupervised or supervised "
          "(main paper §5; judged over 3 training seeds).",
          {**_S2, "method": _BLOCKS}, "seeds", method="Diff/{}", versus="Raw/{}", needs=TABLE_S2_OOD),
    Claim("hier-s2-dagger", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "Diff† (a general model trained with CIFAR-10 images as its outliers) is at least as good as Diff, in both "
          "settings (Table S2; Fig. S5: \"always outperforms\").",
          {**_S2, "method": _BLOCKS}, "seeds", method="Diff†/{}", versus="Diff/{}", needs=TABLE_S2_OOD),
    Claim("hier-s2-supervised", PAPER, "§S7.3", "hierarchy/s7_3_seeds",
          "The supervised (class-conditional) Glow is at least as good as the unsupervised one, for 4x4, Diff and "
          "Diff† (Fig. S5: \"supervised setting outperforms unsupervised setting\").",
          {**_S2, "method": [f"{m}/{s}" for m in ("4x4", "Diff", "Diff†") for s in SETTINGS]}, "seeds",
          method="{}/Supervised", versus="{}/Unsupervised", needs=TABLE_S2_OOD),
    Claim("hier-s3-dagger", PAPER, "§S7.4", "hierarchy/s7_4_more_ood",
          "On CelebA and Tiny-ImageNet, Diff† is at least as good as Diff, in both settings (Table S3).",
          {**_S3, "ood": list(TABLE_S3_OOD), "method": _BLOCKS}, "seeds", method="Diff†/{}", versus="Diff/{}"),
]


_S1 = {"paper": PAPER, "in_dist": IN_DIST}


CLAIMS += [
    Claim("hier-s3-amplitude", PAPER, "§S3", "hierarchy/s3_fourier",
          "The likelihoods of amplitude/phase-mixed images follow the amplitude image: Spearman correlation with the "
          "amplitude image's likelihoods above 0.8 (CIFAR-10 Glow, CIFAR-10 and SVHN images).",
          {"paper": PAPER, "table": "text §S3", "ood": [IN_DIST, "svhn"], "method": f"{FOURIER}/amplitude",
           "metric": "spearman"}, "above",
          threshold=0.8, needs=("svhn",)),
    Claim("hier-s3-phase", PAPER, "§S3", "hierarchy/s3_fourier",
          "... and not the phase image, which carries the semantic content: Spearman correlation with the phase "
          "image's likelihoods below 0.05.",
          {"paper": PAPER, "table": "text §S3", "ood": [IN_DIST, "svhn"], "method": f"{FOURIER}/phase",
           "metric": "spearman"}, "below",
          threshold=0.05, needs=("svhn",)),
    Claim("hier-s1-finetune", PAPER, "§S7.1", "hierarchy/s7_1_finetuning",
          "Finetuning the general Glow on CIFAR-10 reaches a lower bits/dim than training from scratch (Table S1: "
          "3.36 vs 3.40).",
          {**_S1, "table": "Table S1", "method": "Finet − Retr", "metric": "bpd difference"}, "below", threshold=0.0),
    Claim("hier-fig-s3", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "The finetuned Glow matches the final bits/dim of the from-scratch Glow within less than 20% of the "
          "training epochs (Fig. S3, CIFAR-10/100).",
          {**_S1, "table": "Fig S3", "metric": "fraction_of_epochs_to_beat_scratch"}, "below", threshold=20.0),
    Claim("hier-fig-s2", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "The finetuned Glow matches the final Diff AUROC of the from-scratch Glow within less than 20% of the "
          "training epochs (Fig. S2).",
          {**_S1, "table": "Fig S2", "metric": "fraction_of_epochs_to_beat_scratch"}, "below", threshold=20.0),
    Claim("hier-fig-s4", PAPER, "§S7.2", "hierarchy/s7_1_finetuning",
          "At the end of training, the Glow finetuned from the general model detects better (Diff AUROC) than one "
          "finetuned from its own from-scratch weights, i.e. trained twice as long (Fig. S4; the paper quantifies "
          "CIFAR-100's gap, ~6%, and CIFAR-100's train split is missing here: tested on CIFAR-10).",
          {**_S1, "table": "Fig S4", "metric": "AUROC_gain"}, "above", threshold=0.0),
]


_S4 = {"paper": PAPER, "table": "Table S4", "in_dist": IN_DIST, "metric": "AUROC"}


CLAIMS += [
    Claim("hier-s2-local", PAPER, "§S2", "hierarchy/s2_architectures",
          "A Glow that sees only 8×8 patches, and one with fully connected steps, rank images by likelihood much as "
          "the full Glow does (S2 with the main paper §2: the likelihood is dominated by local, low-level features; "
          "the book asks for a Spearman correlation of at least 0.8 over the CIFAR-10 and OOD images pooled).",
          {"paper": PAPER, "table": "S2", "ood": "all pooled", "metric": "spearman"}, "above", threshold=0.8),
    Claim("hier-s6-margin", PAPER, "§S7.5", "hierarchy/s7_5_margin",
          "The margin loss is less stable than the outlier loss in longer training: its Diff AUROC drops in the later "
          "stages of training (Fig. S6; the book reads 'later' as beyond half of the paper's 250 epochs).",
          {"paper": PAPER, "table": "Fig S6", "in_dist": IN_DIST, "metric": "AUROC",
           "method": ["Diff/outlier loss", "Diff/margin loss"]}, "beats",
          method="Diff/outlier loss", after_epochs=("hi_epochs", IN_DIST, 125), sizes=SIZES),
    Claim("hier-s7-raw", PAPER, "§S8", "hierarchy/s8_qualitative",
          "Without the outlier loss, the raw likelihood's most likely general images are simpler (constant images) "
          "than Diff's (Fig. S7): the book measures simplicity as the PNG code length of the 12 top images.",
          {"paper": PAPER, "table": "Fig S7", "model": "Glow (without outlier loss)",
           "metric": "PNG bits/dim of the top images", "method": ["Diff", "Raw"]}, "ratio", threshold=1.0,
          method="Diff", versus="Raw"),
    Claim("hier-s8-outlier", PAPER, "§S8", "hierarchy/s8_qualitative",
          "With the outlier loss, every metric's most likely general images are more CIFAR-like (Fig. S8 against "
          "S7); the book counts the 12 top images that come from CIFAR-100, the general set's closest part.",
          {"paper": PAPER, "table": "Fig S8", "metric": "share of CIFAR-100: with minus without the outlier loss"},
          "above", threshold=0.0),
    Claim("hier-s9-cifar100", PAPER, "§S9", "hierarchy/s9_classifier",
          "The binary classifier (CIFAR-10 vs the general set) detects CIFAR-100 better than the unsupervised "
          "generative method (S9: 89% vs 87%; compared here with Diff† of training seed 0, paired over the same "
          "images).",
          {**_S4, "ood": "cifar100", "method": ["Binary classifier", "Diff†/Unsupervised"]}, "beats",
          method="Binary classifier"),
    Claim("hier-s9-svhn", PAPER, "§S9", "hierarchy/s9_classifier",
          "The binary classifier detects SVHN worse than the unsupervised generative method (S9: 93% vs 99%).",
          {**_S4, "ood": "svhn", "method": ["Diff†/Unsupervised", "Binary classifier"]}, "beats",
          method="Diff†/Unsupervised", needs=("svhn",)),
]
