"""The chapter packages (oodlib.chapters): each paper's paper, sizes, sets, models, pages and claims in one package of
the same files, found by oodlib.chapters (no registry to edit) and gathered by zoo, profiles and claims (issue 14,
part 4; issue 26, part 1)."""

import ast
import dataclasses
import importlib
import re
import subprocess
import sys
import textwrap
import types
import warnings
from pathlib import Path

import pytest

from oodlib import cache, chapters, page, profiles, zoo
from oodlib.chapters import chali, hierarchy, mixture, rose, sr_ood
from oodlib.errors import UnknownName

REPO = Path(__file__).resolve().parents[1]
FILES = ("paper", "sizes", "sets", "models", "pages", "claims")


def test_the_chapters_are_found_in_the_books_order():
    assert [chapters.folder(m) for m in chapters.modules()] == ["rose", "chali", "mixture", "sr_ood", "hierarchy"]
    assert chapters.by_folder() == {"rose": "rose", "chali": "approx_mass", "mixture": "mixture_prior",
                                    "sr_ood": "sr_ood", "hierarchy": "hierarchy"}


@pytest.mark.parametrize("module", chapters.modules(), ids=chapters.folder)
def test_a_chapter_matches_its_paper_its_notebooks_and_its_labels(module):
    folder = chapters.folder(module)
    info = chapters.papers()[module.PAPER]
    assert info == (module.AUTHORS, module.TITLE, folder), "chapters.papers() names another chapter folder"
    assert info.chapter == folder and info.authors and info.title
    assert (REPO / "notebooks" / folder).is_dir()
    fields = {f.name for f in dataclasses.fields(module.Sizes)}
    assert fields == set(module.FIELD_LABELS), "every size needs its label on the setting tables"
    for c in module.CLAIMS:
        assert c.paper == module.PAPER and c.page.startswith(folder + "/")
        assert (REPO / "notebooks" / f"{c.page}.py").exists(), f"{c.id}: no page {c.page}"


@pytest.mark.parametrize("module", chapters.modules(), ids=chapters.folder)
def test_every_chapter_is_the_same_files_and_re_exports_every_name_they_define(module):
    """paper, sizes, sets, models, pages, claims: each public name a file defines is the package's own."""
    here = Path(module.__file__).parent
    assert {p.stem for p in here.glob("*.py")} == {"__init__", *FILES}
    assert all(hasattr(module, name) for name in chapters.REQUIRED)
    assert {"AUTHORS", "TITLE"} <= set(chapters.REQUIRED)
    for part in FILES:
        sub = importlib.import_module(f"{module.__name__}.{part}")
        defined = set()
        for node in ast.parse((here / f"{part}.py").read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                defined |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        public = (n for n in defined if not n.startswith("_"))
        lacking = sorted(n for n in public if getattr(module, n, None) is not getattr(sub, n))
        assert not lacking, f"{module.__name__} does not re-export {part}.py's {lacking}"


def test_every_paper_with_numbers_has_a_chapter_and_every_chapter_a_paper():
    from oodlib import paper

    papers = chapters.papers()
    assert list(papers) == [m.PAPER for m in chapters.modules()]                 # the book's order
    assert {p.chapter for p in papers.values()} == set(chapters.by_folder())
    assert set(papers) == set(chapters.by_folder().values()) == set(paper.numbers().paper)


def test_an_unknown_chapter_is_refused_and_the_chapters_named():
    with pytest.raises(UnknownName, match="no chapter 'nope'; chapters: rose, chali, mixture, sr_ood, hierarchy"):
        chapters.get("nope")


@pytest.mark.parametrize("module", chapters.modules(), ids=chapters.folder)
def test_a_pages_chapter_is_found_by_its_folder(module, monkeypatch):
    """Two chapters may define the same name: a page reads its own chapter's, found by the folder in its name."""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)       # Page() replaces it
    assert chapters.get(chapters.folder(module)) is module
    for c in module.CLAIMS:
        p = page.Page(c.page, "smoke", 0)
        assert p.chapter is module and p.sizes is module.SIZES["smoke"] and p.paper == module.PAPER


def test_a_chapter_reads_each_size_at_a_profile():
    assert chapters.sizes_at(rose.SIZES, "cpu").glow_epochs == rose.SIZES["cpu"].glow_epochs
    assert chapters.sizes_at(chali.SIZES, "cpu").chali_n_test == chali.SIZES["cpu"].chali_n_test == 2000
    assert rose.SIZES["paper"].vae_epochs == {"fmnist": 100, "cifar10": 100}      # ROSE App. B.1
    assert chali.SIZES["paper"].realnvp_epochs == {"fmnist": 200, "cifar10": 200}  # Chali §4.1
    for m in chapters.modules():
        assert set(m.SIZES) == set(chapters.PROFILE_NAMES) == {"smoke", "cpu", "paper"}
        assert all(isinstance(s, m.Sizes) for s in m.SIZES.values())
    with pytest.raises(AttributeError, match="glow_epoch"):
        rose.SIZES["cpu"].glow_epoch
    with pytest.raises(UnknownName, match="unknown profile 'gpu'.*smoke, cpu, paper"):
        chapters.sizes_at(rose.SIZES, "gpu")


@pytest.mark.parametrize("module", chapters.modules(), ids=chapters.folder)
def test_every_size_has_a_label_of_its_own(module):
    labels = list(module.FIELD_LABELS.values())
    assert len(labels) == len(set(labels)), "two sizes share a label: the setting tables would merge their rows"


def test_field_lists_and_recipes_are_reached_through_profiles_and_zoo():
    """The compat names that pages, benchmarks and scripts not yet moved to their chapter read (``zoo.trained_vae``,
    ``profiles.OE_FIELDS``) exist and are the chapters' own; there is no lookup by name any more (no module
    ``__getattr__``), so an unknown name is an AttributeError."""
    read = set()
    for folder in ("notebooks", "benchmarks", "scripts"):
        for src in (REPO / folder).rglob("*.py"):
            read |= set(re.findall(r"\b(zoo|profiles)\.([A-Za-z_][A-Za-z_0-9]*)", src.read_text()))
    assert ("zoo", "trained_vae") in read and ("profiles", "OE_FIELDS") in read
    lacking = sorted(f"{m}.{n}" for m, n in read if not hasattr({"zoo": zoo, "profiles": profiles}[m], n))
    assert not lacking, f"read by a page, benchmark or script but gone: {lacking}"
    assert zoo.trained_vae is rose.trained_vae and profiles.OE_FIELDS is rose.OE_FIELDS
    assert chali.CHALI_ALPHA == 2.0
    for module in (zoo, profiles):
        taken = {n: o for n, o in vars(module).items() if not n.startswith("_") and n != "annotations"
                 and getattr(o, "__module__", None) != module.__name__}       # not zoo's own kinds(), fetch(), ...
        for name, obj in taken.items():
            for m in chapters.modules():
                if hasattr(m, name):
                    assert getattr(m, name) is obj, f"{module.__name__}.{name} is not {chapters.folder(m)}.{name}"
    assert not hasattr(zoo, "__getattr__") and not hasattr(profiles, "__getattr__")
    with pytest.raises(AttributeError):
        profiles.NO_SUCH_FIELDS
    with pytest.raises(AttributeError):
        zoo.no_such_recipe


def test_every_kind_is_defined_once_and_its_recipe_matches_the_chapters_own():
    kinds = zoo.kinds()
    assert set(kinds) == (set(rose.MODELS) | set(chali.MODELS) | set(mixture.MODELS) | set(sr_ood.MODELS)
                          | set(hierarchy.MODELS))
    assert len(kinds) == sum(len(m.MODELS) for m in chapters.modules())        # no kind in two chapters
    # the dispatch gives exactly the chapter function's recipe (same cache key)
    assert cache.model_key(*zoo.recipe("width-vae", "fmnist", "smoke", 0, 0.5)) == \
        cache.model_key(*rose.width_vae_recipe("fmnist", "smoke", 0, 0.5))
    assert cache.model_key(*zoo.recipe("realnvp-oneclass", "mnist", "smoke", 0, 3)) == \
        cache.model_key(*chali.realnvp_recipe("mnist", "smoke", 0, alpha=chali.CHALI_ALPHA, classes=[3]))
    assert cache.model_key(*zoo.recipe("realnvp-penalised", "fmnist", "smoke")) == \
        cache.model_key(*chali.realnvp_recipe("fmnist", "smoke", 0, chali.CHALI_ALPHA))
    assert zoo.keeps_snapshots("realnvp", "cifar10") and not zoo.keeps_snapshots("realnvp", "fmnist")
    assert zoo.keeps_snapshots("hier-curve", "cifar10") and not zoo.keeps_snapshots("hier-glow", "cifar10")
    assert zoo.committed_snapshot_epochs("hier-curve", "cpu", "scratch") == hierarchy.CPU_SNAPSHOT_EPOCHS["scratch"]
    assert zoo.committed_snapshot_epochs("realnvp", "cpu") is None
    assert zoo.extra_label("realnvp-alpha", 5.0) == ", α 5" and zoo.extra_label("glow", None) == ""
    with pytest.raises(UnknownName, match="unknown model kind 'gan'"):
        zoo.recipe("gan", "fmnist", "smoke")


def test_a_kind_two_chapters_define_is_an_error(monkeypatch):
    fake = types.SimpleNamespace(__name__="oodlib.chapters.fake", MODELS={"vae": rose.MODELS["vae"]})
    monkeypatch.setattr(chapters, "modules", lambda: (rose, fake))
    with pytest.raises(TypeError, match="model kind 'vae' is defined by two chapters"):
        zoo.kinds()


def test_a_chapter_recipe_refuses_an_unknown_profile():
    with pytest.raises(UnknownName, match="unknown profile 'gpu'.*smoke, cpu, paper"):
        rose.vae_recipe("fmnist", "gpu")


def test_the_claims_are_every_chapters_in_the_books_order():
    ids = [c.id for c in chapters.all_claims()]
    assert ids == [c.id for m in (rose, chali, mixture, sr_ood, hierarchy) for c in m.CLAIMS]
    assert len(set(ids)) == len(ids)


THROWAWAY = {
    "__init__.py": """
        from .claims import CLAIMS
        from .models import MODELS, profile_models
        from .paper import AUTHORS, ORDER, PAPER, TITLE
        from .sizes import FIELD_LABELS, SIZES, Sizes
        """,
    "paper.py": 'PAPER, AUTHORS, TITLE, ORDER = "throwaway", "A. Author", "A throwaway paper", 99\n',
    "sizes.py": """
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class Sizes:
            epochs: int = 100

        SIZES = {"smoke": Sizes(epochs=1), "cpu": Sizes(epochs=5), "paper": Sizes()}
        FIELD_LABELS = {"epochs": "training epochs"}
        """,
    "sets.py": "",
    "models.py": "MODELS = {}\n\n\ndef profile_models(profile):\n    return []\n",
    "pages.py": "",
    "claims.py": "CLAIMS = []\n",
}


def test_adding_a_chapter_is_a_package_of_the_same_files(tmp_path):
    """A chapter is a notebooks folder, a chapter package, _toc entries and the paper's numbers: nothing else names
    it. A throwaway package, put beside the chapters (in a subprocess: the real package stays as it is), is found."""
    (tmp_path / "throwaway").mkdir()
    for name, text in THROWAWAY.items():
        (tmp_path / "throwaway" / name).write_text(textwrap.dedent(text))
    script = f"""
        import oodlib.chapters as ch
        from oodlib.page import Page
        ch.__path__.append({str(tmp_path)!r})
        ch.modules.cache_clear()
        assert [ch.folder(m) for m in ch.modules()][-1] == "throwaway", ch.modules()
        assert ch.papers()["throwaway"] == ("A. Author", "A throwaway paper", "throwaway")
        assert ch.by_folder()["throwaway"] == "throwaway"
        p = Page("throwaway/p1", "smoke", 0)
        assert p.chapter is ch.get("throwaway") and p.sizes.epochs == 1 and p.paper == "throwaway"
        print("ok")
        """
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=REPO, capture_output=True, text=True,
                         check=False, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]
