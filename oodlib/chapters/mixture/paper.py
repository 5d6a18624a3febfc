"""Mixture priors (Kamoi & Kobayashi): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

from ...prior_effects import NLL_METRIC
from ...toy import paper_key

PAPER = "mixture_prior"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Kamoi, Kobayashi"
TITLE = "Likelihood Assignment for Out-of-Distribution Inputs in Deep Generative Models is Sensitive to Prior Distribution Choice"
ORDER = 3           # its place in the book (the landing page lists papers in this order)


def table1_key(row) -> dict | None:
    """Return the paper_numbers.csv keys of a Table 1 row (MNIST's NLL under "uni (1, 7)", …), or None."""
    if row.ood != "mnist" or row.metric != NLL_METRIC:
        return None
    prior, _, labels = row.method.partition(" (")
    return {"method": "Likelihood", "variant": f"prior={prior}; training data=Fashion-MNIST ({labels}"}


# Results tables whose rows name the paper's cells their own way: table -> row -> paper_numbers.csv keys
# (``results.rows(paper_key=...)``); ``Page.rows`` and the schema test read the paper's numbers through them.
PAPER_KEYS = {"text §3.1": paper_key, "Table 1": table1_key}
