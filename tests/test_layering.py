"""oodlib's core is usable without the book machinery, and no arrow runs upward (issue 14, part 4)."""

import subprocess
import sys

import pytest

CORE = ["oodlib.data", "oodlib.models", "oodlib.train", "oodlib.penalties", "oodlib.gradients", "oodlib.ekfac",
        "oodlib.scores", "oodlib.evaluate", "oodlib.metrics", "oodlib.plots", "oodlib.cache", "oodlib.priors", "oodlib.toy",
        "oodlib.latents", "oodlib.clusters", "oodlib.prior_effects", "oodlib.erosions", "oodlib.perceptual"]
BOOK = ["oodlib.chapters", "oodlib.chapters.rose", "oodlib.chapters.chali", "oodlib.chapters.mixture", "oodlib.chapters.sr_ood", "oodlib.profiles", "oodlib.zoo", "oodlib.lineup", "oodlib.traces", "oodlib.oneclass", "oodlib.timing",
        "oodlib.paper", "oodlib.results", "oodlib.claims", "oodlib.display", "oodlib.page", "oodlib.book"]


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_none_of_the_book_machinery(module):
    probe = (f"import sys, {module}; book = {BOOK!r}; "
             "print(' '.join(m for m in book if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert not out, f"{module} imports the book machinery {out}: move what it needs into the core"


def test_penalties_do_not_import_the_scorers():
    out = subprocess.run([sys.executable, "-c", "import sys, oodlib.penalties; print('oodlib.scores' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False", "oodlib.penalties imports oodlib.scores: training must not depend on the scorers"
