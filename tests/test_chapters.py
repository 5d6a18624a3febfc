"""The chapter modules (oodlib.chapters): each paper's sizes, recipes and claims in one place, gathered by
profiles, zoo and claims without those modules naming a chapter (issue 14, part 4)."""

import dataclasses
import types
from pathlib import Path

import pytest

from oodlib import cache, chapters, claims, paper, profiles, zoo
from oodlib.chapters import chali, hierarchy, mixture, rose, sr_ood
from oodlib.errors import UnknownName

REPO = Path(__file__).resolve().parents[1]


def test_the_chapters_are_found_in_the_books_order():
    assert [chapters.folder(m) for m in chapters.modules()] == ["rose", "chali", "mixture", "sr_ood", "hierarchy"]
    assert chapters.by_folder() == {"rose": "rose", "chali": "approx_mass", "mixture": "mixture_prior",
                                    "sr_ood": "sr_ood", "hierarchy": "hierarchy"}


@pytest.mark.parametrize("module", chapters.modules(), ids=chapters.folder)
def test_a_chapter_matches_its_paper_its_notebooks_and_its_labels(module):
    folder = chapters.folder(module)
    assert paper.PAPERS[module.PAPER][2] == folder, "oodlib.paper.PAPERS names another chapter folder"
    assert (REPO / "notebooks" / folder).is_dir()
    fields = {f.name for f in dataclasses.fields(module.Sizes)}
    assert fields == set(module.FIELD_LABELS), "every size needs its label on the setting tables"
    for c in module.CLAIMS:
        assert c.paper == module.PAPER and c.page.startswith(folder + "/")
        assert (REPO / "notebooks" / f"{c.page}.py").exists(), f"{c.id}: no page {c.page}"


def test_every_paper_with_a_chapter_folder_has_a_chapter_module():
    with_folder = {ch for _, _, ch in paper.PAPERS.values() if ch}
    assert with_folder == set(chapters.by_folder())


def test_a_profile_reads_each_size_from_its_chapter():
    cpu = profiles.get_profile("cpu")
    assert cpu.glow_epochs == rose.SIZES["cpu"].glow_epochs
    assert cpu.chali_n_test == chali.SIZES["cpu"].chali_n_test == 2000
    assert profiles.PAPER.vae_epochs == {"fmnist": 100, "cifar10": 100}      # ROSE App. B.1
    assert profiles.PAPER.realnvp_epochs == {"fmnist": 200, "cifar10": 200}  # Chali §4.1
    assert set(cpu.fields()) == set(profiles.FIELD_LABELS)
    with pytest.raises(AttributeError, match="no size 'glow_epoch'"):
        cpu.glow_epoch


def test_every_size_has_a_label_of_its_own():
    labels = list(profiles.FIELD_LABELS.values())
    assert len(labels) == len(set(labels)), "two sizes share a label: the setting tables would merge their rows"


def test_a_name_a_chapter_imports_is_not_taken_for_its_own():
    assert chapters.find("TrainConfig") is None and chapters.find("Claim") is None
    assert chapters.find("CHALI_ALPHA") is chali and chapters.find("ID_SET") is None   # mixture imports it


def test_two_chapters_defining_one_size_is_an_error():
    @dataclasses.dataclass(frozen=True)
    class Other:
        glow_epochs: int = 1
    fake = types.SimpleNamespace(__name__="oodlib.chapters.fake", Sizes=Other, FIELD_LABELS={"glow_epochs": "x"})
    with pytest.raises(TypeError, match="glow_epochs.*two chapters"):
        profiles._gather([rose, fake])


def test_field_lists_and_recipes_are_reached_through_profiles_and_zoo():
    assert profiles.GLOW_FIELDS is rose.GLOW_FIELDS and profiles.CHALI_FIELDS is chali.CHALI_FIELDS
    assert zoo.trained_glow is rose.trained_glow and zoo.CHALI_ALPHA == chali.CHALI_ALPHA == 2.0
    with pytest.raises(AttributeError):
        profiles.NO_SUCH_FIELDS
    with pytest.raises(AttributeError):
        zoo.no_such_recipe


def test_every_kind_is_defined_once_and_its_recipe_matches_the_chapters_own():
    kinds = zoo.kinds()
    assert set(kinds) == (set(rose.MODELS) | set(chali.MODELS) | set(mixture.MODELS) | set(sr_ood.MODELS)
                          | set(hierarchy.MODELS))
    assert not set(rose.MODELS) & set(chali.MODELS)
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


def test_a_chapter_recipe_refuses_an_unknown_profile():
    with pytest.raises(UnknownName, match="unknown profile 'gpu'.*smoke, cpu, paper"):
        rose.vae_recipe("fmnist", "gpu")


def test_the_claims_are_every_chapters_in_the_books_order():
    ids = [c.id for c in claims.CLAIMS]
    assert ids == [c.id for m in (rose, chali, mixture, sr_ood, hierarchy) for c in m.CLAIMS]
    assert len(set(ids)) == len(ids)


def test_no_two_chapters_define_the_same_public_name():
    """``zoo.<name>`` finds a recipe or constant by its name in the one chapter that defines it: a public name two
    chapters define (e.g. two ``trained_background_vae``) would make that lookup fail."""
    import itertools

    shared = set(chapters.REQUIRED) | {"PAPER_KEYS"}
    for a, b in itertools.combinations(chapters.modules(), 2):
        both = {n for n in chapters._own_names(a) & chapters._own_names(b) if not n.startswith("_")} - shared
        assert not both, f"{chapters.folder(a)} and {chapters.folder(b)} both define {sorted(both)}"
