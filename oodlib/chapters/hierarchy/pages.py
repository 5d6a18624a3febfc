"""Hierarchies of distributions (Schirrmeister et al.): what the chapter's pages compute beyond oodlib's core."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

from ... import data, display, paper, results
from ...cache import load_snapshot, snapshots
from ...claims import SEED_STD
from ...data.halves import GENERAL_NAME as GENERAL
from ...data.loading import _read_raw
from ...errors import UnknownName
from ...evaluate import evaluate
from ...fourier import mix_amplitude_phase, mixing_pairs
from ...progress import progress_bar
from ...scores import InDistributionProbability, LastScale, LikelihoodDiff, RawLikelihood
from ...scores.complexity import code_length_bits
from .models import (
    CURVES,
    hier_glow_recipe,
    split_variant,
    trained_binary_classifier,
    trained_dagger,
    trained_dense,
    trained_general,
    trained_hier_glow,
    trained_local,
)
from .paper import PAPER, _paper_cell
from .sets import HIER_SHOWN_FOR, HIER_STAND_INS, IN_DIST, NO_OUTLIER_LOSS, SETTINGS, TABLE_S2_OOD, TABLE_S3_OOD


def general_make_up() -> pd.DataFrame:
    """Return the general set's make-up: per source set, its images in the general half and in the evaluation half,
    with the total beside the paper's 1,000,000 Tiny Images (S5.1)."""

    t = pd.DataFrame(data.halves.make_up(_read_raw), columns=["set", "general half", "evaluation half"])
    t = t.set_index("set")
    t.loc["total"] = t.sum()
    t = t.map(lambda v: f"{v:,}")
    t.loc["paper: 80 Million Tiny Images subset"] = ["1,000,000", "—"]
    return t


def hier_test_images(page) -> data.ImageSet:
    """Return the CIFAR-10 test images every comparison scores (the first hi_n_test of the seeded draw)."""
    return data.load(IN_DIST, "test", n=page.sizes.hi_n_test, seed=page.seed, channels=3)


def hier_ood_sets(page, names) -> tuple[dict, list]:
    """Return ({set: ImageSet}, [missing sets]) of ``names``: a part of the general set is scored on its evaluation
    half only (``data.evaluation_half``); a missing set with a stand-in here is replaced by it."""
    parts, n = dict(data.halves.GENERAL_PARTS), page.sizes.hi_n_ood
    sets, missing = {}, []
    for name in names:
        if not data.is_available(name, parts.get(name, "test")) and name in HIER_STAND_INS:
            missing.append(name)
            name = HIER_STAND_INS[name]
        if name in parts:
            sets[name] = data.evaluation_half(name, n=n)
        elif data.is_available(name, "test"):
            sets[name] = data.load(name, "test", n=n, seed=page.seed, channels=3)
        else:
            missing.append(name)
    return sets, sorted(set(missing))


def setting_scorers(page, setting: str, k: int, progress: bool = False) -> dict:
    """Return {method: fitted scorer} of one column block of Table S2 at training seed k: the CIFAR-10 Glow with the
    outlier loss (``setting`` Unsupervised or Supervised) scored by its raw likelihood, its last scale (4x4), Diff to
    the general Glow, Diff† (to the general Glow trained with CIFAR-10 as outliers) and Diff to PNG; or, for
    ``setting`` = NO_OUTLIER_LOSS, the Glow finetuned without it (no Diff†). Methods are named "score/setting"."""

    general = trained_general(page.profile_name, page.seed, progress)
    if setting == NO_OUTLIER_LOSS:
        model, dagger = trained_hier_glow(page.profile_name, f"finetune@{k}", page.seed, progress), None
    elif setting in SETTINGS:
        sup = setting == "Supervised"
        model = trained_hier_glow(page.profile_name, f"{'outlier-sup' if sup else 'outlier'}@{k}", page.seed, progress)
        dagger = trained_dagger(page.profile_name, f"{'sup' if sup else 'unsup'}@{k}", page.seed, progress)
    else:
        raise UnknownName(f"unknown setting {setting!r}; use {', '.join(SETTINGS)} or {NO_OUTLIER_LOSS!r}")
    scorers = {"Raw": RawLikelihood(), "4x4": LastScale(), "Diff": LikelihoodDiff(general)}
    if dagger is not None:
        scorers["Diff†"] = LikelihoodDiff(dagger)
    scorers["Diff to PNG"] = LikelihoodDiff("png")
    return {f"{m}/{setting}": s.fit(model) for m, s in scorers.items()}


def seed_aurocs(page, sets: dict, settings=(*SETTINGS, NO_OUTLIER_LOSS), progress: bool = False) -> pd.DataFrame:
    """Return the AUROC of every method of ``settings`` on every set of ``sets`` at every training seed: rows
    training_seed, ood, method, value."""

    test = hier_test_images(page)
    rows = []
    for k in range(page.sizes.hi_seeds):
        for setting in settings:
            for method, scorer in setting_scorers(page, setting, k, progress).items():
                ev = evaluate(scorer, test, sets, method=method, progress=progress)
                t = ev.table[ev.table.metric == "AUROC"]
                rows += [{"training_seed": page.seed + k, "ood": r.ood, "method": method, "value": r.value}
                         for r in t.itertuples()]
    return pd.DataFrame(rows)


def over_seeds(aurocs: pd.DataFrame) -> pd.DataFrame:
    """Return the mean and standard deviation (ddof 1, as the paper's "(std)") over training seeds of ``seed_aurocs``
    rows, as rows ood, method, metric ("AUROC", "AUROC std"), value."""
    g = aurocs.groupby(["ood", "method"], sort=False).value
    mean = g.mean().reset_index().assign(metric="AUROC")
    std = g.std(ddof=1).reset_index().assign(metric=SEED_STD.format(metric="AUROC"))
    return pd.concat([mean, std], ignore_index=True)[["ood", "method", "metric", "value"]]


def seed_table(table: pd.DataFrame, caption: str):
    """Return a results table as "mean ± std (paper mean ± std)" cells: methods as rows, OOD sets as columns."""

    numbers = paper.numbers()
    quoted = numbers[(numbers.paper == PAPER) & (numbers.metric == "AUROC")]
    mean, std = table[table.metric == "AUROC"], table[table.metric == SEED_STD.format(metric="AUROC")]
    cells = []
    for r in mean.itertuples():
        s = std[(std.ood == r.ood) & (std.method == r.method)].value
        shown_for, keys = HIER_SHOWN_FOR.get(r.ood, r.ood), _paper_cell(results.paper_table_of(r.table), r)
        q = quoted[(quoted.table == results.paper_table_of(r.table)) & (quoted.ood == shown_for)
                   & (quoted.method == keys["method"]) & (quoted.variant == keys["variant"])]
        theirs = f" ({'' if shown_for == r.ood else shown_for + ': '}{q.value.iloc[0]:.3f} ± {q['std'].iloc[0]:.3f})" \
            if len(q) else ""
        ood = r.ood if shown_for == r.ood else f"{r.ood} (for {shown_for})"
        cells.append({"method": r.method, "ood": ood,
                      "cell": f"{r.value:.3f} ± {s.iloc[0]:.3f}{theirs}" if len(s) else f"{r.value:.3f}{theirs}"})
    wide = pd.DataFrame(cells).pivot_table(index="method", columns="ood", values="cell", aggfunc="first", sort=False)
    wide.columns.name = None
    return wide.style.set_caption(caption).set_table_styles(display.CAPTION_STYLE)


FOURIER = "Fourier mix"


def fourier_rows(page, model, sets: dict) -> tuple[pd.DataFrame, dict]:
    """Return (rows ood, method, metric, value; example images) of S3: each set's images mixed with a seeded
    derangement of themselves (amplitudes of one, phases of another), and the Spearman correlation of the mixed
    images' log-likelihoods (noise-free) with the amplitude images' ("Fourier mix/amplitude") and with the phase
    images' ("Fourier mix/phase")."""


    raw = RawLikelihood().fit(model)
    rows, examples = [], {}
    for name, images in sets.items():
        amplitude, phase = mixing_pairs(images.x, page.seed)
        mixed = mix_amplitude_phase(amplitude, phase)
        ll = {k: -raw.score(v).numpy() for k, v in (("mixed", mixed), ("amplitude", amplitude), ("phase", phase))}
        for source in ("amplitude", "phase"):
            rows.append({"ood": name, "method": f"{FOURIER}/{source}", "metric": "spearman",
                         "value": float(spearmanr(ll["mixed"], ll[source]).statistic)})
        examples[name] = {"amplitude image": amplitude[:8], "phase image": phase[:8], "result": mixed[:8]}
    return pd.DataFrame(rows), examples


TABLE_S1 = {"Tiny": "general", "Retr": "scratch", "Finet": "finetune@0"}    # Table S1's columns: our models


def bits_per_dim_rows(page) -> pd.DataFrame:
    """Return Table S1's cells on CIFAR-10's test images: bits/dim (one uniform dequantisation sample per image, as
    the supplement's) of the general Glow ("Tiny"), the Glow trained from scratch ("Retr") and the one finetuned
    from the general Glow ("Finet"), and the difference Finet − Retr."""
    test = hier_test_images(page)
    bpd = {}
    for column, variant in TABLE_S1.items():
        model = trained_general(page.profile_name, page.seed) if variant == "general" else trained_hier_glow(page.profile_name, variant, page.seed)
        bpd[column] = model.bits_per_dim(test.x, noise=True, seed=page.seed)
    rows = [{"ood": "", "method": c, "metric": "bpd", "value": v} for c, v in bpd.items()]
    rows.append({"ood": "", "method": "Finet − Retr", "metric": "bpd difference", "value": bpd["Finet"] - bpd["Retr"]})
    return pd.DataFrame(rows)


def curve_sets(page) -> dict:
    """Return the OOD sets the training curves score (those of Tables S2 and S3 that are here)."""
    return hier_ood_sets(page, (*TABLE_S2_OOD, *TABLE_S3_OOD))[0]


def training_curves(page, progress: bool = False) -> pd.DataFrame:
    """Return, for every epoch's weights kept of the curve Glows (CURVES; the last epoch's are the model's own), the
    test images' bits/dim (one noise sample) and the AUROC of Diff to the general Glow on each of ``curve_sets`` and
    their mean: rows model, epoch, metric, ood, value. "own" (Fig. S4) continues "scratch" for as many epochs again:
    its last epoch only, numbered after scratch's."""

    test, sets, general = hier_test_images(page), curve_sets(page), trained_general(page.profile_name, page.seed)
    rows, epochs = [], page.sizes.hi_epochs
    for variant in (*CURVES, "own"):
        model = trained_hier_glow(page.profile_name, variant, page.seed, progress)
        config = hier_glow_recipe(IN_DIST, page.profile_name, page.seed, variant)[0]
        name = split_variant(variant)[0]
        weights = {k: path for k, path in snapshots(model.cache_key).items() if k < epochs} if name != "own" else {}
        kept = [(k, functools.partial(load_snapshot, config, path)) for k, path in sorted(weights.items())]
        kept.append((2 * epochs if name == "own" else epochs, lambda m=model: m))
        for at, load in progress_bar(kept, enabled=progress, desc=name):
            snap = load()
            rows.append({"model": name, "epoch": at, "metric": "bpd", "ood": IN_DIST,
                         "value": snap.bits_per_dim(test.x, noise=True, seed=page.seed)})
            ev = evaluate(LikelihoodDiff(general).fit(snap), test, sets, method="Diff")
            aurocs = ev.table[ev.table.metric == "AUROC"]
            rows += [{"model": name, "epoch": at, "metric": "AUROC", "ood": r.ood, "value": r.value}
                     for r in aurocs.itertuples()]
            rows.append({"model": name, "epoch": at, "metric": "AUROC", "ood": "mean", "value": aurocs.value.mean()})
    return pd.DataFrame(rows)


def first_epoch_beating(curves: pd.DataFrame, metric: str, ood: str, lower_is_better: bool) -> float:
    """Return the percentage of the training epochs after which the finetuned Glow first matches the from-scratch
    Glow's final ``metric`` (Figs. S2–S3: "after less than 20% of the training epochs"); over 100 if never."""
    part = curves[(curves.metric == metric) & (curves.ood == ood)]
    scratch = part[part.model == "scratch"].sort_values("epoch")
    tuned = part[part.model == "finetune"].sort_values("epoch")
    final = scratch.value.iloc[-1]
    better = tuned.value <= final if lower_is_better else tuned.value >= final
    epochs = int(tuned.epoch.max())          # the last epoch's weights are always kept, however few others are
    return 100.0 * (float(tuned.epoch[better].iloc[0]) if better.any() else epochs + 1.0) / epochs


def curve_rows(curves: pd.DataFrame) -> pd.DataFrame:
    """Return the rows Figs. S2–S3's claims read: the fraction of epochs the finetuned Glow needs to match the final
    from-scratch Glow in bits/dim (Fig. S3) and in mean Diff AUROC (Fig. S2), and the final AUROCs of Fig. S4."""
    fraction = "fraction_of_epochs_to_beat_scratch"
    rows = [{"table": "Fig S3", "ood": "", "method": "finetuned vs from scratch", "metric": fraction,
             "value": first_epoch_beating(curves, "bpd", IN_DIST, True)},
            {"table": "Fig S2", "ood": "", "method": "Diff/finetuned vs from scratch", "metric": fraction,
             "value": first_epoch_beating(curves, "AUROC", "mean", False)}]
    final = curves[(curves.metric == "AUROC") & (curves.ood == "mean")]
    last = {m: g.sort_values("epoch").value.iloc[-1] for m, g in final.groupby("model")}
    rows.append({"table": "Fig S4", "ood": "", "method": "Diff/finetuned from Tiny vs finetuned from own model",
                 "metric": "AUROC_gain", "value": last["finetune"] - last["own"]})
    return pd.DataFrame(rows)


def figure_rows(page, rows: pd.DataFrame, section: str) -> pd.DataFrame:
    """Return ``curve_rows`` as results rows, one table (figure) at a time."""
    return pd.concat([page.rows(g.drop(columns="table"), section=section, table=t, model="Glow", in_dist=IN_DIST)
                      for t, g in rows.groupby("table", sort=False)], ignore_index=True)


ARCHITECTURES = {"local 8×8 Glow": "local", "fully connected Glow": "dense"}


def architecture_rows(page, sets: dict) -> pd.DataFrame:
    """Return S2's comparison: on CIFAR-10's test images and each OOD set, the Spearman correlation of the local and
    fully connected Glows' log-likelihoods with the full Glow's (the from-scratch one: all three trained alike), over
    each set and over all sets pooled, and every model's raw-likelihood AUROC. Rows model, ood, method, metric,
    value."""


    test = hier_test_images(page)
    models = {"full Glow": trained_hier_glow(page.profile_name, "scratch", page.seed), "local 8×8 Glow": trained_local(page.profile_name, page.seed),
              "fully connected Glow": trained_dense(page.profile_name, page.seed)}
    everything = {IN_DIST: test, **sets}
    ll = {m: {k: -RawLikelihood().fit(model).score(v.x).numpy() for k, v in everything.items()}
          for m, model in models.items()}
    rows = []
    for m in ARCHITECTURES:
        for k in everything:
            rows.append({"model": m, "ood": k, "method": "vs full Glow", "metric": "spearman",
                         "value": float(spearmanr(ll[m][k], ll["full Glow"][k]).statistic)})
        pooled = [np.concatenate([ll[name][k] for k in everything]) for name in (m, "full Glow")]
        rows.append({"model": m, "ood": "all pooled", "method": "vs full Glow", "metric": "spearman",
                     "value": float(spearmanr(*pooled).statistic)})
    for m, model in models.items():
        ev = evaluate(RawLikelihood().fit(model), test, sets, method="Raw")
        rows += [{"model": m, **r} for r in ev.table[ev.table.metric == "AUROC"].to_dict("records")]
    return pd.DataFrame(rows)


def loss_comparison_scorers(page) -> dict:
    """Return {method: fitted scorer} of S7.5: Diff (to the general Glow) and the raw likelihood of the CIFAR-10
    Glow finetuned with the outlier loss (seed 0) and of the one finetuned with the margin loss."""

    general = trained_general(page.profile_name, page.seed)
    out = {}
    for name, variant in (("outlier loss", "outlier@0"), ("margin loss", "margin")):
        model = trained_hier_glow(page.profile_name, variant, page.seed)
        out[f"Diff/{name}"] = LikelihoodDiff(general).fit(model)
        out[f"Raw/{name}"] = RawLikelihood().fit(model)
    return out


S8_MODELS = {"without the outlier loss (Fig. S7)": "finetune@0", "with the outlier loss (Fig. S8)": "outlier@0"}


def top_general_images(page, k: int = 12) -> tuple[dict, pd.DataFrame]:
    """Return ({row label: the k general-set images that look most in-distribution}, rows) for Figs. S7–S8: per
    CIFAR-10 Glow (without and with the outlier loss) and metric (raw likelihood, Diff to the general Glow, the last
    scale), the k images with the lowest OOD score. The rows describe those images: their mean PNG code length
    (bits/dim: how simple they are) and the share that comes from CIFAR-100, the part of the general set closest to
    CIFAR-10; columns model, ood ("general"), method, metric, value."""

    general_set, general = data.load(GENERAL, "train", channels=3), trained_general(page.profile_name, page.seed)
    cifar100 = [name for name, _ in data.halves.GENERAL_PARTS].index("cifar100")
    images, rows = {}, []
    for label, variant in S8_MODELS.items():
        model = trained_hier_glow(page.profile_name, variant, page.seed)
        for method, scorer in (("Raw", RawLikelihood()), ("Diff", LikelihoodDiff(general)), ("4x4", LastScale())):
            scores = scorer.fit(model).score(general_set.x)
            top = torch.argsort(scores)[:k]
            images[f"{method}, {label.split(' (')[0]}"] = general_set.x[top]
            bits = code_length_bits(general_set.x[top], "png") / general_set.x[0].numel()
            short = "without" if variant.startswith("finetune") else "with"
            rows += [{"model": f"Glow ({short} outlier loss)", "ood": "general", "method": method,
                      "metric": "PNG bits/dim of the top images", "value": float(bits.mean())},
                     {"model": f"Glow ({short} outlier loss)", "ood": "general", "method": method,
                      "metric": "share of CIFAR-100 in the top images",
                      "value": float((general_set.y[top] == cifar100).float().mean())}]
    return images, pd.DataFrame(rows)


S8_TABLES = {"Glow (without outlier loss)": "Fig S7", "Glow (with outlier loss)": "Fig S8", "Glow": "Fig S8"}


def rows_by_model(page, values: pd.DataFrame, *, section: str, table) -> pd.DataFrame:
    """Return ``values`` (with a model column) as results rows, one ``page.rows`` call per model; ``table``: the
    results table's name, or {model: table name}."""
    return pd.concat([page.rows(g.drop(columns="model"), section=section, model=m, in_dist=IN_DIST,
                                table=table[m] if isinstance(table, dict) else table)
                      for m, g in values.groupby("model", sort=False)], ignore_index=True)


def s8_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``top_general_images``' rows and, per metric, the CIFAR-100 share with minus without the outlier loss
    (Fig. S8 against Fig. S7: "more fitting images for all metrics")."""
    share = rows[rows.metric == "share of CIFAR-100 in the top images"].pivot_table(index="method", columns="model",
                                                                                     values="value", sort=False)
    gain = pd.DataFrame({"model": "Glow", "ood": "general", "method": share.index,
                         "metric": "share of CIFAR-100: with minus without the outlier loss",
                         "value": share["Glow (with outlier loss)"] - share["Glow (without outlier loss)"]})
    return pd.concat([rows, gain], ignore_index=True)


def binary_evaluations(page, sets: dict) -> dict:
    """Return {method: Evaluation} of Table S4's binary classifier, p(in | x), and of the unsupervised generative
    scores it is compared with in S9 (Diff and Diff† of training seed 0), on the same test images."""

    test = hier_test_images(page)
    scorers = {"Binary classifier": InDistributionProbability(in_class=1).fit(trained_binary_classifier(page.profile_name, page.seed))}
    unsup = setting_scorers(page, "Unsupervised", 0)
    scorers.update({m: unsup[m] for m in ("Diff/Unsupervised", "Diff†/Unsupervised")})
    return {m: evaluate(s, test, sets, method=m) for m, s in scorers.items()}
