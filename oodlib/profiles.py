"""Scale profiles: ``smoke`` (seconds, for tests), ``cpu`` (the committed book, 2 cores), ``paper`` (the papers').

A profile is a name; each chapter keeps its own sizes at every profile (``oodlib.chapters.<chapter>.SIZES``), and a
page reads its chapter's (``Page.sizes``). The name is checked once, here (``check``). The "setting" cell of a page
prints its sizes beside the paper profile's (``setting_rows``).
"""

from __future__ import annotations

from .chapters import PROFILE_NAMES, rose
from .errors import UnknownName

PER_SET_KEYS = ("fmnist", "cifar10", "mnist", "svhn", "celeba")   # dict fields keyed by in-distribution set


def check(name: str) -> str:
    """Return ``name`` if it is a profile, or raise UnknownName listing the profiles."""
    if name not in PROFILE_NAMES:
        raise UnknownName(f"unknown profile {name!r}; choose one of: {', '.join(PROFILE_NAMES)}")
    return name


def setting_rows(chapter, profile: str, fields, in_dists) -> dict:
    """Return {field label: {in-distribution set: (this profile's value, the paper profile's)}} for ``fields`` of
    ``chapter``'s sizes: a field that is a dict keyed by in-distribution set gives each set its own value (absent:
    None, i.e. "all" for sizes, the paper's for architecture changes), any other field the same value for every set."""
    ours, paper = chapter.SIZES[check(profile)], chapter.SIZES["paper"]
    unknown = [f for f in fields if not hasattr(ours, f)]
    if unknown:
        raise UnknownName(f"chapter {chapter.__name__} has no size {', '.join(unknown)}; its sizes: "
                          f"{', '.join(chapter.FIELD_LABELS)}")

    def of(sizes, f, d):
        v = getattr(sizes, f)
        if isinstance(v, dict) and (d in v or any(k in PER_SET_KEYS for k in v) or not v):
            return v.get(d, {} if f.endswith("_arch") else None)
        return v
    return {chapter.FIELD_LABELS.get(f, f): {d: (of(ours, f, d), of(paper, f, d)) for d in in_dists} for f in fields}


# The setting fields the four ROSE pages not yet moved to Page's handle read here as ``profiles.<NAME>_FIELDS``
# (tests/test_pages.py lists them), until they read their chapter's (``rose.OE_FIELDS``) when next executed.
BENCH_FIELDS, OE_FIELDS = rose.BENCH_FIELDS, rose.OE_FIELDS
