"""The approximate-mass chapter (Chali et al., "Improving normalizing flows with the approximate mass for OOD
detection"): its profile sizes, its model recipes (the RealNVPs of §4, vanilla, penalised, the α ablation's and
the one-class models of §4.4; the §4.3 baseline classifiers) and the claims the book tests (see
``oodlib.chapters``).

The chapter's files (the same in every chapter, see ``oodlib.chapters``): ``paper`` (the paper), ``sizes``
(per profile), ``sets`` (evaluation sets and stand-ins), ``models`` (recipes), ``pages`` (what its pages compute),
``claims`` (what the book tests)."""

from __future__ import annotations

from .claims import CLAIMS
from .models import (
    CHALI_ALPHA,
    CLASSIFIER_VARIANTS,
    ENERGY_OUTLIERS,
    MODELS,
    N_HELD_OUT,
    REALNVP_ARCH,
    REFERENCE_CLIP_NATS,
    alpha_realnvp_recipe,
    classifier_recipe,
    held_out_images,
    matched_width,
    oneclass_realnvp_recipe,
    profile_models,
    realnvp_recipe,
    realnvp_snapshots,
    trained_alpha_realnvp,
    trained_classifier,
    trained_realnvp,
)
from .pages import (
    CLASS_NAMES,
    DEVICE_FOLDER,
    LEGACY_SET_NAMES,
    ONECLASS_METHODS,
    QUOTED_BASELINES,
    TABLE_OF,
    TRACE_METHODS,
    DeviceRuns,
    Trace,
    device_runs,
    load_device_run,
    one_class_results,
    one_class_split,
    score_snapshots,
    with_paper_and_baselines,
)
from .paper import AUTHORS, CHALI_PAPER_SIZE, ORDER, PAPER, TITLE, chali_quoted_means
from .sets import (
    CHALI_PAPER_NAMES,
    CHALI_STAND_INS,
    CHALI_TABLE1_OOD,
    CHALI_TABLE2_OOD,
    PARTIAL_SETS,
    chali_ood,
    chali_table2_sets,
)
from .sizes import CHALI_FIELDS, FIELD_LABELS, ONECLASS_FIELDS, SIZES, Sizes
