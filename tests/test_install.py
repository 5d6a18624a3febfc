"""``pip install .`` gives a core that works without the checkout: it imports, trains and scores a model, and no
location points into the repository (issue 26, part 3)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run from a folder outside the checkout, with oodlib only from the installed copy and nothing configured.
PROBE = r"""
import sys
from pathlib import Path

import torch

import oodlib
from oodlib import cache, locations, metrics
from oodlib.models import VAE, VAEConfig
from oodlib.scores import NLL
from oodlib.train import TrainConfig

site, repo = Path(sys.argv[1]), Path(sys.argv[2])
assert Path(oodlib.__file__).resolve().is_relative_to(site), oodlib.__file__
assert locations.checkpoints() is None and locations.results() is None and cache.manifest_path() is None
for place in (locations.cache(), locations.data(), cache.cache_dir()):
    assert not place.resolve().is_relative_to(repo), place

torch.manual_seed(0)
model = VAE(VAEConfig(channels=1, base=4, latent=3)).eval()       # a model of one's own
g = torch.Generator().manual_seed(0)
x_in = torch.randint(0, 64, (12, 1, 32, 32), dtype=torch.uint8, generator=g)
x_out = torch.randint(128, 256, (12, 1, 32, 32), dtype=torch.uint8, generator=g)
nll = NLL(k=2).fit(model)
auroc = metrics.auroc(nll.score(x_in), nll.score(x_out))
assert 0.0 <= auroc <= 1.0

# the model cache without committed weights: trained once into ~/.cache/oodlib, then found there
spec, tcfg = cache.DataSpec("noise", "test", n=16, channels=1), TrainConfig(epochs=1, batch_size=8)
trained = cache.get_trained(VAEConfig(channels=1, base=4, latent=3), spec, tcfg, progress=False)
assert (cache.cache_dir() / f"{trained.cache_key}.safetensors").is_file()
assert cache.cache_dir().resolve().is_relative_to(Path.home().resolve())
assert cache.load_trained(trained.cache_key).cache_key == trained.cache_key

book = sorted(m for m in sys.modules if m.startswith(("oodlib.chapters", "oodlib.book", "oodlib.page")))
assert not book, book
print("ok", auroc)
"""


def test_pip_install_gives_a_core_that_needs_no_checkout(tmp_path):
    """Install a copy of the package's files (pyproject.toml, README.md, oodlib/) with pip (no dependencies, no build
    isolation: offline), check that every module and the package data arrived, and run PROBE outside the checkout,
    with a fresh home and no oodlib variables set."""
    src, site, home, work = tmp_path / "src", tmp_path / "site", tmp_path / "home", tmp_path / "work"
    shutil.copytree(REPO / "oodlib", src / "oodlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    home.mkdir()
    work.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "--target", str(site), str(src)], check=True, cwd=work, capture_output=True, text=True)
    wanted = {p.relative_to(REPO).as_posix() for p in (REPO / "oodlib").rglob("*")
              if p.suffix in (".py", ".csv") and "__pycache__" not in p.parts}
    installed = {p.relative_to(site).as_posix() for p in (site / "oodlib").rglob("*") if p.suffix in (".py", ".csv")}
    assert wanted <= installed, f"pip install . leaves out {sorted(wanted - installed)}"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OODLIB_", "OODBOOK_", "PYTHON"))}
    env.update(HOME=str(home), PYTHONPATH=str(site), OMP_NUM_THREADS="1", OODLIB_PROGRESS="0")
    out = subprocess.run([sys.executable, "-c", PROBE, str(site), str(REPO)], cwd=work, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.startswith("ok"), out.stdout + out.stderr
