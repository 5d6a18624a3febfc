"""The chapter kit: what every book page does besides its own science, in one object.

    page = Page(profile, seed)                  # the runner says which page this is (OODBOOK_PAGE)
    page.setting(profiles.CHALI_FIELDS, ["fmnist", "cifar10"])
    missing = page.missing(["svhn", "gtsrb"])   # the sets of the paper that are not on this machine
    table = page.rows(ev.table, section="§4.2", table="Table 1", model="RealNVP", in_dist="fmnist")
    page.save(table)                            # book/results/<page>.csv
    page.verdicts(table, missing)               # this page's claims, judged (oodlib.claims)

A page's identity ("chali/s4_2_penalty_ablation": its chapter folder and file name) is typed nowhere: the
runner (``oodlib.book``) sets ``OODBOOK_PAGE`` for the kernel. Run by hand (a notebook opened in Jupyter), pass
``Page(profile, seed, name="chali/s4_2_penalty_ablation")``.
"""

from __future__ import annotations

import os
import sys
import warnings

import pandas as pd

from . import chapters, claims, data, display, profiles, results

PAGE_ENV = "OODBOOK_PAGE"


class Page:
    """One book page: its name, profile and seed, and the calls it shares with every other page."""

    def __init__(self, profile: str, seed: int = 0, name: str | None = None):
        name = name or os.environ.get(PAGE_ENV)
        if not name:
            raise RuntimeError(f"which page is this? Execute it with python -m oodlib.book run notebooks/<page>.py "
                               f"(which sets {PAGE_ENV}), or pass Page(profile, seed, name='chapter/page')")
        chapter, known = name.split("/")[0], chapters.by_folder()   # folder -> paper key
        if chapter not in known:
            raise ValueError(f"page {name!r} is in no known chapter; chapters: {', '.join(known)} "
                             f"(a chapter needs its module, oodlib/chapters/{chapter}.py: see oodlib.chapters)")
        self.name, self.seed = name, seed
        self.profile = profiles.get_profile(profile)
        self.paper = known[chapter]
        self.paper_keys = getattr(next(m for m in chapters.modules() if chapters.folder(m) == chapter), "PAPER_KEYS", {})
        warnings.showwarning = _show_warning_without_path

    @property
    def results_name(self) -> str:
        """The page's results table: ``book/results/<chapter>_<page>.csv``."""
        return self.name.replace("/", "_")

    def setting(self, fields, in_dists, caption: str = "Setting: ours (the paper profile's)"):
        """Display the profile's sizes ``fields`` beside the paper profile's, one column per in-distribution set."""
        from IPython.display import display as show

        show(display.setting(profiles.setting_rows(self.profile.name, fields, in_dists), caption))

    @staticmethod
    def missing(names) -> list[str]:
        """Return the sets among ``names`` that are not on this machine (each reported on the page, never faked)."""
        return sorted({n for n in names if not data.is_available(n, "test")})

    def rows(self, values: pd.DataFrame, **kw) -> pd.DataFrame:
        """Return ``results.rows`` of ``values`` for this page's paper, profile and seed; a table the chapter names
        in ``PAPER_KEYS`` (its cells named the paper's own way) reads the paper's numbers through it."""
        quoted = results.paper_table_of(kw.get("paper_table") or kw["table"])
        kw.setdefault("paper_key", self.paper_keys.get(quoted))
        return results.rows(values, paper_name=self.paper, profile=self.profile.name, seed=self.seed, **kw)

    def save(self, table: pd.DataFrame) -> None:
        """Write the page's results table atomically and say where."""
        print("numbers written to", results.save(table, self.results_name).name)

    def verdicts(self, table: pd.DataFrame, missing=(), caption: str = "Verdicts (defined on the landing page)"):
        """Display the verdict on each of this page's claims, judged on ``table``."""
        from IPython.display import display as show

        show(display.verdicts(claims.claims_table(table, missing=missing, page=self.name), caption))


def _show_warning_without_path(message, category, filename, lineno, file=None, line=None):
    """Print a warning on a page as "UserWarning: message": no local file path reaches the book."""
    print(f"{category.__name__}: {message}", file=file or sys.stderr)
