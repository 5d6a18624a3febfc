"""The SR-OOD chapter (Sun et al., "SR-OOD: Out-of-Distribution Detection via Sample Repairing"; withdrawn at
review, no public code): its profile sizes, the recipes of its repairing networks and baseline models, its data
parts, how its pages score every method on the same images, and the claims the book tests (see
``oodlib.chapters``).

The repairer is ``oodlib.models.RepairNet`` (an encoder–decoder standing in for pSp + StyleGAN2), the score
``oodlib.scores.SROOD``. CelebA (2,000 images here) and Pokemon (809) have one split each: a seeded draw cuts it
into training, validation and test parts (``parts``), disjoint by construction (``data.load(..., skip=...)``).

The chapter's files (the same in every chapter, see ``oodlib.chapters``): ``paper`` (the paper), ``sizes``
(per profile), ``sets`` (evaluation sets and stand-ins), ``models`` (recipes), ``pages`` (what its pages compute),
``claims`` (what the book tests)."""

from __future__ import annotations

from .claims import CLAIMS
from .models import (
    BACKGROUND_MU,
    IN_DISTS,
    MODELS,
    POKEMON_TYPES,
    SOURCES,
    VARIANTS,
    baseline_background_vae_recipe,
    baseline_vae_recipe,
    parts,
    profile_models,
    repair_recipe,
    trained_baseline_background_vae,
    trained_baseline_vaes,
    trained_repairers,
    trained_type_classifier,
    training_spec,
    type_classifier_recipe,
)
from .pages import (
    DISTANCE_NAMES,
    INPAINT,
    MISSING_T1,
    OFFSETS,
    REC,
    ROSE_THROUGHPUT_CSV,
    SR,
    TABLE1_METHODS,
    TABLE2_METHODS,
    TABLE3_METHODS,
    THROUGHPUT_CSV,
    celeba_baselines,
    choose_erosions,
    cifar_baselines,
    evaluate_all,
    offset_scorers,
    ood_sets,
    pokemon_baselines,
    repair_strips,
    result_rows,
    sr_ood_scorers,
    throughput_rows,
)
from .paper import AUTHORS, MODEL_OF, ORDER, PAPER, PAPER_KEYS, PAPER_MODELS, REPAIRER, TITLE, model_of, paper_model
from .sets import PAPER_NAMES, SHOWN_FOR, STAND_INS, TABLE_OOD, VFLIP
from .sizes import CELEBA_FIELDS, CIFAR_FIELDS, DATA_FIELDS, FIELD_LABELS, POKEMON_FIELDS, REPAIR_FIELDS, SIZES, Sizes
