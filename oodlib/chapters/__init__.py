"""The book's chapters: one package per paper, each made of the same files.

``oodlib/chapters/<folder>/`` (named after its ``notebooks/<folder>/``) holds:

- ``paper.py``: ``PAPER`` (the paper's key in ``paper_numbers.csv`` and in the results tables), ``AUTHORS``,
  ``TITLE``, ``ORDER`` (its place in the book), and ``PAPER_KEYS`` where its tables name their cells their own way;
- ``sizes.py``: ``Sizes`` (a frozen dataclass), ``SIZES`` (one instance per profile: ``smoke``, ``cpu``, ``paper``),
  ``FIELD_LABELS`` and the ``*_FIELDS`` of its pages' setting tables;
- ``sets.py``: the paper's evaluation sets, and the stand-ins where one is missing here;
- ``models.py``: ``MODELS`` ({model kind: ``ModelKind``}) and ``profile_models(profile)``: every model its pages need;
- ``pages.py``: what its pages compute beyond oodlib's core;
- ``claims.py``: ``CLAIMS``, the paper's claims the book tests (``oodlib.claims.Claim``).

Its ``__init__`` re-exports them, so a page reads ``oodlib.chapters.rose.vae_recipe``. This module finds the chapters
that exist (no registry to edit): the papers, the model kinds, the claims and the profiles derive from them.
Imports run one way: this module and ``oodlib.chapters.kit`` → a chapter → oodlib's core.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import NamedTuple

import pandas as pd

from .. import claims as _claims
from ..errors import UnknownName
from . import checkout
from .kit import PROFILE_NAMES, ModelKind, sizes_at

__all__ = ["PROFILE_NAMES", "ModelKind", "sizes_at", "modules", "folder", "get", "by_folder", "papers", "all_claims",
           "claims_table", "REQUIRED"]

checkout.use()      # the book's chapters are this checkout's: its weights, data and results (environment wins)

REQUIRED = ("PAPER", "AUTHORS", "TITLE", "ORDER", "Sizes", "SIZES", "FIELD_LABELS", "MODELS", "profile_models",
            "CLAIMS")


class PaperInfo(NamedTuple):
    """A chapter's paper, as the landing page lists it."""

    authors: str
    title: str
    chapter: str          # the chapter's folder under notebooks/ and book/


@functools.lru_cache(maxsize=1)
def modules() -> tuple:
    """Return every chapter package, in the book's order (``ORDER``); each is checked for what a chapter defines."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        lacking = [name for name in REQUIRED if not hasattr(module, name)]
        if lacking:
            raise TypeError(f"chapter {module.__name__} lacks {', '.join(lacking)} (see oodlib.chapters)")
        if set(module.SIZES) != set(PROFILE_NAMES):
            raise TypeError(f"{module.__name__}.SIZES has profiles {sorted(module.SIZES)}; it needs exactly "
                            f"{', '.join(PROFILE_NAMES)}")
        found.append(module)
    keys = [m.PAPER for m in found]
    if len(set(keys)) != len(keys):
        raise TypeError(f"two chapters declare the same paper key: {sorted(keys)}")
    return tuple(sorted(found, key=lambda m: m.ORDER))


def folder(module) -> str:
    """Return the chapter's folder under notebooks/ and book/ (the package's own name)."""
    return module.__name__.rsplit(".", 1)[-1]


def get(name: str):
    """Return the chapter package of folder ``name`` ("rose", "chali", ...), or raise UnknownName listing them."""
    for m in modules():
        if folder(m) == name:
            return m
    raise UnknownName(f"no chapter {name!r}; chapters: {', '.join(folder(m) for m in modules())} (a chapter is a "
                      f"package oodlib/chapters/{name}/: see oodlib.chapters)")


def by_folder() -> dict:
    """Return {chapter folder: paper key}, e.g. {"rose": "rose", "chali": "approx_mass"}."""
    return {folder(m): m.PAPER for m in modules()}


def papers() -> dict[str, PaperInfo]:
    """Return {paper key: PaperInfo(authors, title, chapter folder)} of every chapter, in the book's order."""
    return {m.PAPER: PaperInfo(m.AUTHORS, m.TITLE, folder(m)) for m in modules()}


def all_claims() -> list:
    """Return every chapter's claims, in the book's order."""
    return [c for m in modules() for c in m.CLAIMS]


def claims_table(results: pd.DataFrame, missing=(), page: str | None = None) -> pd.DataFrame:
    """Return the verdict on every chapter's claims (those of ``page``, or all) on ``results``
    (``oodlib.claims.claims_table``)."""
    return _claims.claims_table(results, all_claims(), missing=missing, page=page)
