"""Shared test setup: a private model cache, the dataset folder beside the repository, and the split of the
suite over processes (``make test`` runs ``pytest -n 2``, pytest-xdist)."""

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    # Smoke models are trained once per test session into a private cache, never into the user's. Under
    # pytest-xdist the controller runs this first and its workers inherit the variable, so all of them share
    # one cache: a smoke model that two pages need is trained once (twice at worst, when both start it at the
    # same moment); every write in oodlib.cache and oodlib.train is a rename of a finished file (oodlib.io).
    os.environ.setdefault("OODLIB_CACHE", tempfile.mkdtemp(prefix="oodlib-test-cache-"))
    os.environ.setdefault("OODLIB_DATA", str(REPO.parent / "shared" / "datasets"))
    # The checkout's committed weights and results tables (oodlib.locations), as the book's runner sets them.
    from oodlib import book

    book.use_checkout()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # One torch thread per worker, or the workers oversubscribe the cores. The notebook kernels a worker
        # starts inherit these variables (oodlib.book.kernel_env copies the environment).
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
        import torch

        torch.set_num_threads(1)


# The smoke executions over ~15 s, slowest first (seconds on an idle 2-core machine, two workers, a fresh clone; pages
# that run on one worker count as one): they start first, the shorter ones after them in collection order, so that
# no long one starts last. Add a new slow page here.
SMOKE_SLOWEST_FIRST = ("rose/s3_2_outlier_exposure.py",           # 40–56 s
                       "rose/c4_perturbations.py",                # 16–53 s (the lower: after §3.2, its models trained)
                       "rose/s5_1_vae_benchmark.py",              # 22–44 s, then §5.2 (17 s), which reads its results
                       "rose/s5_2_efficiency_robustness.py",
                       "sr_ood/s5_2_celeba.py",                   # 29 s
                       "sr_ood/s5_1_cifar10.py",                  # 27 s
                       "chali/s4_3_benchmark.py",                 # 22 s
                       "rose/d_layerwise.py",                     # 22 s
                       "mixture/s5_3_distance.py",                # 21 s
                       "hierarchy/s7_3_seeds.py",                 # 20 s
                       "hierarchy/s2_architectures.py",           # 20 s
                       "mixture/s5_4_complex.py",                 # 20 s
                       "hierarchy/s3_fourier.py",                 # 20 s
                       "mixture/s5_3_two_modes.py",               # 18 s
                       "chali/s4_4_one_class.py")                 # 18 s


def _page(item):
    """The notebook source a smoke execution test runs, or None for any other test."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("src") if callspec is not None and item.get_closest_marker("notebook") else None


def pytest_collection_modifyitems(session, config, items):
    """Run the notebook smoke executions first, the slow ones first: they take most of the time, so none starts last.
    (Under pytest-xdist every worker collects, and orders, the same way; the scheduler below follows this order.)"""
    from oodlib import book

    def rank(item):
        name = str(_page(item).relative_to(book.NOTEBOOKS))
        return SMOKE_SLOWEST_FIRST.index(name) if name in SMOKE_SLOWEST_FIRST else len(SMOKE_SLOWEST_FIRST)

    notebooks = sorted((i for i in items if _page(i) is not None), key=rank)
    items[:] = notebooks + [i for i in items if _page(i) is None]


def _page_groups() -> dict:
    """Return {notebook source relative to notebooks/: group}: pages that read each other's results
    (``results.load_page``) share a group, so that e.g. §5.2 finds §5.1's results on its own worker."""
    from oodlib import book

    parent = {}

    def root(page):
        while parent.setdefault(page, page) != page:
            page = parent[page]
        return page

    names = [str(src.relative_to(book.NOTEBOOKS)) for src in book.sources()]
    for name in names:           # book.reads names a page "rose_s5_1_vae_benchmark" (test_book.py maps it back)
        for dep in book.reads((book.NOTEBOOKS / name).read_text()):
            parent[root(dep.replace("_", "/", 1) + ".py")] = root(name)
    return {name: root(name) for name in names}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (``make test``: ``-n 2``), hand out work units in collection order (the smoke executions
    first): each notebook smoke execution on its own, with the pages whose results it reads (one worker, in
    order: the test executes a page it reads only where that page's results are missing), and every other test
    module whole, so that its module and session fixtures are set up once.

    pytest-xdist's own ``--dist loadgroup`` would do this with ``xdist_group`` marks, but under pytest 9.2 it
    silently ignores them (pytest-xdist issue #1386: it still renames the node ids the old way); this keys the
    grouping on the node id instead. Other ``--dist`` modes than the default ``load`` are left to pytest-xdist.
    """
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    groups = _page_groups()
    config.option.loadscopereorder = False      # the collection order, not the biggest modules first

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path, _, rest = nodeid.partition("::")
            if rest.startswith("test_page_executes_at_smoke_profile[") and rest.endswith("]"):
                page = rest[rest.index("[") + 1:-1]
                return "page:" + groups.get(page, page)
            return path

    return PageScheduling(config, log)


@pytest.fixture(autouse=True)
def _scores_computed(request):
    """Unit tests compute every score: the score cache (oodlib.score_cache) is off in this process, so that a test
    that patches a model or a scorer never reads another test's stored scores. tests/test_score_cache.py tests the
    cache; the smoke executions turn it off too (tests/test_book.py)."""
    if request.path.name == "test_score_cache.py":
        yield
        return
    from oodlib import score_cache

    with score_cache.disabled():
        yield


@pytest.fixture
def tiny_vae():
    """A small untrained VAE (n=8) on 1-channel 32×32 images."""
    import torch

    from oodlib.models import VAE, VAEConfig

    torch.manual_seed(0)
    return VAE(VAEConfig(channels=1, base=32, latent=8, width=0.25)).eval()
