"""The mixture-prior chapter (Kamoi & Kobayashi, "Likelihood Assignment for Out-of-Distribution Inputs in Deep
Generative Models is Sensitive to Prior Distribution Choice"): its profile sizes, the recipes of its VAEs and Glows
(App. B) with the models each §5 page needs, how its pages name them and their test images, and the claims the book
tests (see ``oodlib.chapters``). Its toy flows train in seconds and are not cached (``oodlib.toy``).

The chapter's files (the same in every chapter, see ``oodlib.chapters``): ``paper`` (the paper), ``sizes``
(per profile), ``sets`` (evaluation sets and stand-ins), ``models`` (recipes), ``pages`` (what its pages compute),
``claims`` (what the book tests)."""

from __future__ import annotations

from .claims import CLAIMS
from .models import (
    CIFAR_SPECS,
    FOUR_MODE_SPECS,
    IMAGE,
    KIND_LABEL,
    MODELS,
    PRIOR_GLOW_ARCH,
    TABLE1_SPECS,
    cifar_ood_names,
    distance_specs,
    model_label,
    parse_model,
    prior_data,
    prior_glow_recipe,
    prior_vae_recipe,
    profile_models,
    sweep_label,
    trained_models,
)
from .pages import cifar_clusters, own_test_images, sweep_priors, test_images
from .paper import AUTHORS, ORDER, PAPER, PAPER_KEYS, TITLE, table1_key
from .sets import CIFAR_STAND_INS
from .sizes import (
    COMPLEX_FIELDS,
    DISTANCE_FIELDS,
    FIELD_LABELS,
    PRIOR_DATA_FIELDS,
    PRIOR_FIELDS,
    PRIOR_GLOW_FIELDS,
    PRIOR_VAE_FIELDS,
    SECOND_ORDER_FIELDS,
    SIZES,
    TOY_FIELDS,
    Sizes,
)
