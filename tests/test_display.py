"""Tables as a page shows them (oodlib.display): numbers, "ours (paper)" cells, stand-in rows, differences."""

import numpy as np
import pandas as pd
import pytest

from oodlib import display, paper

NAN = float("nan")


@pytest.mark.parametrize("value, kw, expected", [
    (0.12345, {}, "0.123"), (0.9996, {}, "1.000"), (1.0, {}, "1.000"), (np.float64(0.5), {}, "0.500"),
    (0.12345, {"digits": 2}, "0.12"), (None, {}, "—"), (NAN, {}, "—"), (np.nan, {}, "—"),
    (0.0008, {"small": True}, "0.0008"), (0.0008, {}, "0.001"), (0.5, {"small": True}, "0.500"),
    (0.0, {"small": True}, "0.000"), (12000, {}, "12,000"), ("text", {}, "text"),
])
def test_number(value, kw, expected):
    assert display.number(value, **kw) == expected


def _row(ood, method, value, paper_value, in_dist="cifar10", table="Table 1"):
    return {"paper": "approx_mass", "section": "§4.2", "table": table, "model": "RealNVP", "in_dist": in_dist,
            "ood": ood, "method": method, "metric": "AUROC", "value": value, "paper_value": paper_value,
            "profile": "cpu", "seed": 0}


def test_paper_vs_ours_cells_stand_ins_and_empty_columns():
    table = pd.DataFrame([_row("texture", "approx_mass", 0.7, 0.978), _row("foo", "approx_mass", 0.6, NAN),
                          _row("gtsrb", "approx_mass", 0.664, NAN),       # stands in for SVHN (paper.stands_for)
                          _row("foo", "nothing", NAN, NAN), _row("gtsrb", "nothing", NAN, NAN)])
    styler = display.paper_vs_ours(table, "Table 1: ours (paper)")
    wide = styler.data
    assert list(wide.columns) == ["approx_mass"]                # the column with no number at all is dropped
    assert wide.loc["texture", "approx_mass"] == "0.700 (0.978)"
    assert wide.loc["foo", "approx_mass"] == "0.600 (—)"
    assert "gtsrb" not in wide.index                            # the row says what it stands for
    assert paper.value("approx_mass", "Table 1", "RealNVP", "cifar10", "svhn", "approx_mass", "AUROC") == 0.969
    assert wide.loc["gtsrb (for svhn)", "approx_mass"] == "0.664 (svhn: 0.969)"
    html = styler.to_html()
    assert "<caption>Table 1: ours (paper)</caption>" in html and "0.664 (svhn: 0.969)" in html


def test_paper_vs_ours_keeps_a_small_paper_number_and_a_quote_without_ours():
    table = pd.DataFrame([_row("svhn", "vanilla", 0.2, 0.0008), _row("svhn", "GradCon", NAN, 0.664)])
    wide = display.paper_vs_ours(table, "c").data
    assert wide.loc["svhn", "vanilla"] == "0.200 (0.0008)"
    assert wide.loc["svhn", "GradCon"] == "— (0.664)"            # quoted, not re-run: no number of ours


def test_paper_vs_ours_with_explicit_stand_ins_and_a_partial_set():
    table = pd.DataFrame([_row("dtd_partial", "approx_mass", 0.8, NAN, table="Table 2"),
                          _row("gtsrb", "approx_mass", 0.9, 0.95, table="Table 2")])
    wide = display.paper_vs_ours(table, "c").data                 # default: paper.stands_for
    assert paper.stands_for("dtd_partial") == "dtd"
    assert wide.loc["dtd_partial (for dtd)", "approx_mass"] == "0.800 (dtd: 0.978)"   # DTD is "texture" there
    only = display.paper_vs_ours(table, "c", stand_ins={}).data    # nothing stands in for anything
    assert set(only.index) == {"dtd_partial", "gtsrb"} and only.loc["gtsrb", "approx_mass"] == "0.900 (0.950)"


def _differences(ood, diff, low, high, method="A − B"):
    return [{"in_dist": "fmnist", "ood": ood, "method": method, "metric": m, "value": v}
            for m, v in (("ΔAUROC", diff), ("ΔAUROC low", low), ("ΔAUROC high", high))]


def test_differences_say_whether_the_test_images_tell_the_methods_apart():
    table = pd.DataFrame(_differences("mnist", 0.1, 0.05, 0.15) + _differences("kmnist", 0.01, -0.02, 0.03)
                         + _differences("notmnist", -0.2, -0.3, -0.1)
                         + [{"in_dist": "fmnist", "ood": "mnist", "method": "A", "metric": "AUROC", "value": 0.9}])
    styler = display.differences(table, "Paired differences")
    t = styler.data.droplevel(["in_dist", "method"])
    assert list(t.columns) == ["AUROC difference", "95% interval", "the test images"]
    assert t.loc["mnist"].tolist() == ["+0.100", "[+0.050, +0.150]", "tell them apart"]
    assert t.loc["kmnist"].tolist() == ["+0.010", "[-0.020, +0.030]", "cannot tell them apart"]
    assert t.loc["notmnist", "the test images"] == "tell them apart"
    assert "<caption>Paired differences</caption>" in styler.to_html()


def test_differences_without_difference_rows_say_so():
    table = pd.DataFrame([{"in_dist": "fmnist", "ood": "mnist", "method": "A", "metric": "AUROC", "value": 0.9}])
    t = display.differences(table, "c").data
    assert t.iloc[0, 0].startswith("none")


def test_setting_cells_are_ours_then_the_papers():
    t = display.setting({"epochs": {"fmnist": (5, 200)}, "test images": {"fmnist": (None, 10000)}}).data
    assert t.loc["epochs", "fmnist"] == "5 (200)" and t.loc["test images", "fmnist"] == "all (10,000)"


def test_verdicts_table_drops_the_paper_and_page_columns():
    table = pd.DataFrame([{"paper": "rose", "section": "§3.1", "claim": "c", "verdict": "reproduced",
                           "evidence": "e", "page": "rose/x"}])
    assert list(display.verdicts(table).data.columns) == ["section", "claim", "verdict", "evidence"]


def test_paper_vs_ours_keeps_the_own_number_of_a_set_the_paper_has():
    assert paper.value("approx_mass", "Table 2", "RealNVP", "cifar10", "gtsrb", "approx_mass", "AUROC") == 0.97
    table = pd.DataFrame([_row("gtsrb", "approx_mass", 0.9, 0.97, table="Table 2")])
    wide = display.paper_vs_ours(table, "c").data
    assert wide.loc["gtsrb", "approx_mass"] == "0.900 (0.970)"


@pytest.mark.parametrize("value, expected", [(np.float32(0.25), "0.250"), (np.float32("nan"), "—")])
def test_number_of_a_float32(value, expected):
    assert display.number(value) == expected


def test_differences_refuse_rows_that_would_be_averaged_together():
    rows = pd.DataFrame([{"in_dist": "fmnist", "ood": o, "method": "a − b", "metric": m, "value": v}
                         for o in ("mnist", "kmnist") for m, v in (("ΔAUROC", 0.1), ("ΔAUROC low", 0.0),
                                                                   ("ΔAUROC high", 0.2))])
    with pytest.raises(ValueError, match="several difference rows"):
        display.differences(rows, caption="c", rows=("method",))
    assert len(display.differences(rows, caption="c", rows=("ood", "method")).data) == 2
