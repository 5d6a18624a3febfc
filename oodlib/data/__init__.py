"""Datasets: one registry, one ``load``; synthetic and derived sets; checksums.

Imports run one way: ``halves`` (what the general set is made of) → ``registry`` (every set and its checksums) →
``loading`` (reading, drawing, resizing); ``perturb`` stands alone.
"""

from . import halves
from .loading import (ImageSet, brightness, data_dir, data_version, dataset_names, evaluation_half, info,
                      is_available, load, to_channels, to_size, verify, vflip)
from .perturb import dct_blur, gaussian_blur, perturb, perturbation, svd_blur
from .registry import REGISTRY, DatasetInfo

__all__ = ["ImageSet", "REGISTRY", "DatasetInfo", "brightness", "data_dir", "data_version", "dataset_names",
           "dct_blur", "evaluation_half", "gaussian_blur", "info", "is_available", "load", "perturb", "perturbation",
           "svd_blur", "to_channels", "to_size", "verify", "vflip"]
