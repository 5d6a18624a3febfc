"""The ROSE §5 method line-ups: every scorer of Table 2, fitted on one model, ready to ``evaluate``.

One likelihood pass (IWAE for the VAE, exact for Glow) is shared by NLL, LRatio's model term and both
IC variants (``NLL(memo=True)``).
"""

from __future__ import annotations

import pandas as pd

from .errors import UnknownName
from .evaluate import evaluate
from .profiles import get_profile
from .scores import IC, NLL, ROSE, LikelihoodRegret, LRatio, RNDScore


def rose_vae(vae, id_train, profile: str, seed: int = 0, preconditioner: str = "diag", n_fisher: int | None = None):
    """Return ROSE on the VAE's encoder conv layers (ROSE App. B.1), fitted on ``id_train``."""
    p = get_profile(profile)
    return ROSE(layers=vae.encoder_conv_layers(), preconditioner=preconditioner, n_fisher=n_fisher or p.n_fisher,
                seed=seed).fit(vae, id_train)


def vae_methods(vae, background, id_train, profile: str, seed: int = 0, share_nll: bool = True) -> dict:
    """Return {method: fitted scorer} for ROSE Table 2's VAE half: ROSE, LR(E), NLL, LRatio, IC(png), IC(jp2).

    ``share_nll=False`` gives every scorer its own IWAE pass (to time each method on its own, Fig. 4).
    """
    p = get_profile(profile)

    def nll():
        return NLL(k=p.iwae_k, seed=seed, memo=share_nll).fit(vae)

    shared = nll()
    return {
        "ROSE": rose_vae(vae, id_train, profile, seed),
        "LR(E)": LikelihoodRegret(steps=p.lr_steps, k=p.iwae_k, seed=seed).fit(vae),
        "NLL": shared,
        "LRatio": LRatio(background, k=p.iwae_k, seed=seed, nll=shared if share_nll else nll()).fit(vae),
        "IC(png)": IC("png", nll=shared if share_nll else nll()).fit(vae),
        "IC(jp2)": IC("jp2", nll=shared if share_nll else nll()).fit(vae),
    }


def lratio_methods(vae, backgrounds: dict, profile: str, seed: int = 0, label: str = "LRatio",
                   nll: NLL | None = None) -> dict:
    """Return {"<label>/<name>": LRatio} for each background VAE of ``backgrounds`` ({name: model}), with
    ``oe_iwae_k`` IWAE samples; the VAE's IWAE pass is shared between them (``nll``, or one made here)."""
    p = get_profile(profile)
    shared = nll if nll is not None else NLL(k=p.oe_iwae_k, seed=seed, memo=True).fit(vae)
    return {f"{label}/{n}": LRatio(bg, k=p.oe_iwae_k, seed=seed, nll=shared).fit(vae) for n, bg in backgrounds.items()}


def outlier_exposure_methods(vae, backgrounds: dict, rnds: dict, id_train, profile: str, seed: int = 0) -> dict:
    """Return {method: fitted scorer} of ROSE §3.2 and App. C.4: "LRatio/<perturbation>" for each background VAE
    of ``backgrounds`` ({perturbation name: model}; ``lratio_methods``), "RND/<perturbation>" for each of
    ``rnds``, and ROSE (diagonal, the encoder's conv layers)."""
    out = lratio_methods(vae, backgrounds, profile, seed)
    out |= {f"RND/{n}": RNDScore().fit(rnd) for n, rnd in rnds.items()}
    return out | {"ROSE": rose_vae(vae, id_train, profile, seed)}


GLOW_LAYERS = ("invconv", "full")


def rose_glow(glow, id_train, profile: str, seed: int = 0, layers: str = "invconv"):
    """Return ROSE with the diagonal preconditioner on Glow's invertible 1×1 convolutions (App. B.2), or on
    every convolution with ``layers="full"`` (Table 7), fitted on ``id_train``."""
    if layers not in GLOW_LAYERS:
        raise UnknownName(f"unknown Glow layer set {layers!r}; choose one of: {', '.join(GLOW_LAYERS)}")
    names = glow.invconv_layers() if layers == "invconv" else glow.conv_layers()
    return ROSE(layers=names, preconditioner="diag", n_fisher=get_profile(profile).n_fisher,
                seed=seed).fit(glow, id_train)


def glow_methods(glow, background, id_train, profile: str, seed: int = 0) -> dict:
    """Return {method: fitted scorer} for ROSE Table 2's Glow half: ROSE, LRatio, IC(png), IC(jp2), and NLL
    (which the paper leaves out of Table 2 "due to its relatively poor performance"; §5.1)."""
    shared = NLL(seed=seed, memo=True).fit(glow)
    return {
        "ROSE": rose_glow(glow, id_train, profile, seed),
        "LRatio": LRatio(background, seed=seed, nll=shared).fit(glow),
        "IC(png)": IC("png", nll=shared).fit(glow),
        "IC(jp2)": IC("jp2", nll=shared).fit(glow),
        "NLL": shared,
    }


def subset_sizes(method: str, profile: str) -> dict:
    """Return the ``evaluate`` subset sizes of ``method`` at ``profile`` (LR(E) runs on smaller subsets)."""
    p = get_profile(profile)
    if method == "LR(E)":
        return {"n_id": p.lr_n_id, "n_ood": p.lr_n_ood}
    return {"n_id": p.bench_n_id, "n_ood": p.bench_n_ood}


def fisher_sweep(vae, id_train, id_test, ood_sets: dict, sizes, repeats: int, profile: str, seed: int = 0,
                 overall_each: int = 1000):
    """Return ROSE's "overall" AUROC for each Fisher sample size and repeat (ROSE Fig. 5), one row each.

    Repeat r fits ROSE with seed ``seed + r``: other random training images for the Fisher (and other
    ELBO noise); the test images stay the same.
    """
    rows = []
    for n in sizes:
        for r in range(repeats):
            rose = rose_vae(vae, id_train, profile, seed=seed + r, n_fisher=n)
            ev = evaluate(rose, id_test, ood_sets, overall_members=list(ood_sets), overall_each=overall_each,
                          progress=False)
            rows.append({"n_fisher": n, "repeat": r, "AUROC": ev.table.set_index("ood").loc["overall", "value"]})
    return pd.DataFrame(rows)
