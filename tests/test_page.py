"""The chapter kit (oodlib.page.Page), the page's name the runner gives it (oodlib.book), and the setting table's
values (oodlib.profiles.setting_rows, from the page's chapter's sizes)."""

import warnings

import pandas as pd
import pytest

from oodlib import book, page, profiles, results
from oodlib.chapters import chali, rose
from oodlib.errors import UnknownName

NAME = "chali/s4_2_penalty_ablation"


@pytest.fixture(autouse=True)
def keep_warning_printer(monkeypatch):
    """Page() replaces warnings.showwarning (no local path on a page); put it back after each test."""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)


def test_a_page_without_a_name_is_refused_and_told_how(monkeypatch):
    monkeypatch.delenv(page.PAGE_ENV, raising=False)
    assert page.PAGE_ENV == "OODBOOK_PAGE"
    with pytest.raises(RuntimeError, match="OODBOOK_PAGE"):
        page.Page("cpu", 0)


def test_a_page_takes_its_name_from_the_runner(monkeypatch):
    """The older form, Page(profile, seed), for pages not yet moved to naming themselves."""
    monkeypatch.setenv("OODBOOK_PAGE", NAME)
    p = page.Page("cpu", 3)
    assert p.name == NAME and p.seed == 3 and p.profile_name == "cpu"
    assert p.results_name == "chali_s4_2_penalty_ablation"
    assert p.paper == "approx_mass"
    assert page.Page("rose/s5_1_vae_benchmark", "cpu").paper == "rose"     # a page's own name wins over the variable


def test_a_page_names_itself_and_reads_its_chapters_sizes(monkeypatch):
    monkeypatch.delenv(page.PAGE_ENV, raising=False)
    p = page.Page(NAME, "smoke", 2)
    assert (p.name, p.profile_name, p.seed) == (NAME, "smoke", 2)
    assert p.chapter is chali and p.sizes is chali.SIZES["smoke"] and p.profile is p.sizes
    assert p.sizes.chali_n_test == chali.SIZES["smoke"].chali_n_test
    assert page.Page("rose/s5_1_vae_benchmark", "paper").sizes is rose.SIZES["paper"]
    q = page.Page(NAME)                                                # defaults: cpu, seed 0
    assert (q.profile_name, q.seed, q.sizes) == ("cpu", 0, chali.SIZES["cpu"])


def test_a_page_fetches_only_its_chapters_model_kinds(monkeypatch):
    p = page.Page(NAME, "smoke", 1)
    with pytest.raises(ValueError, match="has no model kind 'vae'"):
        p.model("vae", "fmnist")                                       # a ROSE kind, not Chali's
    asked = []
    monkeypatch.setattr(page.zoo, "fetch", lambda *a, **kw: asked.append((a, kw)) or "flow")
    assert p.model("realnvp-alpha", "fmnist", 5.0, progress=False) == "flow"
    assert asked == [(("realnvp-alpha", "fmnist", "smoke", 1, 5.0), {"progress": False})]


def test_an_unknown_chapter_or_profile_is_refused(monkeypatch):
    monkeypatch.delenv(page.PAGE_ENV, raising=False)
    with pytest.raises(UnknownName, match="no chapter 'benchmark'.*rose, chali"):
        page.Page("benchmark/s1_intro", "cpu")
    with pytest.raises(UnknownName, match="laptop"):
        page.Page(NAME, "laptop")
    with pytest.raises(ValueError, match="'chapter/page'"):
        page.Page("s4_2_penalty_ablation", "cpu")


def test_page_rows_and_save(monkeypatch, tmp_path):
    monkeypatch.setenv("OODBOOK_RESULTS_DIR", str(tmp_path))
    p = page.Page(NAME, "cpu", 0)
    values = pd.DataFrame([{"ood": "mnist", "method": "approx_mass", "metric": "AUROC", "value": 0.9}])
    table = p.rows(values, section="§4.2", table="Table 1", model="RealNVP", in_dist="fmnist")
    assert list(table.columns) == results.COLUMNS
    r = table.iloc[0]
    assert (r.paper, r.profile, r.seed) == ("approx_mass", "cpu", 0) and r.paper_value == pytest.approx(0.994)
    p.save(table)
    assert [f.name for f in tmp_path.iterdir()] == ["chali_s4_2_penalty_ablation.csv"]


def test_a_page_given_a_results_folder_writes_there(monkeypatch, tmp_path):
    monkeypatch.setenv("OODBOOK_RESULTS_DIR", str(tmp_path / "runner"))
    p = page.Page(NAME, "cpu", 0, results=tmp_path / "mine")
    assert p.results_dir == tmp_path / "mine"
    values = pd.DataFrame([{"ood": "mnist", "method": "approx_mass", "metric": "AUROC", "value": 0.9}])
    p.save(p.rows(values, section="§4.2", table="Table 1", model="RealNVP", in_dist="fmnist"))
    assert [f.name for f in (tmp_path / "mine").iterdir()] == ["chali_s4_2_penalty_ablation.csv"]
    assert not (tmp_path / "runner").exists()


def test_page_missing_names_each_absent_set_once(monkeypatch):
    assert page.Page.missing(["noise", "constant"]) == []               # synthetic: always here
    monkeypatch.setattr(page.data, "is_available", lambda name, split=None: name not in ("svhn", "lsun"))
    assert page.Page.missing(["svhn", "mnist", "lsun", "svhn"]) == ["lsun", "svhn"]


def test_book_names_a_page_by_its_path_under_notebooks():
    src = book.NOTEBOOKS / "chali" / "s4_2_penalty_ablation.py"
    assert src.exists()
    assert book.page_name(src) == NAME
    assert page.Page(book.page_name(src), "cpu").results_name == "chali_s4_2_penalty_ablation"


def test_kernel_env_names_the_page(tmp_path):
    env = book.kernel_env(tmp_path, NAME)
    assert env["OODBOOK_PAGE"] == NAME and env["OODBOOK_RESULTS_DIR"] == str(tmp_path)


def test_setting_rows_give_each_in_distribution_set_its_value():
    rows = profiles.setting_rows(chali, "cpu", ("realnvp_epochs", "chali_n_test"), ["fmnist", "cifar10"])
    epochs = rows[chali.FIELD_LABELS["realnvp_epochs"]]
    tests = rows[chali.FIELD_LABELS["chali_n_test"]]
    assert epochs == {"fmnist": (5, 200), "cifar10": (5, 200)}
    assert tests == {"fmnist": (2000, 10000), "cifar10": (2000, 10000)}
    cpu, paper = chali.SIZES["cpu"], chali.SIZES["paper"]
    assert epochs["cifar10"] == (cpu.realnvp_epochs["cifar10"], paper.realnvp_epochs["cifar10"])


def test_setting_rows_refuse_a_size_of_another_chapter_or_an_unknown_profile():
    with pytest.raises(UnknownName, match="no size glow_epochs"):
        profiles.setting_rows(chali, "cpu", ("glow_epochs",), ["fmnist"])          # ROSE's, not Chali's
    with pytest.raises(UnknownName, match="unknown profile 'laptop'.*smoke, cpu, paper"):
        profiles.setting_rows(chali, "laptop", ("chali_n_test",), ["fmnist"])
    assert profiles.check("smoke") == "smoke"
