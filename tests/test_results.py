"""Paper numbers, the results schema, and verdict rules."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oodlib import claims, paper, results
from oodlib.profiles import PROFILES

SHARED_NUMBERS = Path(__file__).resolve().parents[2] / "shared" / "papers" / "paper_numbers.csv"


def test_paper_numbers_are_the_shared_transcription():
    if not SHARED_NUMBERS.exists():
        pytest.skip("../shared/papers/paper_numbers.csv not present")
    digest = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    assert digest(paper.NUMBERS_CSV) == digest(SHARED_NUMBERS)


def test_paper_value_lookup():
    assert paper.value("rose", "Table 2", "VAE", "fmnist", "mnist", "NLL", "AUROC") == pytest.approx(0.161)
    assert paper.value("rose", "Table 2", "VAE", "cifar10", "svhn", "NLL", "AUROC") == pytest.approx(0.081)
    assert paper.value("rose", "Table 2", "VAE", "fmnist", "celeba", "NLL", "AUROC") is None


def test_rose_overall_members_follow_section_5_1():
    assert paper.rose_overall_members("fmnist")[-1] == "cifar10"
    assert paper.rose_overall_members("cifar10")[-1] == "fmnist"
    assert len(paper.rose_overall_members("fmnist")) == 10


def _values():
    return pd.DataFrame({"ood": ["mnist", "kmnist"], "method": "NLL", "metric": "AUROC", "value": [0.2, 0.7]})


def test_rows_have_exactly_the_schema_and_paper_values():
    t = results.rows(_values(), paper_name="rose", section="§3.1", table="Table 2", model="VAE", in_dist="fmnist",
                     profile="smoke", seed=0)
    assert list(t.columns) == results.COLUMNS
    assert t.paper_value.tolist() == pytest.approx([0.161, 0.626])
    with pytest.raises(ValueError, match="paper must be one of"):
        results.rows(_values(), paper_name="ROSE", section="", table="", model="", in_dist="", profile="", seed=0)


def test_save_refuses_other_columns_and_writes_atomically(monkeypatch, tmp_path):
    monkeypatch.setenv("OODBOOK_RESULTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="exactly the columns"):
        results.save(_values(), "page")
    t = results.rows(_values(), paper_name="rose", section="§3.1", table="Table 2", model="VAE", in_dist="fmnist",
                     profile="smoke", seed=0)
    path = results.save(t, "page")
    assert [p.name for p in tmp_path.iterdir()] == ["page.csv"]
    back = results.load_all(tmp_path)
    assert back.drop(columns="page").equals(pd.read_csv(path, keep_default_na=False,
                                                        na_values={"value": [""], "paper_value": [""]}))


def _claim_rows(values, papers):
    return pd.DataFrame({"paper": "rose", "table": "Table 2", "method": "NLL", "metric": "AUROC",
                         "in_dist": "fmnist", "ood": [f"s{i}" for i in range(len(values))],
                         "value": values, "paper_value": papers})


@pytest.mark.parametrize("values, papers, rule, expected", [
    ([0.1, 0.2], [0.1, 0.3], "below", "reproduced"),
    ([0.1, 0.7], [0.1, 0.3], "below", "partly"),
    ([0.6, 0.7], [0.1, 0.3], "below", "not reproduced"),
    ([0.1, 0.7], [0.2, 0.9], "same_side", "reproduced"),
    ([0.6, 0.7], [0.2, 0.9], "same_side", "partly"),
    ([0.6, 0.7], [np.nan, np.nan], "same_side", "not tested"),
    ([], [], "below", "not tested"),
])
def test_verdict_rules(values, papers, rule, expected):
    c = claims.Claim("t", "rose", "§", "p", "text", {"paper": "rose"}, rule)
    assert claims.verdict(c, _claim_rows(values, papers))["verdict"] == expected


def test_a_missing_dataset_is_named_and_caps_the_verdict():
    c = claims.Claim("t", "rose", "§", "p", "text", {"ood": "s0"}, "below", needs=("svhn",))
    v = claims.verdict(c, _claim_rows([0.1], [0.1]), missing=["svhn"])
    assert v["verdict"] == "partly" and "svhn" in v["evidence"]


def test_committed_results_follow_the_schema_and_quote_the_paper_exactly():
    table = results.load_all()
    if table.empty:
        pytest.skip("no committed results yet")
    assert list(table.columns) == results.COLUMNS + ["page"]
    assert set(table.paper) <= set(results.PAPERS)
    assert set(table.profile) <= set(PROFILES)
    assert np.isfinite(table.value).all()
    for r in table[table.paper_value.notna()].itertuples():
        quoted = paper.value(r.paper, r.table, r.model, r.in_dist, r.ood, r.method, r.metric)
        assert quoted == pytest.approx(r.paper_value), r
