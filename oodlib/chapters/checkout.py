"""The book's checkout: where its pages, executed copies, results, committed weights and benchmarks live.

The book layer, not oodlib's core, knows this layout: importing ``oodlib.chapters`` (which every page, the runner,
``python -m oodlib.zoo`` and the tests do) points the core at these folders (``use``; an environment variable such as
``$OODLIB_CHECKPOINTS`` still wins, see ``oodlib.locations``). A pip-installed oodlib used without the book never
imports this.
"""

from __future__ import annotations

from pathlib import Path

from .. import locations

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO_ROOT / "notebooks"                      # the pages' py:percent sources
BOOK = REPO_ROOT / "book"                                # their executed copies
RESULTS = BOOK / "results"                               # the committed results tables
DEVICE = BOOK / "device"                                 # the committed outputs of GPU runs
CHECKPOINTS = REPO_ROOT / "checkpoints"                  # the committed weights (checkpoints/manifest.json)
BENCHMARKS = REPO_ROOT / "benchmarks"                    # make bench's throughput tables
DATASETS = REPO_ROOT.parent / "shared" / "datasets"      # the datasets beside the checkout


def use() -> None:
    """Point oodlib's core at this checkout's folders: its committed weights, the datasets beside it and its results
    tables (``oodlib.locations``; environment variables still win). The runner's kernels get them too
    (``oodlib.book.kernel_env``)."""
    locations.configure(checkpoints=CHECKPOINTS, data=DATASETS, results=RESULTS)
