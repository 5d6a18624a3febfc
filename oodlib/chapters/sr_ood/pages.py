"""SR-OOD (Sun et al.): what the chapter's pages compute beyond oodlib's core."""

from __future__ import annotations

import pandas as pd

from ... import data
from ...erosions import VARIANT_METHODS, Erosion, erosion_set
from ...evaluate import evaluate, paired_difference_rows
from ...scores import IC, MSP, NLL, SROOD, WAIC, DoSE, LikelihoodRegret, LRatio, MaxLogit, Typicality
from ...scores.repair import select_erosion
from .. import checkout, rose
from .models import trained_baseline_background_vae, trained_baseline_vaes, trained_type_classifier
from .paper import model_of
from .sets import PAPER_NAMES, STAND_INS, TABLE_OOD, VFLIP


def ood_sets(page, in_dist: str, test: data.ImageSet) -> tuple[dict, list]:
    """Return ({set: ImageSet} of ``in_dist``'s table columns scored here, [missing sets]): a missing set with a
    stand-in here is replaced by it; VFlip is ``test`` flipped upside down (Table II)."""
    n = page.sizes.sr_n_test
    sets, missing = {}, []
    for name in TABLE_OOD[in_dist]:
        if name == VFLIP:
            sets[VFLIP] = data.ImageSet(VFLIP, test.split, data.vflip(test).x, test.y)
            continue
        if not data.is_available(name, "test") and name in STAND_INS:
            missing.append(name)
            name = STAND_INS[name]
        if data.is_available(name, "test"):
            sets[name] = data.load(name, "test", n=n, seed=page.seed, channels=3)
        else:
            missing.append(name)
    return sets, sorted(set(missing))


def choose_erosions(page, repairers: dict, validation: data.ImageSet) -> tuple[dict, pd.DataFrame]:
    """Return ({method: T*}, rows method/erosion/AUROC): each variant's T* is the erosion of its training set with
    the highest AUROC of in-distribution validation images against their jigsaw copies (``select_erosion``)."""

    chosen, rows = {}, []
    for method, model in repairers.items():
        best, aurocs = select_erosion(model, erosion_set(model.config.variant), validation.x, seed=page.seed)
        chosen[method] = best
        rows += [{"method": method, "erosion": label, "proxy AUROC": v, "T*": label == best.label}
                 for label, v in aurocs.items()]
    return chosen, pd.DataFrame(rows)


def sr_ood_scorers(repairers: dict, chosen: dict, distance: str = "lpips", mix_from: int | None = None,
                   train: data.ImageSet | None = None) -> dict:
    """Return {method: fitted SROOD} of each repairer at its T* (style mixing from ``mix_from`` on ``train``)."""

    return {m: SROOD(chosen[m], distance, mix_from).fit(r, train) for m, r in repairers.items()}


def offset_scorers(repairer, side: int) -> dict:
    """Return {"SR-OOD_Inpaint/o": fitted SROOD} with T* a side×side square o px right of the centre, o in OFFSETS
    (Table V)."""

    return {f"{INPAINT}/{o}": SROOD(Erosion("black_out", side=side, offset=(0, o))).fit(repairer) for o in OFFSETS}


def evaluate_all(scorers: dict, test: data.ImageSet, sets: dict, n: dict | None = None, progress: bool = False) -> dict:
    """Return {method: Evaluation} on the same test images; ``n`` = {method: images per set} for slow methods."""

    n = n or {}
    return {m: evaluate(s, test, sets, method=m, progress=progress, n_id=n.get(m), n_ood=n.get(m))
            for m, s in scorers.items()}


def result_rows(page, evs: dict, *, section: str, table: str, in_dist: str, versus=()) -> pd.DataFrame:
    """Return the results rows of every evaluation (one ``page.rows`` call per model; the paper's cells through
    ``PAPER_KEYS``), with the paired ΔAUROC rows
    "A − B" of each (A, B) in ``versus`` (on the images both scored: a subset where B saw fewer)."""

    values = pd.concat([ev.table for ev in evs.values()], ignore_index=True)
    for a, b in versus:
        ea, eb = evs[a], evs[b]
        if len(eb.id_scores) < len(ea.id_scores):
            ea = ea.subset(len(eb.id_scores), min(len(s) for s in eb.ood_scores.values()))
        values = pd.concat([values, paired_difference_rows(ea, eb, seed=page.seed)], ignore_index=True)
    first = values.method.str.split(" − ").str[0].str.split("/").str[0]
    out = []
    for model in dict.fromkeys(first.map(model_of)):
        part = values[first.map(model_of) == model]
        out.append(page.rows(part, section=section, table=table, model=model, in_dist=in_dist, paper_names=PAPER_NAMES))
    return pd.concat(out, ignore_index=True)


def repair_strips(scorer, sets: dict, n: int = 8) -> dict:
    """Return image rows for a figure: per set, its first ``n`` originals, their erosion T*(x) and repair."""
    rows = {}
    for name, s in sets.items():
        x = s.x[:n]
        rows[f"{name}: original"] = x
        rows[f"{name}: eroded ({scorer.erosion.label})"] = scorer.erosion(x)
        rows[f"{name}: repaired"] = scorer.repairs(x)
    return rows


def cifar_baselines(page) -> dict:
    """Return {method: fitted scorer} of Table I's baselines that run here, on the ROSE chapter's CIFAR-10 Glow and
    VAE: Glow (diff to None) = its NLL, Glow (diff to PNG) = NLL − PNG code length (Schirrmeister et al.'s PNG
    "general model", Serrà et al.'s IC(png)), Likelihood Regret and Likelihood (IWAE) on the VAE."""

    k = page.sizes.sr_is_k
    glow, vae = rose.trained_glow("cifar10", page.profile_name, page.seed), rose.trained_vae("cifar10", page.profile_name, page.seed)
    glow_nll = NLL(seed=page.seed, memo=True).fit(glow)
    return {"Glow(diff to None)": glow_nll, "Glow(diff to PNG)": IC("png", nll=glow_nll).fit(glow),
            "Likelihood Regret": LikelihoodRegret(k=k, seed=page.seed).fit(vae), "Likelihood": NLL(k=k, seed=page.seed).fit(vae)}


def celeba_baselines(page, images: dict) -> dict:
    """Return {method: fitted scorer} of Table II's baselines on the CelebA VAEs: WAIC over the ensemble, the
    typicality test (Ĥ on the validation part), LLR (Ren et al., the background VAE), DoSE with a KDE and with a
    one-class SVM (fitted on the training part's statistics)."""

    k = page.sizes.sr_is_k
    vaes = trained_baseline_vaes("celeba", page.profile_name, page.seed)
    background = trained_baseline_background_vae("celeba", page.profile_name, page.seed)
    return {"WAIC": WAIC(k, page.seed).fit(vaes), "TT": Typicality(k, page.seed).fit(vaes[0], images["validation"]),
            "LLR": LRatio(background, k, page.seed).fit(vaes[0]),
            "DoSE_KDE": DoSE("kde", k, page.seed).fit(vaes[0], images["train"]),
            "DoSE_SVM": DoSE("svm", k, page.seed).fit(vaes[0], images["train"])}


def pokemon_baselines(page) -> dict:
    """Return {method: fitted scorer} of Table III's baselines: MSP and MaxLogit on the primary-type classifier."""

    classifier = trained_type_classifier(page.profile_name, page.seed)
    return {"MSP": MSP().fit(classifier), "MaxLogit": MaxLogit().fit(classifier)}


THROUGHPUT_CSV = "srood_throughput.csv"


ROSE_THROUGHPUT_CSV = "ood_throughput.csv"


def throughput_rows() -> pd.DataFrame:
    """Return the scoring throughput of SR-OOD's variants (``benchmarks/srood_throughput.py``) beside ROSE's and
    Likelihood Regret's on ROSE's CIFAR-10 VAE (``benchmarks/ood_throughput.csv``): model, method, images/s."""
    folder = checkout.BENCHMARKS
    for name in (THROUGHPUT_CSV, ROSE_THROUGHPUT_CSV):
        if not (folder / name).exists():
            raise FileNotFoundError(f"benchmarks/{name} is missing; run `make bench` (or its script) on an idle machine")
    ours = pd.read_csv(folder / THROUGHPUT_CSV)
    rose = pd.read_csv(folder / ROSE_THROUGHPUT_CSV)
    rose = rose[(rose.model == "VAE cifar10") & rose.method.isin(["ROSE", "LR(E)"])]
    both = pd.concat([ours[~ours.method.str.startswith("train")], rose], ignore_index=True)
    return both[["model", "method", "images", "images_per_s"]].rename(columns={"images_per_s": "images / s"})


SR, INPAINT, REC = VARIANT_METHODS["sr"], VARIANT_METHODS["inpaint"], VARIANT_METHODS["rec"]


TABLE1_METHODS = ("Glow(diff to None)", "Glow(diff to PNG)", "Likelihood Regret", "Likelihood", REC, INPAINT, SR)


TABLE2_METHODS = ("WAIC", "TT", "LLR", "DoSE_KDE", "DoSE_SVM", REC, INPAINT, SR)


TABLE3_METHODS = ("MSP", "MaxLogit", REC, INPAINT, SR)


DISTANCE_NAMES = {"l2": "L2", "l2+lpips": "L2+LPIPS", "lpips": "LPIPS"}     # Table IV's columns


OFFSETS = (8, 4, 0)                                                        # Table V's columns, px to the right


MISSING_T1 = ("svhn", "isun", "lsun", "dtd")      # Table I's columns: missing here, or only a stand-in / a part
