"""Likelihood Regret: the vectorised encoder re-fitting equals B separate Adam loops, and its known properties."""

import copy

import pytest
import torch

from oodlib.errors import BadInput
from oodlib.models import VAE, VAEConfig
from oodlib.scores.regret import LikelihoodRegret

ENC = ("encoder.", "enc_")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Small convolutions run faster on one thread, and much faster when other jobs share the cores."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def ramps(n, seed):
    """In-distribution toy images: a horizontal ramp of random brightness plus a little noise."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 1, 1, 1, generator=g) * 200 + torch.linspace(0, 50, 32).view(1, 1, 1, 32)
    return (base + 5 * torch.randn(n, 1, 32, 32, generator=g)).clamp(0, 255).round().to(torch.uint8)


def noise_images(n, seed):
    return torch.randint(0, 256, (n, 1, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def vae():
    """A tiny VAE trained briefly on ramps (BatchNorm running statistics included), in eval mode."""
    torch.manual_seed(0)
    m = VAE(VAEConfig(channels=1, base=4, latent=4))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for it in range(20):
        opt.zero_grad()
        m.loss(ramps(16, it)).backward()
        opt.step()
    return m.eval()


def with_encoder(model, enc, i):
    """Return a copy of ``model`` whose encoder is image i's re-fitted encoder."""
    c = copy.deepcopy(model).eval()
    state = c.state_dict()
    state.update({n: v[i] for n, v in enc.items()})
    c.load_state_dict(state)
    return c


def test_vectorised_refit_equals_separate_adam_loops(vae):
    """B stacked encoders and one Adam == B deep copies, each with its own torch.optim.Adam, same noise."""
    x = torch.cat([ramps(2, 100), noise_images(1, 1)])
    s = LikelihoodRegret(steps=10, lr=1e-2, k=8).fit(vae)
    enc = s.optimise_encoders(x)
    eps = s.step_noise(vae.config.latent)
    scores = s.score(x)
    for i in range(x.shape[0]):
        c = copy.deepcopy(vae).eval()
        params = [p for n, p in c.named_parameters() if n.startswith(ENC)]
        assert sorted(n for n, _ in c.named_parameters() if n.startswith(ENC)) == sorted(enc)
        opt = torch.optim.Adam(params, lr=1e-2, weight_decay=5e-5)
        for t in range(10):
            opt.zero_grad()
            (-c.elbo(x[i:i + 1], eps=eps[t:t + 1])).sum().backward()
            opt.step()
        moved = max((p - vae.get_parameter(n)).abs().max().item() for n, p in c.named_parameters() if n in enc)
        assert moved > 1e-2                                    # the test has teeth: the encoder really moved
        for n, p in c.named_parameters():
            if n in enc:
                torch.testing.assert_close(enc[n][i], p.detach(), rtol=0, atol=1e-5)
        with torch.no_grad():
            before = -vae.log_prob(x[i:i + 1], k=8, generator=s.iwae_generator())
            after = -c.log_prob(x[i:i + 1], k=8, generator=s.iwae_generator())
        torch.testing.assert_close(scores[i:i + 1], before - after, rtol=0, atol=1e-2)   # nats, of ~5000


def test_regret_is_nonnegative_up_to_noise_and_larger_for_ood(vae):
    x_id, x_ood = ramps(5, 200), noise_images(5, 2)
    s = LikelihoodRegret(steps=10, lr=2e-3, k=10).fit(vae)
    r_id, r_ood = s.score(x_id), s.score(x_ood)
    r = torch.cat([r_id, r_ood])
    assert r.mean() > 0 and (r > -1.0).float().mean() >= 0.9
    assert r_ood.min() > r_id.median()                          # the toy OOD set regrets more


def test_refit_raises_the_noise_averaged_elbo(vae):
    """What holds: the ELBO averaged over many fixed noise draws rises from 0 to N steps, per image.

    Not asserted because it does not hold: monotonicity in the steps. Each step follows one single-sample
    ELBO gradient, so with this setting a noise image's averaged ELBO is lower after 20 steps than after 5;
    NLL_after (IWAE, not the ELBO) and the regret likewise need not move monotonically with the steps.
    """
    x = torch.cat([ramps(2, 300), noise_images(2, 3)])
    eps = torch.randn(64, vae.config.latent, generator=torch.Generator().manual_seed(7))

    def mean_elbo(steps):
        enc = LikelihoodRegret(steps=steps, lr=2e-3).fit(vae).optimise_encoders(x)
        with torch.no_grad():
            return torch.stack([with_encoder(vae, enc, i).elbo(x[i:i + 1].expand(64, -1, -1, -1), eps=eps).mean()
                                for i in range(x.shape[0])])

    assert (mean_elbo(20) > mean_elbo(0) + 1.0).all()


def test_model_and_batchnorm_statistics_are_untouched(vae):
    model = copy.deepcopy(vae).train()                          # even a model left in train mode
    before = {n: t.clone() for n, t in model.state_dict().items()}
    x = noise_images(3, 4)
    s = LikelihoodRegret(steps=5, lr=1e-2, k=4).fit(model)
    r = s.score(x)
    assert all(m.training for m in model.modules())            # the caller's mode is restored
    assert all(torch.equal(before[n], t) for n, t in model.state_dict().items())   # incl. running stats
    assert all(p.grad is None for p in model.parameters())
    torch.testing.assert_close(r, LikelihoodRegret(steps=5, lr=1e-2, k=4).fit(vae).score(x))   # BN frozen


def test_scores_are_deterministic_and_independent_of_the_batch(vae):
    x = torch.cat([ramps(2, 400), noise_images(2, 5)])
    s = LikelihoodRegret(steps=5, lr=1e-2, k=4).fit(vae)
    r = s.score(x)
    assert torch.equal(r, s.score(x))
    assert s.name == "LR(E)"
    torch.testing.assert_close(LikelihoodRegret(steps=5, lr=1e-2, k=4, batch_size=3).fit(vae).score(x.flip(0)),
                               r.flip(0), rtol=0, atol=1e-2)
    torch.testing.assert_close(s.score(x[2:3]), r[2:3], rtol=0, atol=1e-2)
    assert torch.equal(LikelihoodRegret(steps=0).fit(vae).score(x), torch.zeros(4))   # same noise before/after
    assert not torch.equal(LikelihoodRegret(steps=5, lr=1e-2, k=4, seed=1).fit(vae).score(x), r)


def test_refuses_models_that_are_not_vaes(vae):
    class Density(torch.nn.Module):
        def log_prob(self, x):
            return x.float().flatten(1).sum(1)

    with pytest.raises(BadInput, match=r"elbo\(x, eps\)"):
        LikelihoodRegret().fit(Density())
    with pytest.raises(BadInput, match="log_prob"):
        LikelihoodRegret().fit(torch.nn.Linear(2, 2))
    with pytest.raises(BadInput, match="before fit"):
        LikelihoodRegret().score(noise_images(1, 0))
    with pytest.raises(BadInput, match="steps"):
        LikelihoodRegret(steps=-1)
