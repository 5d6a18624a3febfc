"""The approximate mass (Chali et al.): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

from ...paper import CHALI_PAPER_SIZE, chali_quoted_means  # noqa: F401 (re-exported, as in sets.py)

PAPER = "approx_mass"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Chali, Kucher, Duranton, Klein"
TITLE = "Improving normalizing flows with the approximate mass for OOD detection"
ORDER = 2           # its place in the book (the landing page lists papers in this order)
