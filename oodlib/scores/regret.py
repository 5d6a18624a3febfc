"""Likelihood Regret (Xiao, Yan & Amit 2020), the LR(E) baseline of ROSE (App. B): how much an image's
likelihood improves when the VAE's encoder is re-fitted to that image alone.

LR(x) = NLL(x; θ, φ) − NLL(x; θ̂(x), φ) with θ the trained encoder, φ the (fixed) decoder and θ̂(x) the
encoder after ``steps`` Adam steps on −ELBO(x) from θ — Xiao et al. 2020's regret, the log-likelihood
under the per-image optimal encoder minus that under the amortised one. Both NLLs are IWAE estimates
with ``k`` importance samples (Burda et al. 2016, Eq. 8). Settings follow the reference implementation
(XavierXiao/Likelihood-Regret ``compute_LR.py``): a copy of the encoder only, in eval mode (BatchNorm
uses its running statistics and never updates them), Adam with betas (0.9, 0.999), weight decay 5e-5
and lr 2e-4, 100 steps on the single-sample ELBO. The reference uses 1,000 IWAE samples; ROSE and this
library default to k = 20.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from functools import partial

import torch
from torch.func import functional_call, vmap

from ..checks import check_images
from ..errors import BadInput
from ..gradients import _Bound
from .base import Scorer

ENCODER_PREFIXES = ("encoder.", "enc_")


def _neg_elbo(model, x, eps):
    return -model.elbo(x, eps=eps)


def _neg_log_prob(model, x, k, generator):
    return -model.log_prob(x, k=k, generator=generator)


def _adam(params, **kwargs) -> torch.optim.Adam:
    """Return Adam, fused where the device supports it (same elementwise update, ~5× faster on the CPU)."""
    try:
        return torch.optim.Adam(params, fused=True, **kwargs)
    except (RuntimeError, ValueError):
        return torch.optim.Adam(params, **kwargs)


class LikelihoodRegret(Scorer):
    """Likelihood Regret LR(E) = NLL before − NLL after re-fitting the encoder to the image (Xiao et al. 2020).

    Vectorised over a batch: the B images get B independent encoder copies, held as stacked tensors
    B×(parameter shape). One ``torch.func.vmap`` of a ``functional_call`` gives each image's −ELBO under
    its own encoder copy; their sum is differentiated, so the block of gradient for image b is exactly
    ∂(−ELBO_b)/∂θ_b. One ``torch.optim.Adam`` (fused where available) steps all the stacked tensors;
    Adam's update (moments, bias correction, weight decay) is elementwise and its step count is shared,
    so this is exactly B independent Adam optimisers, one per image (tested against such a loop).

    Noise (common random numbers). For each score() batch the noise restarts from ``seed``: step t of
    the optimisation uses ε_t (one latent-sized draw, ``step_noise``) for *every* image, and both IWAE
    estimates use the same k draws (``iwae_generator``) for every image, before and after. So an image's
    score depends only on the image, the model and the settings — not on the batch it is scored in or
    its position (up to float32 rounding of batched convolutions) — and with ``steps=0`` the regret is
    exactly 0. Sharing noise between images correlates their scores' Monte-Carlo errors but leaves each
    score's distribution as in the reference code (which draws fresh noise per image).

    Monotonicity. Each step follows one single-sample (stochastic) ELBO gradient with a fixed learning
    rate, and the ELBO is not the IWAE estimate that NLL_after measures. So neither NLL_after nor the
    regret is guaranteed to move monotonically with ``steps`` (on a small trained VAE one image's regret
    went 0.14 → 0.44 → 0.29 nats at 10 → 30 → 100 steps), and a regret can be negative (−0.3 nats
    seen at lr 2e-4; −42 nats at lr 1e-2, which overshoots) when the re-fitted posterior is a worse IWAE
    proposal. Even the ELBO averaged over many fixed noise draws can dip between step counts (a noise
    image: lower after 20 steps than after 5 at lr 2e-3). What holds, and is tested: that averaged ELBO
    rises from 0 to ``steps`` steps, and the regret is ≥ 0 up to IWAE noise for most images.
    """

    name = "LR(E)"

    def __init__(self, steps: int = 100, lr: float = 2e-4, k: int = 20, seed: int = 0, batch_size: int = 64,
                 weight_decay: float = 5e-5, iwae_chunk: int = 128):
        """``steps`` Adam steps at ``lr`` (L2 ``weight_decay`` as in the reference code) per image, ``k`` IWAE
        samples, noise from ``seed``, ``batch_size`` images re-fitted at once; ``iwae_chunk`` bounds
        images × samples per IWAE decoder pass (memory)."""
        super().__init__()
        if steps < 0 or k < 1 or batch_size < 1:
            raise BadInput(f"LikelihoodRegret needs steps ≥ 0, k ≥ 1 and batch_size ≥ 1; "
                           f"got steps={steps}, k={k}, batch_size={batch_size}")
        self.steps, self.lr, self.k, self.seed, self.batch_size = steps, lr, k, seed, batch_size
        self.weight_decay, self.iwae_chunk = weight_decay, iwae_chunk

    # ----------------------------------------------------------------- setup
    def fit(self, model, id_train=None):
        """Check that ``model`` is a VAE à la ``oodlib.models.VAE``; nothing is learned."""
        missing = []
        for method, args in (("elbo", ("eps",)), ("log_prob", ("k", "generator")), ("encode", ())):
            f = getattr(model, method, None)
            if not callable(f) or not set(args) <= set(inspect.signature(f).parameters):
                missing.append(f"{method}({', '.join(('x',) + args)})")
        if not isinstance(model, torch.nn.Module):
            missing.append("to be a torch.nn.Module")
        elif not any(n.startswith(ENCODER_PREFIXES) for n, _ in model.named_parameters()):
            missing.append("encoder parameters named 'encoder.*' or 'enc_*'")
        if missing:
            raise BadInput(f"LikelihoodRegret needs a VAE like oodlib.models.VAE; {type(model).__name__} lacks "
                           f"{'; '.join(missing)}")
        return super().fit(model)

    @contextmanager
    def _eval_mode(self):
        """Run with the model in eval mode (BatchNorm frozen), restoring its train/eval flags afterwards."""
        flags = {m: m.training for m in self.model.modules()}
        self.model.eval()
        try:
            yield
        finally:
            for m, flag in flags.items():
                m.training = flag

    def _split_state(self):
        """Return ({encoder parameter: tensor}, {every other parameter and buffer: tensor}), detached."""
        enc, fixed = {}, {}
        for n, p in self.model.named_parameters():
            (enc if n.startswith(ENCODER_PREFIXES) else fixed)[n] = p.detach()
        fixed.update({n: b.detach() for n, b in self.model.named_buffers()})
        return enc, fixed

    def _images(self, x):
        """Return checked images as uint8 on the model's device (uint8: vmap cannot run the float checks)."""
        self._require_model()
        xf = check_images(x, channels=getattr(getattr(self.model, "config", None), "channels", None))
        return xf.to(torch.uint8).to(next(self.model.parameters()).device)

    # ----------------------------------------------------------------- noise
    def _seeds(self) -> tuple[int, int]:
        """Return two seeds derived from ``seed``: the IWAE draws' and the optimisation steps' (independent)."""
        g = torch.Generator().manual_seed(self.seed)
        iwae, step = torch.randint(0, 2 ** 62, (2,), generator=g).tolist()
        return iwae, step

    def iwae_generator(self) -> torch.Generator:
        """Return a fresh generator for the IWAE draws (every image and both NLLs use the same k draws)."""
        return torch.Generator().manual_seed(self._seeds()[0])

    def step_noise(self, latent: int) -> torch.Tensor:
        """Return ε (steps × latent): step t's ELBO noise, the same for every image."""
        return torch.randn((self.steps, latent), generator=torch.Generator().manual_seed(self._seeds()[1]))

    # ----------------------------------------------------------------- the two halves
    def optimise_encoders(self, x) -> dict:
        """Return {encoder parameter: B×(shape)}: each image's encoder after ``steps`` Adam steps on its −ELBO."""
        xb = self._images(x)
        b = xb.shape[0]
        with self._eval_mode():
            enc, fixed = self._split_state()
            stacked = {n: p.unsqueeze(0).repeat(b, *[1] * p.dim()).requires_grad_() for n, p in enc.items()}
            if self.steps == 0 or b == 0:
                return {n: p.detach() for n, p in stacked.items()}
            with torch.no_grad():
                latent = self.model.encode(xb[:1])[0].shape[1]
            noise = self.step_noise(latent).to(xb.device)
            bound = _Bound(self.model, _neg_elbo)

            def one(params, xi, eps):
                state = {f"model.{n}": v for n, v in {**fixed, **params}.items()}
                return functional_call(bound, state, (xi.unsqueeze(0), eps.unsqueeze(0))).reshape(())

            neg_elbo = vmap(one, in_dims=(0, 0, None))
            opt = _adam(list(stacked.values()), lr=self.lr, weight_decay=self.weight_decay)
            with torch.enable_grad():
                for t in range(self.steps):
                    opt.zero_grad(set_to_none=True)
                    neg_elbo(stacked, xb, noise[t]).sum().backward()
                    opt.step()
            return {n: p.detach() for n, p in stacked.items()}

    @torch.no_grad()
    def nll(self, x, encoders: dict | None = None) -> torch.Tensor:
        """Return the IWAE −log p(x) (nats per image, ``k`` samples) with per-image encoder parameters.

        ``encoders`` = {encoder parameter: B×(shape)} as from ``optimise_encoders``; None = the model's own.
        """
        xb = self._images(x)
        b = xb.shape[0]
        with self._eval_mode():
            enc, fixed = self._split_state()
            if encoders is None:
                encoders = {n: p.unsqueeze(0).expand(b, *p.shape) for n, p in enc.items()}
            bound = _Bound(self.model, _neg_log_prob)

            def one(params, xi, generator):
                state = {f"model.{n}": v for n, v in {**fixed, **params}.items()}
                return functional_call(bound, state, (xi.unsqueeze(0), self.k, generator)).reshape(())

            per = max(1, self.iwae_chunk // self.k)       # images per pass: bounds images × samples in memory
            out = []
            for i in range(0, b, per):                    # a fresh generator: the same k draws for every image
                f = vmap(partial(one, generator=self.iwae_generator()), randomness="same")
                out.append(f({n: p[i:i + per] for n, p in encoders.items()}, xb[i:i + per]))
            return torch.cat(out) if out else torch.empty(0, device=xb.device)

    def _score_batch(self, x):
        return self.nll(x) - self.nll(x, self.optimise_encoders(x))
