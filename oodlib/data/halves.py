"""The general-distribution set that stands in for 80 Million Tiny Images (Schirrmeister et al.'s "general
distribution", S5.1: a 1 million random subset of Tiny), and the evaluation halves it leaves.

Tiny Images has been withdrawn by its authors and is not on these machines. The stand-in is built from the real RGB
sets that are here, under one rule: no image a general model trains on is an image any comparison evaluates. Each
set of ``GENERAL_PARTS`` is cut by one fixed seeded draw (``HALVES_SEED``) into two halves: the first half of the draw
(⌊N/2⌋ images) goes into the general set (``load("general", "train")``, labels = the index of the set it came from),
the rest is that set's evaluation half (``oodlib.data.evaluation_half(name)``), which the pages score as OOD images.

CIFAR-10 is left out: it is the in-distribution set, and the Diff† general model is trained with in-distribution
images as its outliers (a general set holding CIFAR-10 would ask it to fit and reject the same images). The
supplement (S7.1) reports that including or excluding CIFAR images from Tiny changes little.

This module only describes the set and cuts arrays: it imports nothing of ``oodlib.data``, whose registry (the
general set's version) and loader (``load("general")``, ``evaluation_half``) build on it.
"""

from __future__ import annotations

import numpy as np

HALVES_SEED = 2020
GENERAL_NAME = "general"
# (set, split) of every part of the general set, in the order of its labels
GENERAL_PARTS = (("cifar100", "test"), ("tinyimagenet", "test"), ("celeba", "test"), ("gtsrb", "test"),
                 ("dtd_partial", "test"), ("pokemon", "all"), ("lsun_church", "test"))


def _half_index(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (general-half indices, evaluation-half indices) of a set of n images: one seeded draw, cut at ⌊n/2⌋."""
    order = np.random.default_rng(HALVES_SEED).permutation(n)
    return order[:n // 2], order[n // 2:]


def general_arrays(read_raw) -> tuple[np.ndarray, np.ndarray]:
    """Return the general set as (x uint8 N×32×32×3, y = part index), each part read by ``read_raw(name, split)``."""
    xs, ys = [], []
    for label, (name, split) in enumerate(GENERAL_PARTS):
        x, _ = read_raw(name, split)
        if x.shape[1:] != (32, 32, 3):
            raise ValueError(f"{name}/{split} is stored as {x.shape[1:]}; the general set takes 32×32×3 images")
        keep, _ = _half_index(len(x))
        xs.append(x[keep])
        ys.append(np.full(len(keep), label, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


BINARY_NAME = "cifar10_vs_general"
BINARY_IN = ("cifar10", "train")


def binary_arrays(read_raw) -> tuple[np.ndarray, np.ndarray]:
    """Return the binary classifier's training set (Schirrmeister S9: in-distribution vs the general distribution)
    as (x, y): the general set (y = 0) and as many CIFAR-10 training images (y = 1), the first of a draw seeded
    with HALVES_SEED — balanced classes."""
    xg, _ = general_arrays(read_raw)
    xi, _ = read_raw(*BINARY_IN)
    take = np.random.default_rng(HALVES_SEED).permutation(len(xi))[:len(xg)]
    return (np.concatenate([xg, xi[take]]),
            np.concatenate([np.zeros(len(xg), dtype=np.int64), np.ones(len(take), dtype=np.int64)]))


def make_up(read_raw) -> list[tuple[str, int, int]]:
    """Return (set, images in the general set, images in its evaluation half) of every part."""
    out = []
    for name, split in GENERAL_PARTS:
        n = len(read_raw(name, split)[0])
        out.append((name, n // 2, n - n // 2))
    return out
