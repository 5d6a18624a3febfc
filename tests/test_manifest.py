"""The committed weights stay reachable: every model the `cpu` pages need resolves to a committed checkpoint.

A change to a recipe (an architecture field, a profile size, a DataSpec or TrainConfig default, the cache key's
payload) changes the model's cache key; without this test the committed weights would be orphaned and the next
`make models` or page run would retrain the model silently. Nothing is trained or loaded here: the recipes are
only hashed (``zoo.recipe`` is what ``zoo.fetch`` trains or loads, ``zoo.profile_models`` what
``python -m oodlib.zoo all`` iterates over).
"""

import json

import pytest

from oodlib import cache, zoo

PROFILE, SEED = "cpu", 0          # what `make models` and the committed pages use


def _label(kind, in_dist, extra) -> str:
    return f"{kind} {in_dist}" + zoo.extra_label(kind, extra)


def _command(kind, in_dist, extra) -> str:
    """The command that retrains and commits this one model."""
    name = zoo.kinds()[kind].extra_name
    flag = f"--{name}" if name else None
    opt = "" if flag is None or extra is None else f" {flag} {extra:g}" if isinstance(extra, float) else f" {flag} {extra}"
    return f"python -m oodlib.zoo {kind} {in_dist} --profile {PROFILE} --seed {SEED}{opt} --promote"


def _flat(recipe: dict) -> dict:
    return {f"{part}.{k}": v for part in ("model", "data", "train") for k, v in recipe.get(part, {}).items()}


def _closest_difference(recipe: dict, manifest: dict) -> str:
    """How ``recipe`` differs from the most similar committed one of the same model kind (a hint for the reader)."""
    new = _flat(recipe)
    same_kind = [(key, _flat(e)) for key, e in manifest.items() if e.get("model", {}).get("kind") == recipe["model"]["kind"]]
    if not same_kind:
        return "no committed model of this kind"
    key, old = min(same_kind, key=lambda ke: sum(ke[1].get(f) != new.get(f) for f in {*ke[1], *new}))
    diff = [f"{f}: {old.get(f, '(absent)')!r} -> {new.get(f, '(absent)')!r}" for f in sorted({*old, *new})
            if old.get(f) != new.get(f)]
    return f"closest committed model {key} ({manifest[key].get('note', '')}) differs in " + ", ".join(diff)


@pytest.fixture(scope="module")
def manifest() -> dict:
    path = cache.manifest_path()
    assert path is not None and path.exists(), f"{path} is missing; restore it with git checkout -- checkpoints"
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def cpu_recipes() -> list[tuple[str, str, str, dict]]:
    """(label, cache key, the command that retrains it, the key's payload) of every model the `cpu` pages need."""
    out = []
    for kind, d, extra in zoo.profile_models(PROFILE):
        if not zoo.kinds()[kind].commits(extra):     # trained when its page runs (ModelKind.committed)
            continue
        model_cfg, spec, tcfg = zoo.recipe(kind, d, PROFILE, SEED, extra)
        payload = {"model": model_cfg.to_dict(), "data": spec.to_dict(), "train": tcfg.to_dict()}
        out.append((_label(kind, d, extra), cache.model_key(model_cfg, spec, tcfg), _command(kind, d, extra), payload))
    return out


def test_every_cpu_recipe_resolves_to_a_committed_checkpoint(manifest, cpu_recipes):
    # The final weights; the per-epoch snapshots of zoo.keeps_snapshots models: the test below.
    problems = []
    for label, key, _, payload in cpu_recipes:
        entry = manifest.get(key)
        if entry is None:
            problems.append(f"{label}: its cache key is now {key}, which checkpoints/manifest.json does not list; "
                            + _closest_difference(payload, manifest))
        elif not (cache.checkpoints_dir() / f"{key}.safetensors").exists():      # where cache.get_trained looks
            problems.append(f"{label}: key {key} is in the manifest but checkpoints/{key}.safetensors is missing "
                            f"(restore it: git checkout -- checkpoints/{key}.safetensors)")
    assert not problems, (
        f"{len(problems)} model(s) of the {PROFILE} profile have no committed weights, so they would be retrained:\n  "
        + "\n  ".join(problems)
        + "\nIf a recipe changed by mistake (a refactor, a new default in a config or a profile), restore it, so "
          "that the key is the committed one again (the manifest entry records the model, data and train dicts "
          "the committed key was hashed from). If the change is meant, retrain and commit each model with "
          "the command below, drop the orphaned manifest entry and its file, and re-execute the pages that use it:\n  "
        + "\n  ".join(command for _, key, command, _ in cpu_recipes if key not in manifest))


def test_every_committed_checkpoint_is_a_cpu_recipe(manifest, cpu_recipes):
    used = {key for _, key, _, _ in cpu_recipes}
    orphans = [f"{key} ({entry.get('note', 'no note')})" for key, entry in sorted(manifest.items()) if key not in used]
    assert not orphans, ("committed checkpoints that no recipe of the cpu profile resolves to (a recipe changed "
                         "and they are orphaned, or they are no longer needed: then delete the file and its "
                         "manifest entry):\n  " + "\n  ".join(orphans))


def test_every_cpu_model_that_keeps_snapshots_has_every_epoch_committed():
    """Chali §3.1 scores the CIFAR-10 RealNVP after every epoch: without committed snapshots the page would retrain
    that model, and CPU training is not bitwise reproducible between runs (the page's numbers would move). A chapter
    may commit some epochs only (``zoo.committed_snapshot_epochs``: Schirrmeister's curves), then exactly those."""
    found = 0
    for kind, d, extra in zoo.profile_models(PROFILE):
        if not zoo.keeps_snapshots(kind, d):
            continue
        found += 1
        model_cfg, spec, tcfg = zoo.recipe(kind, d, PROFILE, SEED, extra)
        key = cache.model_key(model_cfg, spec, tcfg)
        folder = cache.checkpoints_dir() / f"{key}.snapshots"
        assert (folder / "snapshots.json").exists(), f"{kind} {d}: no committed snapshots in {folder}"
        epochs = cache.snapshots(key)
        wanted = zoo.committed_snapshot_epochs(kind, PROFILE, extra) or range(1, tcfg.epochs + 1)
        assert sorted(epochs) == list(wanted) and all(p.parent == folder for p in epochs.values())
        assert all(p.exists() for p in epochs.values()), f"{kind} {d}: a snapshot file listed in {folder} is missing"
    assert found, "no cpu model keeps snapshots: is zoo.keeps_snapshots still asked by Chali §3.1?"
