"""The approximate mass (Chali et al.): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

import pandas as pd

from ...paper import numbers

PAPER = "approx_mass"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Chali, Kucher, Duranton, Klein"
TITLE = "Improving normalizing flows with the approximate mass for OOD detection"
ORDER = 2           # its place in the book (the landing page lists papers in this order)


CHALI_PAPER_SIZE = {"fmnist": "≈10M", "cifar10": "≈60M"}     # §4.2: the parameters of the paper's RealNVPs


def chali_quoted_means(metric: str = "AUROC") -> pd.DataFrame:
    """Return the mean ``metric`` values Chali et al. quote in §4.3's text (over all nine Table 2 sets, or per
    in-distribution set), on a 0–1 scale: columns in_dist ("all" for the nine-set mean), method, value."""
    df = numbers()
    hit = df[(df.paper == "approx_mass") & (df.table == "text §4.3") & (df.variant == "Mean") & (df.metric == metric)]
    return pd.DataFrame({"in_dist": hit.in_dist.replace("", "all").values, "method": hit.method.values,
                         "value": hit.value.values})          # numbers() has put them on 0–1
