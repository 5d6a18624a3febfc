"""The hierarchies chapter (Schirrmeister, Zhou, Ball, Zhang, "Understanding Anomaly Detection with Deep Invertible
Networks through Hierarchies of Distributions and Features", NeurIPS 2020; the book replicates its supplement): its
profile sizes, the recipes of its Glows, the data every comparison scores, and the claims the book tests (see
``oodlib.chapters``).

The general-distribution model is trained on ``data.load("general", "train")``, the stand-in for 80 Million Tiny
Images (``oodlib.data.halves``): the general halves of the RGB sets here; the pages score those sets' other halves.
Every in-distribution Glow is CIFAR-10's; CIFAR-100's train split, SVHN and the LSUN benchmark set are missing here.

The chapter's files (the same in every chapter, see ``oodlib.chapters``): ``paper`` (the paper), ``sizes``
(per profile), ``sets`` (evaluation sets and stand-ins), ``models`` (recipes), ``pages`` (what its pages compute),
``claims`` (what the book tests)."""

from __future__ import annotations

from .claims import CLAIMS
from .models import (
    CLASSES,
    CPU_SNAPSHOT_EPOCHS,
    CURVES,
    GLOW_VARIANTS,
    MODELS,
    binary_classifier_recipe,
    dagger_recipe,
    dense_recipe,
    general_recipe,
    general_spec,
    hier_glow_recipe,
    hier_training_spec,
    local_recipe,
    profile_models,
    snapshot_epochs,
    split_variant,
    trained_binary_classifier,
    trained_dagger,
    trained_dense,
    trained_general,
    trained_hier_glow,
    trained_local,
)
from .pages import (
    ARCHITECTURES,
    FOURIER,
    S8_MODELS,
    S8_TABLES,
    TABLE_S1,
    architecture_rows,
    binary_evaluations,
    bits_per_dim_rows,
    curve_rows,
    curve_sets,
    figure_rows,
    first_epoch_beating,
    fourier_rows,
    general_make_up,
    hier_ood_sets,
    hier_test_images,
    loss_comparison_scorers,
    over_seeds,
    rows_by_model,
    s8_rows,
    seed_aurocs,
    seed_table,
    setting_scorers,
    top_general_images,
    training_curves,
)
from .paper import AUTHORS, ORDER, PAPER, PAPER_KEYS, PAPER_METHODS, TITLE
from .sets import (
    HIER_SHOWN_FOR,
    HIER_STAND_INS,
    IN_DIST,
    NO_OUTLIER_LOSS,
    OTHER_OOD,
    SETTINGS,
    TABLE_S2_OOD,
    TABLE_S3_OOD,
    TABLE_S4_OOD,
)
from .sizes import FIELD_LABELS, SIZES, TABLE_S2_FIELDS, Sizes
