"""The chapter kit: a page's one handle on its chapter, and what every page does besides its own science.

    page = Page("chali/s4_2_penalty_ablation", profile, seed)   # the page's name: its chapter folder and file
    page.sizes.chali_n_test                     # the chapter's sizes at this profile (plain attributes)
    flow = page.model("realnvp", "fmnist")      # a canonical model of the chapter, at this profile and seed
    page.setting(page.chapter.CHALI_FIELDS, ["fmnist", "cifar10"])
    missing = page.missing(["svhn", "gtsrb"])   # the sets of the paper that are not on this machine
    table = page.rows(ev.table, section="§4.2", table="Table 1", model="RealNVP", in_dist="fmnist")
    page.save(table)                            # <results folder>/<chapter>_<page>.csv
    page.verdicts(table, missing)               # this page's claims, judged (oodlib.claims)

A page names itself in its source, so plain papermill re-executes it: ``papermill book/<chapter>/<page>.ipynb
out.ipynb -p profile smoke -p seed 1``. Its results go where the book runner says (``OODBOOK_RESULTS_DIR``:
``book/results/`` for ``make page``), else to ``Page(..., results=folder)``, else to a scratch folder in the model
cache: a run outside the runner never writes over the committed ``book/results/``.

Pages not yet moved to this form call ``Page(profile, seed)`` and learn their name from ``OODBOOK_PAGE``, which the
runner sets.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from . import chapters, data, display, profiles, results, zoo
from .chapters import PROFILE_NAMES

PAGE_ENV = "OODBOOK_PAGE"


class Page:
    """One book page: its name, chapter, profile and seed, and the calls it shares with every other page."""

    def __init__(self, name: str, profile: str | int = "cpu", seed: int = 0, *, results: str | Path | None = None):
        if name in PROFILE_NAMES:          # the older form, Page(profile, seed): the runner names the page
            name, profile, seed = os.environ.get(PAGE_ENV, ""), name, int(profile)
            if not name:
                raise RuntimeError(f"which page is this? Name it in its source, Page('chapter/page', profile, seed), "
                                   f"or execute it with python -m oodlib.book run (which sets {PAGE_ENV})")
        if not isinstance(name, str) or name.count("/") != 1:
            raise ValueError(f"a page's name is 'chapter/page' (e.g. 'chali/s4_2_penalty_ablation'), got {name!r}")
        self.name, self.seed = name, int(seed)
        self.profile_name = profiles.check(str(profile))
        self.chapter = chapters.get(name.split("/")[0])
        self.sizes = self.chapter.SIZES[self.profile_name]
        self.paper = self.chapter.PAPER
        self.paper_keys = getattr(self.chapter, "PAPER_KEYS", {})
        self.results_dir = Path(results) if results is not None else None
        warnings.showwarning = _show_warning_without_path

    @property
    def profile(self):
        """The chapter's sizes at this profile (``sizes``; the name the pages not yet moved to ``sizes`` read)."""
        return self.sizes

    @property
    def results_name(self) -> str:
        """The page's results table: ``<chapter>_<page>.csv``."""
        return self.name.replace("/", "_")

    def model(self, kind: str, in_dist: str, extra=None, progress: bool = True):
        """Return the chapter's canonical model of ``kind`` on ``in_dist`` at this page's profile and seed (from the
        cache or the committed weights, or trained now); ``extra``: the kind's one free argument (a width, an α, a
        variant, …; ``oodlib.chapters.kit.ModelKind``)."""
        self._check_kind(kind)
        return zoo.fetch(kind, in_dist, self.profile_name, self.seed, extra, progress=progress)

    def recipe(self, kind: str, in_dist: str, extra=None):
        """Return the recipe (model config, DataSpec, TrainConfig) of ``model(kind, in_dist, extra)``, without training
        or loading anything (e.g. its training epochs: ``page.recipe("realnvp", "fmnist")[2].epochs``)."""
        self._check_kind(kind)
        return zoo.recipe(kind, in_dist, self.profile_name, self.seed, extra)

    def _check_kind(self, kind: str) -> None:
        if kind not in self.chapter.MODELS:
            raise ValueError(f"chapter {self.chapter.__name__} has no model kind {kind!r}; its kinds: "
                             f"{', '.join(self.chapter.MODELS)}")

    def setting(self, fields, in_dists, caption: str = "Setting: ours (the paper profile's)"):
        """Display the chapter's sizes ``fields`` beside the paper profile's, one column per in-distribution set."""
        from IPython.display import display as show   # IPython: only where a page is displayed

        show(display.setting(profiles.setting_rows(self.chapter, self.profile_name, fields, in_dists), caption))

    @staticmethod
    def missing(names) -> list[str]:
        """Return the sets among ``names`` that are not on this machine (each reported on the page, never faked)."""
        return sorted({n for n in names if not data.is_available(n, "test")})

    def rows(self, values: pd.DataFrame, **kw) -> pd.DataFrame:
        """Return ``results.rows`` of ``values`` for this page's paper, profile and seed; a table the chapter names
        in ``PAPER_KEYS`` (its cells named the paper's own way) reads the paper's numbers through it."""
        quoted = results.paper_table_of(kw.get("paper_table") or kw["table"])
        kw.setdefault("paper_key", self.paper_keys.get(quoted))
        return results.rows(values, paper_name=self.paper, profile=self.profile_name, seed=self.seed, **kw)

    def save(self, table: pd.DataFrame) -> None:
        """Write the page's results table atomically and say where."""
        print("numbers written to", results.save(table, self.results_name, folder=self.results_dir).name)

    def verdicts(self, table: pd.DataFrame, missing=(), caption: str = "Verdicts (defined on the landing page)"):
        """Display the verdict on each of this page's claims, judged on ``table``."""
        from IPython.display import display as show   # IPython: only where a page is displayed

        show(display.verdicts(chapters.claims_table(table, missing=missing, page=self.name), caption))


def _show_warning_without_path(message, category, filename, lineno, file=None, line=None):
    """Print a warning on a page as "UserWarning: message": no local file path reaches the book."""
    print(f"{category.__name__}: {message}", file=file or sys.stderr)
