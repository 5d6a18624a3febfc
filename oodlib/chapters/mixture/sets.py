"""Mixture priors (Kamoi & Kobayashi): the paper's evaluation sets, and the stand-ins used where one is missing here."""

from __future__ import annotations

CIFAR_STAND_INS = ("gtsrb", "celeba")       # Fig. 9's OOD sets where SVHN is missing (present here; chosen a priori)
