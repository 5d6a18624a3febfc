"""What every chapter package is made of: its model kinds (``ModelKind``) and its sizes per profile (``sizes_at``).

A chapter imports this module and oodlib's core; nothing here knows any chapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import UnknownName

PROFILE_NAMES = ("smoke", "cpu", "paper")


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


def sizes_at(sizes_by_profile: dict, profile: str):
    """Return a chapter's sizes at ``profile`` (one of PROFILE_NAMES), or raise UnknownName listing them."""
    try:
        return sizes_by_profile[profile]
    except KeyError:
        raise UnknownName(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILE_NAMES)}") from None
