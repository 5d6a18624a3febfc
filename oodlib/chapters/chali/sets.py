"""The approximate mass (Chali et al.): the paper's evaluation sets, and the stand-ins used where one is missing here."""

from __future__ import annotations

from ...paper import (  # noqa: F401 (re-exported: oodlib.paper holds them while one Chali page still reads them there)
    CHALI_STAND_INS, CHALI_TABLE1_OOD, CHALI_TABLE2_OOD, PARTIAL_SETS, chali_ood, chali_table2_sets)
