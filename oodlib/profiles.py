"""Scale profiles: ``smoke`` (seconds, for tests), ``cpu`` (the committed book, 2 cores), ``paper``.

Each chapter keeps its own sizes (``oodlib.chapters.<chapter>.SIZES``); a profile gathers every chapter's, so a
page asks ``profile.glow_epochs`` without knowing which chapter defines it. The "setting" cell of a page prints
the sizes beside the paper profile's.
"""

from __future__ import annotations

import dataclasses

from . import chapters
from .chapters import PROFILE_NAMES
from .errors import UnknownName


class Profile:
    """One scale profile: its name and every chapter's sizes at it (read as attributes: ``profile.chali_n_test``)."""

    def __init__(self, name: str, parts: dict, notes: dict | None = None):
        self.name, self.parts, self.notes = name, dict(parts), dict(notes or {})

    def __getattr__(self, field: str):
        if field.startswith("__") or field in ("name", "parts", "notes"):
            raise AttributeError(field)
        for sizes in self.parts.values():
            if field in _FIELDS_OF[type(sizes)]:
                return getattr(sizes, field)
        raise AttributeError(f"profile {self.name!r} has no size {field!r}; the chapters' sizes: "
                             f"{', '.join(FIELD_LABELS)}")

    def fields(self) -> list[str]:
        """Return the names of every size of the profile, chapter by chapter."""
        return [f for sizes in self.parts.values() for f in _FIELDS_OF[type(sizes)]]

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, chapters: {', '.join(self.parts)})"


def _gather(modules):
    """Return ({Sizes class: its field names}, {field: label}) of the chapter ``modules``; a size name defined
    by two chapters is an error."""
    fields_of, labels, owner = {}, {}, {}
    for m in modules:
        names = [f.name for f in dataclasses.fields(m.Sizes)]
        for f in names:
            if f in owner:
                raise TypeError(f"size {f!r} is defined by two chapters ({owner[f]}, {chapters.folder(m)}): "
                                "rename one (profiles read sizes by name)")
            owner[f] = chapters.folder(m)
        fields_of[m.Sizes] = names
        labels.update(m.FIELD_LABELS)
    return fields_of, labels


_FIELDS_OF, FIELD_LABELS = _gather(chapters.modules())
_NOTES = {"smoke": {"purpose": "seconds-long smoke test: numbers are meaningless"}}
PROFILES = {name: Profile(name, {chapters.folder(m): m.SIZES[name] for m in chapters.modules()}, _NOTES.get(name))
            for name in PROFILE_NAMES}
PAPER = PROFILES["paper"]
PER_SET_KEYS = ("fmnist", "cifar10", "mnist", "svhn", "celeba")   # dict fields keyed by in-distribution set


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``, or raise UnknownName listing the profiles."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownName(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None


def __getattr__(name: str):
    """A chapter's field lists (e.g. ``profiles.GLOW_FIELDS``, defined in ``oodlib.chapters.rose``)."""
    if name.endswith("_FIELDS"):
        owner = chapters.find(name, "field list")
        if owner is not None:
            return getattr(owner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def compare(profile: str, fields=None):
    """Return a table of ``fields`` (default: ROSE's BASE_FIELDS): the ``paper`` profile's setting beside ``profile``'s.

    The ``paper`` profile follows a paper where it speaks and is the book's paper-size choice where it is
    silent (e.g. the α values of Chali et al.'s ablation), hence the column's name, "paper profile".
    """
    import pandas as pd

    fields = __getattr__("BASE_FIELDS") if fields is None else fields
    p = get_profile(profile)
    return pd.DataFrame({"paper profile": [str(getattr(PAPER, f)) for f in fields],
                         profile: [str(getattr(p, f)) for f in fields]},
                        index=[FIELD_LABELS.get(f, f) for f in fields])


def setting_rows(profile: str, fields, in_dists) -> dict:
    """Return {field label: {in-distribution set: (this profile's value, the paper profile's)}} for ``fields``:
    a field that is a dict keyed by in-distribution set gives each set its own value (absent: None, i.e. "all"
    for sizes, the paper's for architecture changes), any other field the same value for every set."""
    p = get_profile(profile)

    def of(prof, f, d):
        v = getattr(prof, f)
        if isinstance(v, dict) and (d in v or any(k in PER_SET_KEYS for k in v) or not v):
            return v.get(d, {} if f.endswith("_arch") else None)
        return v
    return {FIELD_LABELS.get(f, f): {d: (of(p, f, d), of(PAPER, f, d)) for d in in_dists} for f in fields}
