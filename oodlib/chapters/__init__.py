"""The book's chapters: one module per paper, with everything of that paper the book machinery needs.

A chapter module (``oodlib/chapters/<folder>.py``, named after its ``notebooks/<folder>/``) defines:

- ``PAPER``: the paper's key in ``paper_numbers.csv`` and in the results tables (a key of ``oodlib.paper.PAPERS``);
- ``ORDER``: its place in the book (the landing page lists papers in this order);
- ``Sizes``: a frozen dataclass of the chapter's profile sizes, and ``SIZES``: one instance per profile name
  (``smoke``, ``cpu``, ``paper``); ``FIELD_LABELS``: how the pages' setting tables name each field;
- ``MODELS``: {model kind: ``ModelKind``}, and ``profile_models(profile)``: every model the chapter's pages need;
- ``CLAIMS``: the paper's claims the chapter tests (``oodlib.claims.Claim``).

``oodlib.profiles``, ``oodlib.zoo`` and ``oodlib.claims`` gather these from every chapter module found here, so
adding a chapter touches no other module of ``oodlib``. A chapter module may import oodlib's core and
``oodlib.claims``, never ``profiles`` or ``zoo`` (which import it).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

from ..errors import UnknownName

PROFILE_NAMES = ("smoke", "cpu", "paper")
REQUIRED = ("PAPER", "ORDER", "Sizes", "SIZES", "FIELD_LABELS", "MODELS", "profile_models", "CLAIMS")


@dataclass(frozen=True)
class ModelKind:
    """One kind of model a chapter trains: its recipe and what its one free argument (``extra``) is.

    ``recipe(in_dist, profile, seed[, extra])`` returns (model config, DataSpec, TrainConfig) without training
    or loading anything; it takes ``extra`` where ``extra_name`` names it. ``extra_name`` is also the option on
    ``python -m oodlib.zoo``'s command line (``--width``, ``--alpha``, …), read with ``extra_type``, ``default``
    where not given; ``label`` formats it in messages ("width {}"). ``snapshots``: the in-distribution sets
    whose weights are kept after every epoch; ``committed_epochs(profile, extra)``, where given, the epochs whose
    snapshots are committed (None: every epoch). ``committed=False``: the book does not commit this kind's weights
    (checkpoints/ is full); a page that needs them trains them when it is executed, and says so. ``committed`` may
    also be ``committed(extra) -> bool``, for a kind whose weights are committed at some extras only (``commits``).
    """

    recipe: Callable
    extra_name: str = ""
    extra_type: Callable = float
    default: object = None
    label: str = ""
    snapshots: tuple = ()
    committed_epochs: Callable | None = None
    committed: bool | Callable = True

    def commits(self, extra=None) -> bool:
        """Whether the book commits this kind's weights at ``extra`` (``default`` where None)."""
        if callable(self.committed):
            return bool(self.committed(self.extra_type(self.default if extra is None else extra)))
        return self.committed

    def make(self, in_dist: str, profile: str, seed: int = 0, extra=None):
        """Return the recipe (model config, DataSpec, TrainConfig) at ``extra`` (``default`` where None)."""
        if not self.extra_name:
            return self.recipe(in_dist, profile, seed)
        return self.recipe(in_dist, profile, seed, self.extra_type(self.default if extra is None else extra))

    def extra_label(self, extra) -> str:
        if extra is None or not self.label:
            return ""
        return ", " + self.label.format(f"{extra:g}" if isinstance(extra, float) else extra)


@functools.lru_cache(maxsize=1)
def modules() -> tuple:
    """Return every chapter module, in the book's order (``ORDER``); each is checked for what a chapter defines."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        lacking = [name for name in REQUIRED if not hasattr(module, name)]
        if lacking:
            raise TypeError(f"chapter module {module.__name__} lacks {', '.join(lacking)} (see oodlib.chapters)")
        if set(module.SIZES) != set(PROFILE_NAMES):
            raise TypeError(f"{module.__name__}.SIZES has profiles {sorted(module.SIZES)}; it needs exactly "
                            f"{', '.join(PROFILE_NAMES)}")
        found.append(module)
    return tuple(sorted(found, key=lambda m: m.ORDER))


def folder(module) -> str:
    """Return the chapter's folder under notebooks/ and book/ (the module's own name)."""
    return module.__name__.rsplit(".", 1)[-1]


def by_folder() -> dict:
    """Return {chapter folder: paper key}, e.g. {"rose": "rose", "chali": "approx_mass"}."""
    return {folder(m): m.PAPER for m in modules()}


def sizes(sizes_by_profile: dict, profile: str):
    """Return a chapter's sizes at ``profile`` (one of PROFILE_NAMES), or raise UnknownName listing them."""
    try:
        return sizes_by_profile[profile]
    except KeyError:
        raise UnknownName(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILE_NAMES)}") from None


@functools.lru_cache(maxsize=None)
def _own_names(module) -> frozenset:
    """Return the names a chapter module defines itself (not those it imports from elsewhere)."""
    import ast
    import inspect

    imported = {alias.asname or alias.name for node in ast.walk(ast.parse(inspect.getsource(module)))
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    return frozenset(n for n in vars(module) if n not in imported and not n.startswith("__"))


def find(name: str, kind: str = "name"):
    """Return the one chapter module that defines ``name`` itself (None if none does); two that do are an error."""
    owners = [m for m in modules() if name in _own_names(m)]
    if len(owners) > 1:
        names = ", ".join(folder(m) for m in owners)
        raise AttributeError(f"{kind} {name!r} is defined by several chapters ({names}); "
                             "use the chapter module's own, e.g. oodlib.chapters.rose.<name>")
    return owners[0] if owners else None
