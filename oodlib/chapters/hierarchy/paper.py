"""Hierarchies of distributions (Schirrmeister et al.): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

import functools

from .sets import IN_DIST

PAPER = "hierarchy"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Schirrmeister, Zhou, Ball, Zhang"
TITLE = "Understanding Anomaly Detection with Deep Invertible Networks through Hierarchies of Distributions and Features"
ORDER = 5           # its place in the book (the landing page lists papers in this order)


# paper_numbers.csv's name of a score where a table names it its own way
PAPER_METHODS = {"Table S3": {"4x4": "Raw[4x4]"}}


def _paper_cell(table: str, r) -> dict:
    method, _, variant = r.method.partition("/")
    return {"method": PAPER_METHODS.get(table, {}).get(method, method), "variant": variant}


def _variant_only(r) -> dict:
    """Table S1 and Fig. S3 name their cells by a variant alone (method empty)."""
    return {"method": "", "variant": r.method}


def _text_s3(r) -> dict:
    """S3's correlations are stated for CIFAR-10 images (SVHN's too) with no OOD set named."""
    method, _, variant = r.method.partition("/")
    return {"model": "Glow", "ood": "", "method": method, "variant": variant} if r.ood == IN_DIST else None


# How results rows find the paper's cell (``results.rows``' paper_key)
PAPER_KEYS = {**{t: functools.partial(_paper_cell, t) for t in ("Table S2", "Table S3")},
              "Table S1": _variant_only, "Fig S3": _variant_only, "text §S3": _text_s3,
              "Fig S2": lambda r: {"in_dist": ""}}      # Fig. S2's caption names no dataset
