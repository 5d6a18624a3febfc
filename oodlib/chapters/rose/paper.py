"""ROSE (Choi et al.): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

PAPER = "rose"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Choi, Yoon, Bae, Kang"
TITLE = "Robust Out-of-Distribution Detection on Deep Probabilistic Generative Models"
ORDER = 1           # its place in the book (the landing page lists papers in this order)


def _rnd_cell(r):
    """paper_numbers.csv leaves the model of RND's rows empty (RND has its own networks)."""
    return {"model": ""} if r.method.startswith("RND") else {}


PAPER_KEYS = {t: _rnd_cell for t in ("Table 1", "Table 8", "Table 9", "Table 11")}
