"""One training entry point for every model: seeded, resumable, with a progress bar.

The model supplies ``loss(x) -> scalar`` (e.g. the negative ELBO); extra terms such as the
approximate-mass penalty (Chali Eq. 2) plug in as ``penalty(model, x) -> scalar`` (``oodlib.penalties``),
either passed to ``train`` or named in ``TrainConfig.penalty`` (then part of the model's cache key).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import save_file

from .data.perturb import perturb, perturbation
from .device import module_device
from .errors import BadInput, UnknownName
from .io import atomic_path
from .penalties import check_penalty_name, make_penalty
from .progress import progress_bar


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser and schedule (ROSE App. B.1: Adam, lr 1e-3, batch 64, lr halved every 30 epochs)."""

    epochs: int
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"
    weight_decay: float = 0.0
    lr_step_epochs: int | None = 30
    lr_gamma: float = 0.5
    seed: int = 0
    perturb_mu: float | None = None   # train on perturbed inputs (Ren et al.'s background model)
    penalty: str | None = None        # an extra loss term, a key of oodlib.penalties.PENALTIES ...
    penalty_weight: float = 0.0       # ... and its weight (Chali Eq. 2's α for "approx_mass")
    penalty_data: str | None = None   # ... and its data, if it needs some ("name:split", e.g. outlier images)
    clip_grad_norm: float | None = None   # clip the parameters' gradient norm (in the loss's units) to this
    betas: tuple | None = None        # Adam's (β1, β2), where not PyTorch's (0.9, 0.999); Kamoi App. B: (0.5, 0.9)
    warmup_epochs: int | None = None  # raise the lr linearly from 0 over this many epochs (Kamoi App. B's Glow: 10)
    penalty_reference: str | None = None   # ... and the cache key of the model it compares with (the outlier loss's)
    init_from: str | None = None      # start from this model's weights (a cache key): finetuning (Schirrmeister S7.2)
    perturbation: str | None = None   # train on inputs perturbed as named (data.perturbation: "svd:28", "gb", ...)

    def __post_init__(self):
        if self.penalty is None:
            if self.penalty_weight != 0.0:
                raise BadInput(f"penalty_weight={self.penalty_weight} without a penalty; name one, "
                               "e.g. TrainConfig(..., penalty='approx_mass', penalty_weight=2.0)")
        else:
            check_penalty_name(self.penalty)
        if self.perturbation is not None:
            if self.perturb_mu is not None:
                raise BadInput("perturb_mu and perturbation both set; name one (perturbation='random:MU' is the "
                               "same as perturb_mu=MU)")
            perturbation(self.perturbation)     # an unknown or malformed name fails here, not mid-training
        if self.warmup_epochs is not None and self.warmup_epochs < 1:
            raise BadInput(f"warmup_epochs must be at least 1 (or None for no warm-up), got {self.warmup_epochs}")
        if self.warmup_epochs is not None and self.lr_step_epochs is not None:
            raise BadInput("warmup_epochs with lr_step_epochs: the book's schedules use one or the other; set "
                           "lr_step_epochs=None for a warm-up to a constant rate")

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["perturb_mu"] is None:      # absent when unused, so the cache keys of earlier recipes hold
            del d["perturb_mu"]
        if d["penalty"] is None or (d["penalty"] == "approx_mass" and d["penalty_weight"] == 0.0):   # likewise; the
            del d["penalty"], d["penalty_weight"]     # approximate mass with α = 0 trains the same weights as none
        if d["clip_grad_norm"] is None:
            del d["clip_grad_norm"]
        if d["penalty_data"] is None:
            del d["penalty_data"]
        if d["warmup_epochs"] is None:
            del d["warmup_epochs"]
        for name in ("penalty_reference", "init_from", "perturbation"):
            if d[name] is None:
                del d[name]
        if d["betas"] is None:
            del d["betas"]
        else:
            d["betas"] = [float(b) for b in d["betas"]]
        return d


INIT_IMAGES = 512   # images for a model's data-dependent initialisation (y0ast/Glow-PyTorch: 8 batches of 64)


def make_optimizer(params, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Return the optimiser named by ``cfg.optimizer`` (adam, adamax)."""
    kinds = {"adam": torch.optim.Adam, "adamax": torch.optim.Adamax}
    if cfg.optimizer not in kinds:
        raise UnknownName(f"unknown optimizer {cfg.optimizer!r}; known: {', '.join(kinds)}")
    extra = {} if cfg.betas is None else {"betas": tuple(cfg.betas)}
    return kinds[cfg.optimizer](params, lr=cfg.lr, weight_decay=cfg.weight_decay, **extra)


def save_weights(model: torch.nn.Module, path: Path, metadata: dict | None = None) -> None:
    """Write ``model``'s weights to ``path`` as safetensors, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(tmp),
                  metadata=metadata)


def _epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=g)


def train(model: torch.nn.Module, x: torch.Tensor, cfg: TrainConfig, checkpoint: str | Path | None = None,
          penalty: Callable | None = None, progress: bool = True, checkpoint_every_s: float = 300.0,
          desc: str = "train", snapshot_dir: str | Path | None = None, labels: torch.Tensor | None = None,
          reference=None) -> dict:
    """Train ``model`` on uint8 images ``x`` in place and return its history {"loss": [per epoch]}.

    The objective is ``model.loss(x)`` plus, if any, a penalty: the ``penalty`` argument, or the one
    ``cfg.penalty`` names (built with weight ``cfg.penalty_weight``; not both). A penalty with
    ``loss_and_penalty`` gets both terms from one forward pass; when it returns None the batch is skipped (counted
    in the history's "skipped"). A step whose gradient is not finite is not taken (counted in "nonfinite_steps"), as
    the reference code of Schirrmeister et al. does: Adamax would turn every weight into NaN. With ``cfg.init_from``
    the model arrives with another model's weights (``cache.get_trained`` loads them) and is not initialised from
    data again. The history's "loss" is ``model.loss``
    alone (the penalty excluded), so that penalised and vanilla runs compare.

    With ``checkpoint``, state is saved atomically at the end of every epoch and every
    ``checkpoint_every_s`` seconds, and a run started again resumes where it stopped
    (same batches, same random numbers: on the CPU the result equals an uninterrupted run; on a GPU,
    cuDNN's non-deterministic kernels make even two uninterrupted runs differ slightly).

    ``reference`` is the model the penalty ``cfg.penalty`` compares with (the outlier loss's), which
    ``cfg.penalty_reference`` names by its cache key: the model itself, or a function of no arguments returning it
    on first use (``cache.get_trained`` resolves the key and passes one). Training never loads models.

    ``labels`` (one per image) train a supervised model: its objective is ``model.loss(x, y)`` (e.g. the
    classifier of Chali et al.'s baselines); a penalty then gets the labels too, ``penalty(model, x, y)``.

    With ``snapshot_dir``, the weights after every epoch k are also kept there as ``epoch{k}.safetensors``
    (atomically; e.g. to score a model as it trains, Chali et al. §3.1 Figs. 1–2).
    """
    if cfg.penalty is not None:
        if penalty is not None:
            raise BadInput(f"both a penalty argument and TrainConfig.penalty={cfg.penalty!r}; give one of them")
        if cfg.penalty_reference is not None and reference is None:
            raise BadInput(f"TrainConfig.penalty_reference={cfg.penalty_reference!r} names the model the {cfg.penalty} "
                           "penalty compares with: pass that model as train(..., reference=model), or train through "
                           "cache.get_trained, which loads it")
        penalty = make_penalty(cfg.penalty, cfg.penalty_weight, cfg.penalty_data, reference)
    elif reference is not None:
        raise BadInput("a reference model without a penalty to compare it with; name one in TrainConfig.penalty")
    torch.manual_seed(cfg.seed)
    opt = make_optimizer(model.parameters(), cfg)
    sched = (torch.optim.lr_scheduler.StepLR(opt, cfg.lr_step_epochs, cfg.lr_gamma)
             if cfg.lr_step_epochs else None)
    start_epoch, start_step, history = 0, 0, {"loss": []}
    ckpt = Path(checkpoint) if checkpoint else None
    if ckpt is not None and ckpt.exists():
        state = torch.load(ckpt, weights_only=False, map_location="cpu")   # RNG states must stay on the CPU
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if sched is not None:
            sched.load_state_dict(state["scheduler"])
        start_epoch, start_step, history = state["epoch"], state["step"], state["history"]
        if start_step == 0:
            history.pop("running", None)
        torch.set_rng_state(state["rng"])
        if state.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])

    def save(epoch, step, running):
        if ckpt is None:
            return
        with atomic_path(ckpt) as tmp:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict() if sched else None, "epoch": epoch, "step": step,
                        "history": {**history, "running": running}, "rng": torch.get_rng_state(),
                        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}, tmp)

    device = module_device(model)
    n = x.shape[0]
    if labels is not None and len(labels) != n:
        raise BadInput(f"{len(labels)} labels for {n} images; give one label per image")
    steps = (n + cfg.batch_size - 1) // cfg.batch_size
    if cfg.perturbation is not None:
        disturb = perturbation(cfg.perturbation)
    elif cfg.perturb_mu is not None:
        disturb = lambda xb: perturb(xb, cfg.perturb_mu)     # noqa: E731
    else:
        disturb = None
    if start_epoch == 0 and start_step == 0 and cfg.init_from is None and callable(getattr(model, "initialize", None)):
        first = x[_epoch_order(n, cfg.seed, 0)[:INIT_IMAGES]].to(device)
        model.initialize(disturb(first) if disturb is not None else first)   # e.g. ActNorm
    model.train()
    last_save = time.monotonic()
    for epoch in range(start_epoch, cfg.epochs):
        order = _epoch_order(n, cfg.seed, epoch)
        running = history.pop("running", [0.0, 0]) if epoch == start_epoch else [0.0, 0]
        first = start_step if epoch == start_epoch else 0
        bar = progress_bar(range(first, steps), enabled=progress, total=steps, initial=first,
                           desc=f"{desc} epoch {epoch + 1}/{cfg.epochs}")
        for step in bar:
            idx = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            xb = x[idx].to(device)
            if disturb is not None:
                xb = disturb(xb)       # "random": fresh noise each step, from the seeded (checkpointed) RNG
            args = (xb,) if labels is None else (xb, labels[idx].to(device))
            if callable(getattr(penalty, "loss_and_penalty", None)):
                terms = penalty.loss_and_penalty(model, *args)   # one forward pass, the same noise
                if terms is None:           # the penalty skips this batch (Schirrmeister S4.3's stabilisation)
                    history["skipped"] = history.get("skipped", 0) + 1
                    continue
                loss, extra = terms
                total = loss + extra
            else:
                loss = model.loss(*args)
                total = loss + penalty(model, *args) if penalty is not None else loss
            if cfg.warmup_epochs:       # stateless (a function of the step), so a resumed run warms up the same
                for group in opt.param_groups:
                    group["lr"] = cfg.lr * min(1.0, (epoch * steps + step + 1) / (cfg.warmup_epochs * steps))
            opt.zero_grad(set_to_none=True)
            total.backward()
            if cfg.clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad_norm)
            if not all(bool(torch.isfinite(p.grad).all()) for p in model.parameters() if p.grad is not None):
                history["nonfinite_steps"] = history.get("nonfinite_steps", 0) + 1   # a step would poison the weights
                opt.zero_grad(set_to_none=True)
                continue
            opt.step()
            running[0] += loss.item() * xb.shape[0]
            running[1] += xb.shape[0]
            if step % 20 == 0:
                bar.set_postfix(loss=f"{running[0] / running[1]:.1f}")
            if ckpt is not None and time.monotonic() - last_save > checkpoint_every_s and step + 1 < steps:
                save(epoch, step + 1, running)
                last_save = time.monotonic()
        history["loss"].append(running[0] / max(running[1], 1))
        if sched is not None:
            sched.step()
        if snapshot_dir is not None:
            save_weights(model, Path(snapshot_dir) / f"epoch{epoch + 1}.safetensors")
        save(epoch + 1, 0, [0.0, 0])
        last_save = time.monotonic()
    model.eval()
    return history
