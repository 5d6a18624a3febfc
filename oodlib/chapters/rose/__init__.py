"""The ROSE chapter (Choi et al., "Robust Out-of-Distribution Detection on Deep Probabilistic Generative
Models"): its profile sizes, its model recipes (the VAE and Glow of App. B, their LRatio background models, the
width sweep of Table 3) and the claims the book tests (see ``oodlib.chapters``).

The chapter's files (the same in every chapter, see ``oodlib.chapters``): ``paper`` (the paper), ``sizes``
(per profile), ``sets`` (evaluation sets and stand-ins), ``models`` (recipes), ``pages`` (what its pages compute),
``claims`` (what the book tests)."""

from __future__ import annotations

from .claims import CLAIMS
from .models import (
    BACKGROUND_GLOW,
    BACKGROUND_VAE,
    GLOW_ARCH,
    GLOW_WEIGHT_DECAY,
    MODELS,
    OE_L2,
    VAE_ARCH,
    background_glow_recipe,
    background_vae_recipe,
    glow_recipe,
    layered_classifier_recipe,
    oe_background_vae_l2_recipe,
    oe_background_vae_recipe,
    profile_models,
    rnd_recipe,
    trained_background_glow,
    trained_background_vae,
    trained_glow,
    trained_layered_classifiers,
    trained_oe_backgrounds,
    trained_oe_models,
    trained_vae,
    trained_width_vae,
    vae_recipe,
    width_vae_recipe,
)
from .pages import (
    GLOW_LAYERS,
    OE_L2_DETECTOR,
    brightness_curves,
    brightness_rows,
    brightness_sets,
    brightness_view,
    fisher_sweep,
    glow_methods,
    l2_rows,
    lratio_methods,
    outlier_exposure_methods,
    perturbation_ranges,
    rose_glow,
    rose_vae,
    subset_sizes,
    vae_methods,
)
from .paper import AUTHORS, ORDER, PAPER, PAPER_KEYS, TITLE
from .sets import (
    BRIGHTNESS_TABLES,
    PERTURBATIONS,
    ROSE_OVERALL_BASE,
    ROSE_TABLE2_OOD,
    ROW_NAMES,
    rose_ood_sets,
    rose_overall_members,
)
from .sizes import (
    BASE_FIELDS,
    BENCH_FIELDS,
    FIELD_LABELS,
    FIG6_FIELDS,
    GLOW_FIELDS,
    OE_FIELDS,
    PAPER_WIDTHS,
    SIZES,
    Sizes,
)
