"""The score cache (oodlib.score_cache): a hit gives the computed scores bit for bit and leaves the random generators
as the computation would; any change of model, scorer, fitted state, code, images or random state misses; writes are
atomic; bad entries are refused; the flags force recomputation or turn the cache off."""

import copy
import json
import math
import random
import threading

import numpy as np
import pytest
import torch

from oodlib import data, score_cache
from oodlib.erosions import Erosion
from oodlib.models import (
    RND,
    VAE,
    Classifier,
    ClassifierConfig,
    Glow,
    GlowConfig,
    RepairConfig,
    RepairNet,
    RNDConfig,
    VAEConfig,
)
from oodlib.score_cache import ScoreCacheWarning
from oodlib.scores import GODIN, IC, NLL, ROSE, SCORERS, DoSE, LikelihoodRegret, LRatio, Scorer, Typicality, make_scorer

CALLS = []        # _score_batch calls of the toy scorers (module level: not part of any scorer's state)


class Gauss(torch.nn.Module):
    """A two-parameter density: independent Gaussian pixels, log p(x) in nats per image."""

    config = None

    def __init__(self, mu: float = 100.0, log_sigma: float = 4.0):
        super().__init__()
        self.mu = torch.nn.Parameter(torch.tensor(mu))
        self.log_sigma = torch.nn.Parameter(torch.tensor(log_sigma))

    def log_prob(self, x):
        z = (x.float() - self.mu) / self.log_sigma.exp()
        return (-0.5 * z ** 2 - self.log_sigma - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)


class NoisyNLL(Scorer):
    """−log p(x) plus noise from the global torch, numpy and random generators (as a careless scorer might)."""

    name = "noisy"

    def _score_batch(self, x):
        CALLS.append(x.shape[0])
        with torch.no_grad():
            noise = torch.rand(x.shape[0]) + float(np.random.rand()) + random.random()
            return -self.model.log_prob(x) + noise


class Counting(NoisyNLL):
    """Changes its own state while scoring, and says nothing: must not be stored."""

    def _score_batch(self, x):
        self.calls = getattr(self, "calls", 0) + 1
        return super()._score_batch(x)


def seed_all(seed=0):
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def images(n=6, channels=1, size=32, seed=0):
    return torch.randint(0, 256, (n, channels, size, size), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    """A private, empty cache folder, the flags unset, the counts at zero."""
    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path))
    for var in ("OODLIB_SCORE_CACHE", "OODLIB_RECOMPUTE_SCORES", "OODLIB_SCORE_CACHE_STATS"):
        monkeypatch.delenv(var, raising=False)
    score_cache.reset_stats()
    CALLS.clear()
    yield tmp_path
    score_cache.reset_stats()


def entries(root):
    return sorted((root / "scores").glob("*/*.pt"))


def counts(**expected):
    got = score_cache.stats()
    return {k: got[k] for k in expected}


# --------------------------------------------------------------------------------------------------- hits
def test_a_hit_returns_the_computed_scores_bit_for_bit(cache_root, tiny_vae):
    x = images()
    torch.manual_seed(0)
    cold = NLL(k=3).fit(tiny_vae).score(x)
    assert counts(misses=1, stored=1, hits=0) == {"misses": 1, "stored": 1, "hits": 0}
    [path] = entries(cache_root)
    assert path.parent.name == path.stem[:2] and len(path.stem) == 64          # scores/<2 hex>/<sha256>.pt
    torch.manual_seed(0)
    warm = NLL(k=3).fit(copy.deepcopy(tiny_vae)).score(x.clone())               # other objects, same contents
    assert score_cache.stats()["hits"] == 1
    assert warm.dtype == cold.dtype and torch.equal(warm, cold)
    with score_cache.disabled():
        torch.manual_seed(0)
        assert torch.equal(NLL(k=3).fit(tiny_vae).score(x), cold)


def tiny_scorers(vae):
    """One fitted scorer of every kind in SCORERS, on tiny untrained models, with images it takes."""
    torch.manual_seed(0)
    x1, train = images(6), images(12, seed=1)
    bg = VAE(VAEConfig(channels=1, base=32, latent=8, width=0.25)).eval()
    clf = Classifier(ClassifierConfig(channels=1, image_size=32, classes=3, width=4, blocks=1)).eval()
    godin = Classifier(ClassifierConfig(channels=1, image_size=32, classes=3, width=4, blocks=1, head="godin")).eval()
    glow = Glow(GlowConfig(channels=1, image_size=32, levels=2, steps=1, hidden=4)).eval()
    labelled = data.ImageSet("toy", "train", train, torch.arange(12) % 3)
    made = {
        "NLL": NLL(k=2).fit(vae), "ROSE": ROSE(n_fisher=8).fit(vae, train), "IC": IC(nll=NLL(k=2)).fit(vae),
        "LRatio": LRatio(bg, k=2).fit(vae), "LR(E)": LikelihoodRegret(steps=2, k=2).fit(vae),
        "approx_mass": make_scorer("approx_mass").fit(glow), "Energy": make_scorer("Energy").fit(clf),
        "Mahalanobis": make_scorer("Mahalanobis").fit(clf, labelled), "G-ODIN": GODIN().fit(godin, train),
        "SR-OOD": make_scorer("SR-OOD", erosion=Erosion("downsample", factor=2), distance="l2").fit(
            RepairNet(RepairConfig(channels=1)).eval()),
        "WAIC": make_scorer("WAIC", k=2).fit([vae, bg]), "TT": Typicality(k=2).fit(vae, train),
        "DoSE": DoSE(k=2).fit(vae, train), "MSP": make_scorer("MSP").fit(clf),
        "MaxLogit": make_scorer("MaxLogit").fit(clf), "Raw": make_scorer("Raw").fit(glow),
        "4x4": make_scorer("4x4").fit(glow), "Diff": make_scorer("Diff", general=bg).fit(glow),
        "p(in | x)": make_scorer("p(in | x)").fit(clf),
        "RND": make_scorer("RND").fit(RND(RNDConfig(channels=1)).eval()),
    }
    assert set(made) == set(SCORERS)
    return made, x1


def test_every_scorer_is_cached_and_a_hit_changes_nothing(cache_root, tiny_vae):
    """For every scorer: computed without the cache, computed and stored, read back: the same bits, the same
    random stream afterwards, one hit, nothing left uncached."""
    made, x = tiny_scorers(tiny_vae)
    for name, scorer in made.items():
        runs = []
        for mode in ("plain", "cold", "warm"):
            score_cache.reset_stats()
            torch.manual_seed(0)
            with score_cache.disabled() if mode == "plain" else score_cache.active():
                s = scorer.score(x)
            runs.append((s, torch.rand(3), score_cache.stats()))
        (plain, r0, _), (cold, r1, st1), (warm, r2, st2) = runs
        assert st1["stored"] == 1 and st1["uncacheable"] == 0, (name, st1, score_cache.uncacheable_reasons())
        assert st2["hits"] == 1 and st2["misses"] == 0, (name, st2)
        assert plain.dtype == cold.dtype == warm.dtype, name
        assert torch.equal(plain, cold) and torch.equal(cold, warm), name
        assert torch.equal(r0, r1) and torch.equal(r1, r2), name


# --------------------------------------------------------------------------------------------------- misses
def _nudge_weights(model):
    with torch.no_grad():
        next(model.parameters()).view(-1)[0] += 1e-3


CHANGES = ["weights", "numerics flag", "config", "pixel", "order", "code", "fitted state", "torch rng"]


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_misses(cache_root, tiny_vae, monkeypatch, change):
    """Typicality (fit scores ID images with its NLL, then score): each change makes the calls it touches miss."""
    x, train = images(), images(12, seed=1)

    def run(model=tiny_vae, k=2, xx=x, fit_on=train, seeds=(0, 0, 0)):
        torch.manual_seed(seeds[0])
        np.random.seed(seeds[1])
        random.seed(seeds[2])
        return Typicality(k=k).fit(model, fit_on).score(xx)

    base = run()
    assert counts(misses=2, hits=0) == {"misses": 2, "hits": 0}
    score_cache.reset_stats()
    with monkeypatch.context() as m:
        if change == "weights":
            model = copy.deepcopy(tiny_vae)
            _nudge_weights(model)
            other = run(model=model)
        elif change == "numerics flag":
            torch.set_float32_matmul_precision("medium")
            try:
                other = run()
            finally:
                torch.set_float32_matmul_precision("highest")
        elif change == "config":
            other = run(k=3)
        elif change == "pixel":
            y = x.clone()
            y[3, 0, 5, 7] ^= 1
            other = run(xx=y)
        elif change == "order":
            other = run(xx=x.flip(0))
        elif change == "code":
            m.setattr(score_cache, "code_digest", lambda extra=(): "a scorer's code changed")
            other = run()
        elif change == "fitted state":                            # Ĥ from other ID images
            other = run(fit_on=images(12, seed=2))
        else:                                                    # torch's state is always in the key
            other = run(seeds=(1, 0, 0))
    st = score_cache.stats()
    fit_hits = change in ("pixel", "order")                       # only the scored images changed: fit's pass hits
    assert (st["hits"], st["misses"]) == ((1, 1) if fit_hits else (0, 2)), (change, st)
    assert other.shape == base.shape
    score_cache.reset_stats()
    assert torch.equal(run(), base) and score_cache.stats()["hits"] == 2      # unchanged: both hit again


def test_the_images_go_in_by_dtype_shape_and_bytes():
    x, d = images(), score_cache.digest_images
    assert d(x) == d(x.clone()) == d(x.contiguous())
    assert len({d(x), d(x.reshape(6, 1, 16, 64)), d(x.to(torch.int16)), d(x.float()), d(x[:5])}) == 5


def test_a_fitted_state_is_part_of_the_key(cache_root, tiny_vae):
    """ROSE fitted on other training images: the same model, images and settings, another Fisher: a miss."""
    x = images()
    a = ROSE(n_fisher=8).fit(tiny_vae, images(8, seed=1)).score(x)
    b = ROSE(n_fisher=8).fit(tiny_vae, images(8, seed=2)).score(x)
    assert counts(misses=2, hits=0) == {"misses": 2, "hits": 0} and not torch.equal(a, b)
    c = ROSE(n_fisher=8).fit(tiny_vae, images(8, seed=1)).score(x)
    assert score_cache.stats()["hits"] == 1 and torch.equal(a, c)


def test_the_code_digest_covers_the_scorers_and_what_they_import_not_the_pages(cache_root):
    names = {f.rsplit("/oodlib/", 1)[-1] for f in score_cache.code_files()}
    for needed in ("scores/base.py", "scores/rose.py", "scores/likelihood.py", "models/vae.py", "gradients.py",
                   "ekfac.py", "erosions.py", "perceptual.py", "units.py", "checks.py"):
        assert needed in names, needed
    for not_needed in ("claims.py", "display.py", "book.py", "score_cache.py"):
        assert not_needed not in names, not_needed
    _, _, files = score_cache.digest_scorer(NoisyNLL().fit(Gauss()))
    assert __file__ in files                  # a scorer or model defined outside oodlib: its file is in the key


# --------------------------------------------------------------------------------------------------- randomness
def test_a_hit_leaves_the_random_generators_as_a_computation_would(cache_root):
    x = images()

    def page():
        seed_all()
        s = NoisyNLL().fit(Gauss()).score(x)
        return s, torch.rand(4), np.random.rand(3), random.random()

    with score_cache.disabled():
        plain = page()
    cold = page()
    warm = page()
    assert counts(misses=1, hits=1) == {"misses": 1, "hits": 1} and CALLS == [6, 6]   # the hit ran nothing
    for a, b in ((plain, cold), (cold, warm)):
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        assert np.array_equal(a[2], b[2]) and a[3] == b[3]
    torch.manual_seed(0)
    assert not torch.equal(torch.rand(4), plain[1])        # the scorer did draw from the global generator


def test_numpy_and_random_states_count_only_where_the_scorer_draws_from_them(cache_root, tiny_vae):
    """They are seeded from the OS in every process: a scorer that does not draw from them hits whatever they are;
    one that draws misses when they differ, and hits when they are as they were."""
    x = images()
    nll, noisy = NLL(k=2).fit(tiny_vae), NoisyNLL().fit(Gauss())
    for seeds in ((0, 0, 0), (0, 1, 0), (0, 0, 1)):
        torch.manual_seed(seeds[0])
        np.random.seed(seeds[1])
        random.seed(seeds[2])
        nll.score(x)
        torch.manual_seed(seeds[0])
        noisy.score(x)
    assert counts(hits=2, misses=4) == {"hits": 2, "misses": 4}          # NLL: 1 miss, 2 hits; noisy: 3 misses
    score_cache.reset_stats()
    seed_all(0)
    noisy.score(x)                                   # the entry was stored at random seed 1: a miss, stored again
    seed_all(0)
    noisy.score(x)                                   # the states it drew from are as stored: a hit
    seed_all(0)
    random.seed(1)
    noisy.score(x)
    assert counts(hits=1, misses=2) == {"hits": 1, "misses": 2}


def test_a_fresh_process_hits(cache_root, tmp_path):
    """Two separate runs of a script that seeds torch only (numpy's and random's seeds come from the OS): the
    second reads every score."""
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "page.py"
    script.write_text(
        "import json, torch\n"
        "from oodlib import score_cache\n"
        "from oodlib.models import VAE, VAEConfig\n"
        "from oodlib.scores import NLL, ROSE\n"
        "torch.manual_seed(0)\n"
        "vae = VAE(VAEConfig(channels=1, base=32, latent=8, width=0.25)).eval()\n"
        "x = torch.randint(0, 256, (6, 1, 32, 32), dtype=torch.uint8)\n"
        "a = NLL(k=2).fit(vae).score(x)\n"
        "b = ROSE(n_fisher=6).fit(vae, x).score(x)\n"
        "print(json.dumps({'stats': score_cache.stats(), 'scores': a.tolist() + b.tolist(),\n"
        "                  'after': torch.rand(2).tolist()}))\n")
    repo = Path(__file__).resolve().parents[1]
    env = {**__import__("os").environ, "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1"}
    runs = [json.loads(subprocess.run([sys.executable, str(script)], env=env, check=True, capture_output=True,
                                      text=True, cwd=repo).stdout.strip().splitlines()[-1]) for _ in range(2)]
    assert runs[0]["stats"]["misses"] == 2 and runs[1]["stats"]["hits"] == 2, runs
    assert runs[0]["scores"] == runs[1]["scores"] and runs[0]["after"] == runs[1]["after"]


def test_a_scorer_that_changes_itself_is_not_stored(cache_root):
    x = images()
    s = Counting().fit(Gauss())
    a = s.score(x)
    assert score_cache.stats()["uncacheable"] == 1 and not entries(cache_root)
    assert "changed the scorer's own state" in score_cache.uncacheable_reasons()["Counting"]
    assert a.shape == (6,)


def test_an_attribute_the_digest_cannot_tell_apart_is_not_cached(cache_root):
    s = NoisyNLL().fit(Gauss())
    s.lock = threading.Lock()
    s.score(images())
    assert score_cache.stats()["uncacheable"] == 1 and not entries(cache_root)
    assert "cannot be told apart" in score_cache.uncacheable_reasons()["NoisyNLL"]


def test_a_shared_memo_replays_on_hits(cache_root, tiny_vae):
    """NLL(memo=True) shared by IC and LRatio: the composites are not stored, the memo's NLL calls are, and a hit
    fills the memo as the computation did, so every later call sees what it saw."""
    x = images(8)
    bg = copy.deepcopy(tiny_vae)
    _nudge_weights(bg)

    def session():
        memo = NLL(k=2, memo=True).fit(tiny_vae)
        ic, lr = IC("png", nll=memo).fit(tiny_vae), LRatio(bg, k=2, nll=memo).fit(tiny_vae)
        out = (memo.score(x[:3]), ic.score(x), lr.score(x[2:]), memo.score(x.flip(0)))
        return out, {k: v.item() for k, v in memo._memo.items()}

    with score_cache.disabled():
        plain = session()
    cold = session()
    assert score_cache.stats()["uncacheable"] == 2              # IC and LRatio: their memo NLL holds state
    score_cache.reset_stats()
    warm = session()
    assert counts(hits=5, misses=0) == {"hits": 5, "misses": 0}  # memo ×4 (x[:3], x, x[2:], x reversed), background
    for a, b in ((plain, cold), (cold, warm)):
        assert all(torch.equal(u, v) for u, v in zip(a[0], b[0]))
        assert a[1] == b[1] and list(a[1]) == list(b[1])      # the memo: same images, scores and order


# --------------------------------------------------------------------------------------------------- storage
def test_an_interrupted_write_leaves_no_file(cache_root, monkeypatch):
    x, s = images(), NoisyNLL().fit(Gauss())

    def interrupted(obj, f, *args, **kwargs):
        with open(f, "wb") as out:
            out.write(b"PK\x03\x04 half an entry")
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(torch, "save", interrupted)
        with pytest.raises(KeyboardInterrupt):
            s.score(x)
    assert not [p for p in (cache_root / "scores").rglob("*") if p.is_file()]

    def disk_full(obj, f, *args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(torch, "save", disk_full)
        with pytest.warns(ScoreCacheWarning, match="could not store"):
            got = s.score(x)
    assert got.shape == (6,) and not [p for p in (cache_root / "scores").rglob("*") if p.is_file()]
    s.score(x)
    assert len(entries(cache_root)) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign key", "wrong length", "pickled object"])
def test_a_bad_entry_is_refused_and_recomputed(cache_root, damage):
    x = images()

    def score():
        seed_all()
        return NoisyNLL().fit(Gauss()).score(x)

    cold = score()
    [path] = entries(cache_root)
    entry = torch.load(path, weights_only=True)
    if damage == "garbage":
        path.write_bytes(b"not a torch file")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "foreign key":
        torch.save({**entry, "key": "0" * 64}, path)
    elif damage == "wrong length":
        torch.save({**entry, "scores": torch.zeros(7)}, path)
    else:
        torch.save(Gauss(), path)                    # an arbitrary pickled object: weights_only refuses it
    score_cache.reset_stats()
    with pytest.warns(ScoreCacheWarning, match="refused"):
        again = score()
    assert torch.equal(again, cold)
    assert counts(refused=1, misses=1, stored=1) == {"refused": 1, "misses": 1, "stored": 1}
    assert torch.equal(score(), cold) and score_cache.stats()["hits"] == 1     # stored again, readable


# --------------------------------------------------------------------------------------------------- flags
def test_forced_recomputation_and_its_check(cache_root, monkeypatch):
    x = images()

    def score():
        seed_all()
        return NoisyNLL().fit(Gauss()).score(x)

    cold = score()
    monkeypatch.setenv("OODLIB_RECOMPUTE_SCORES", "1")
    score_cache.reset_stats()
    assert torch.equal(score(), cold) and CALLS == [6, 6]
    assert counts(hits=0, recomputed=1, stored=1, mismatches=0) == {"hits": 0, "recomputed": 1, "stored": 1,
                                                                     "mismatches": 0}
    [path] = entries(cache_root)                   # a stored entry that the key does not explain
    torch.save({**torch.load(path, weights_only=True), "scores": cold + 1}, path)
    with pytest.warns(ScoreCacheWarning, match="differ from the stored ones"):
        assert torch.equal(score(), cold)
    assert score_cache.stats()["mismatches"] == 1
    monkeypatch.delenv("OODLIB_RECOMPUTE_SCORES")
    with score_cache.recompute():
        score()
    assert len(CALLS) == 4
    assert torch.equal(score(), cold) and len(CALLS) == 4      # the overwritten entry is right again: a hit


def test_the_cache_can_be_turned_off(cache_root, monkeypatch):
    x = images()
    monkeypatch.setenv("OODLIB_SCORE_CACHE", "0")
    s = NoisyNLL().fit(Gauss())
    s.score(x)
    s.score(x)
    assert CALLS == [6, 6] and not (cache_root / "scores").exists()
    assert score_cache.stats() == dict.fromkeys(score_cache.stats(), 0)
    monkeypatch.delenv("OODLIB_SCORE_CACHE")
    with score_cache.disabled():
        s.score(x)
    assert len(CALLS) == 3 and not (cache_root / "scores").exists()


def test_the_counts_go_to_the_file_the_runner_names(cache_root, monkeypatch):
    target = cache_root / "counts.json"
    monkeypatch.setenv("OODLIB_SCORE_CACHE_STATS", str(target))
    s = NoisyNLL().fit(Gauss())
    s.score(images())
    seed_all(123)
    s.score(images())
    seed_all(123)
    s.score(images())
    assert json.loads(target.read_text()) == score_cache.stats()
    assert score_cache.stats()["hits"] == 1 and score_cache.stats()["misses"] == 2
