"""ROSE (Choi et al.): what the chapter's pages compute beyond oodlib's core."""

from __future__ import annotations

import pandas as pd

from ... import display, sweeps
from ...errors import UnknownName
from ...evaluate import evaluate
from ...scores import IC, NLL, ROSE, LikelihoodRegret, LRatio, RNDScore
from .models import OE_L2
from .sets import BRIGHTNESS_TABLES, ROW_NAMES

OE_L2_DETECTOR = f"LRatio λ={OE_L2:g}"


def brightness_sets(images: dict, factors=sweeps.FACTORS) -> dict:
    """Return {"celeba@0.2x": CelebA at 0.2× brightness, …} for every set of ``images`` ({name: ImageSet})."""
    return {f"{name}@{k}": s for name, imgs in images.items() for k, s in sweeps.brightened(imgs, factors).items()}


def _sweep(ev, ood: str) -> dict:
    return {k: ev.ood_scores[f"{ood}@{k}"] for k in map(sweeps.factor_label, sweeps.FACTORS)}


def brightness_rows(evals: dict, table: str, seed: int = 0) -> pd.DataFrame:
    """Return our values of ``table`` (Table 1, 8 or 9; ``evals``: {method: Evaluation} of
    ``outlier_exposure_methods`` on ``brightness_sets``): per LRatio and RND row of the table and
    ROSE, the AUROC at each brightness, the row's mean and std, and ROSE's std minus each other row's with its
    95% paired bootstrap interval (``sweeps.std_difference_rows``: what the §3.2 claim reads)."""
    ood, names = BRIGHTNESS_TABLES[table]
    rows = [(f"{detector}/{ROW_NAMES[n]}", evals[f"{detector}/{n}"]) for detector in ("LRatio", "RND") for n in names]
    rose = evals["ROSE"]
    out = [sweeps.sweep_rows(label, ev.id_scores, _sweep(ev, ood), ood) for label, ev in rows + [("ROSE", rose)]]
    out += [sweeps.std_difference_rows("ROSE", rose.id_scores, _sweep(rose, ood), label, ev.id_scores, _sweep(ev, ood),
                                       ood, seed=seed) for label, ev in rows]
    return pd.concat(out, ignore_index=True)


def l2_rows(evals: dict, table: str = "Table 1", seed: int = 0) -> pd.DataFrame:
    """Return App. B.3's comparison of λ = 0 with λ = ``OE_L2`` on ``table``'s OOD set (``evals``: {method:
    Evaluation} holding "LRatio/<name>" and "LRatio λ=10/<name>" for the table's perturbations): the λ = 10 rows as
    ``brightness_rows`` gives the λ = 0 ones, and each λ = 0 row's Mean minus its λ = 10 row's with the 95% paired
    bootstrap interval (the same CIFAR-10 and OOD images redrawn for both: what the claim ``rose-b3-lambda`` reads)."""
    ood, names = BRIGHTNESS_TABLES[table]
    out = []
    for n in names:
        zero, ten = evals[f"LRatio/{n}"], evals[f"{OE_L2_DETECTOR}/{n}"]
        label, label_l2 = f"LRatio/{ROW_NAMES[n]}", f"{OE_L2_DETECTOR}/{ROW_NAMES[n]}"
        out.append(sweeps.sweep_rows(label_l2, ten.id_scores, _sweep(ten, ood), ood))
        out.append(sweeps.sweep_difference_rows(label, zero.id_scores, _sweep(zero, ood), label_l2, ten.id_scores,
                                                _sweep(ten, ood), ood, "Mean", seed=seed))
    return pd.concat(out, ignore_index=True)


def brightness_view(table: pd.DataFrame, caption: str, columns=None):
    """Return the rows of one brightness table as the paper lays it out: a row per detector and perturbation, a
    column per brightness, then Mean and Std (or only ``columns``, e.g. half of them, to fit the page); cells
    "ours (paper)"."""
    t = table[table.metric == "AUROC"].copy()
    head, _, tail = zip(*(m.partition("/") for m in t.method))
    t["detector"] = head
    t["perturbation"] = [v.split("; ")[0] if "; " in v else "" for v in tail]
    t["brightness"] = [v.split("; ")[-1] for v in tail]
    if columns is not None:
        t = t[t.brightness.isin(columns)]
    return display.paper_vs_ours(t, caption, rows=("detector", "perturbation"), columns=("brightness",), stand_ins={})


def brightness_curves(table: pd.DataFrame, name: str) -> dict:
    """Return {row label ("LRatio/SVD", "ROSE"): (brightness factors, AUROCs)} of brightness table ``name`` in
    results rows ``table``: ``plots.curves``' lines."""
    t = table[(table.table == name) & (table.metric == "AUROC")]
    out = {}
    for method, value in zip(t.method, t.value):
        label, _, column = method.rpartition("; ") if "; " in method else method.rpartition("/")
        if column in ("Mean", "Std"):
            continue
        xs, ys = out.setdefault(label, ([], []))
        xs.append(float(column.rstrip("x")))
        ys.append(value)
    return out


def perturbation_ranges(table: pd.DataFrame, tables=("Table 10", "Table 11")) -> pd.DataFrame:
    """Return, per OOD set (rows) and per table of ``tables`` (Tables 10, 11: a column per perturbation), the range
    of our AUROCs over the perturbations, and the perturbations giving the highest and the lowest."""
    out = {}
    for name in tables:
        t = table[(table.table == name) & (table.metric == "AUROC")]
        detector = t.method.iloc[0].split("/")[0] if len(t) else name
        for ood, g in t.groupby("ood", sort=False):
            best, worst = g.loc[g.value.idxmax()], g.loc[g.value.idxmin()]
            row = out.setdefault(ood, {})
            row[f"{detector}: range"] = best.value - worst.value
            row[f"{detector}: best"] = f"{best.method.split('/')[1]} ({best.value:.3f})"
            row[f"{detector}: worst"] = f"{worst.method.split('/')[1]} ({worst.value:.3f})"
    return pd.DataFrame(out).T


# ----------------------------------------------------------------------------------------------------
# The ROSE §5 method line-ups: every scorer of Table 2, fitted on one model, ready to ``evaluate``.
#
# One likelihood pass (IWAE for the VAE, exact for Glow) is shared by NLL, LRatio's model term and both
# IC variants (``NLL(memo=True)``).


def rose_vae(page, vae, id_train, preconditioner: str = "diag", n_fisher: int | None = None,
             seed: int | None = None):
    """Return ROSE on the VAE's encoder conv layers (ROSE App. B.1), fitted on ``id_train`` (``seed``: the draw of its
    Fisher images; default the page's)."""
    p = page.sizes
    return ROSE(layers=vae.encoder_conv_layers(), preconditioner=preconditioner, n_fisher=n_fisher or p.n_fisher,
                seed=page.seed if seed is None else seed).fit(vae, id_train)


def vae_methods(page, vae, background, id_train, share_nll: bool = True) -> dict:
    """Return {method: fitted scorer} for ROSE Table 2's VAE half: ROSE, LR(E), NLL, LRatio, IC(png), IC(jp2).

    ``share_nll=False`` gives every scorer its own IWAE pass (to time each method on its own, Fig. 4).
    """
    p = page.sizes

    def nll():
        return NLL(k=p.iwae_k, seed=page.seed, memo=share_nll).fit(vae)

    shared = nll()
    return {
        "ROSE": rose_vae(page, vae, id_train),
        "LR(E)": LikelihoodRegret(steps=p.lr_steps, k=p.iwae_k, seed=page.seed).fit(vae),
        "NLL": shared,
        "LRatio": LRatio(background, k=p.iwae_k, seed=page.seed, nll=shared if share_nll else nll()).fit(vae),
        "IC(png)": IC("png", nll=shared if share_nll else nll()).fit(vae),
        "IC(jp2)": IC("jp2", nll=shared if share_nll else nll()).fit(vae),
    }


def lratio_methods(page, vae, backgrounds: dict, label: str = "LRatio", nll: NLL | None = None) -> dict:
    """Return {"<label>/<name>": LRatio} for each background VAE of ``backgrounds`` ({name: model}), with
    ``oe_iwae_k`` IWAE samples; the VAE's IWAE pass is shared between them (``nll``, or one made here)."""
    p = page.sizes
    shared = nll if nll is not None else NLL(k=p.oe_iwae_k, seed=page.seed, memo=True).fit(vae)
    return {f"{label}/{n}": LRatio(bg, k=p.oe_iwae_k, seed=page.seed, nll=shared).fit(vae) for n, bg in backgrounds.items()}


def outlier_exposure_methods(page, vae, backgrounds: dict, rnds: dict, id_train) -> dict:
    """Return {method: fitted scorer} of ROSE §3.2 and App. C.4: "LRatio/<perturbation>" for each background VAE
    of ``backgrounds`` ({perturbation name: model}; ``lratio_methods``), "RND/<perturbation>" for each of
    ``rnds``, and ROSE (diagonal, the encoder's conv layers)."""
    out = lratio_methods(page, vae, backgrounds)
    out |= {f"RND/{n}": RNDScore().fit(rnd) for n, rnd in rnds.items()}
    return out | {"ROSE": rose_vae(page, vae, id_train)}


GLOW_LAYERS = ("invconv", "full")


def rose_glow(page, glow, id_train, layers: str = "invconv"):
    """Return ROSE with the diagonal preconditioner on Glow's invertible 1×1 convolutions (App. B.2), or on
    every convolution with ``layers="full"`` (Table 7), fitted on ``id_train``."""
    if layers not in GLOW_LAYERS:
        raise UnknownName(f"unknown Glow layer set {layers!r}; choose one of: {', '.join(GLOW_LAYERS)}")
    names = glow.invconv_layers() if layers == "invconv" else glow.conv_layers()
    return ROSE(layers=names, preconditioner="diag", n_fisher=page.sizes.n_fisher,
                seed=page.seed).fit(glow, id_train)


def glow_methods(page, glow, background, id_train) -> dict:
    """Return {method: fitted scorer} for ROSE Table 2's Glow half: ROSE, LRatio, IC(png), IC(jp2), and NLL
    (which the paper leaves out of Table 2 "due to its relatively poor performance"; §5.1)."""
    shared = NLL(seed=page.seed, memo=True).fit(glow)
    return {
        "ROSE": rose_glow(page, glow, id_train),
        "LRatio": LRatio(background, seed=page.seed, nll=shared).fit(glow),
        "IC(png)": IC("png", nll=shared).fit(glow),
        "IC(jp2)": IC("jp2", nll=shared).fit(glow),
        "NLL": shared,
    }


def subset_sizes(page, method: str) -> dict:
    """Return the ``evaluate`` subset sizes of ``method`` at the page's profile (LR(E) runs on smaller subsets)."""
    p = page.sizes
    if method == "LR(E)":
        return {"n_id": p.lr_n_id, "n_ood": p.lr_n_ood}
    return {"n_id": p.bench_n_id, "n_ood": p.bench_n_ood}


def fisher_sweep(page, vae, id_train, id_test, ood_sets: dict, sizes, repeats: int, overall_each: int = 1000):
    """Return ROSE's "overall" AUROC for each Fisher sample size and repeat (ROSE Fig. 5), one row each.

    Repeat r fits ROSE with seed ``seed + r``: other random training images for the Fisher (and other
    ELBO noise); the test images stay the same.
    """
    rows = []
    for n in sizes:
        for r in range(repeats):
            rose = rose_vae(page, vae, id_train, n_fisher=n, seed=page.seed + r)
            ev = evaluate(rose, id_test, ood_sets, overall_members=list(ood_sets), overall_each=overall_each,
                          progress=False)
            rows.append({"n_fisher": n, "repeat": r, "AUROC": ev.table.set_index("ood").loc["overall", "value"]})
    return pd.DataFrame(rows)
