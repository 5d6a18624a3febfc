"""Input Complexity, the likelihood ratio and the NLL memo: units, losslessness, sharing one IWAE pass."""

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from oodlib.errors import BadInput, UnknownName
from oodlib.models import VAE, VAEConfig
from oodlib.scores import NLL
from oodlib.scores.complexity import IC, code_length_bits, encode
from oodlib.scores.likelihood_ratio import LRatio


class MeanModel(torch.nn.Module):
    """A fake exact density: log p(x) = −scale · mean pixel value, in nats."""

    config = None

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def log_prob(self, x):
        return -self.scale * x.float().mean((1, 2, 3))


class CountingVAE(torch.nn.Module):
    """Wraps a VAE and counts the images its log_prob is asked for."""

    def __init__(self, vae):
        super().__init__()
        self.vae, self.config, self.seen = vae, vae.config, 0

    def log_prob(self, x, k=20, generator=None):
        self.seen += x.shape[0]
        return self.vae.log_prob(x, k=k, generator=generator)


def small_vae(seed=0):
    torch.manual_seed(seed)
    return VAE(VAEConfig(channels=1, base=4, latent=4)).eval()


def images(n, c=1, size=32, seed=0):
    return torch.randint(0, 256, (n, c, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("codec", ["png", "jp2"])
@pytest.mark.parametrize("c", [1, 3])
def test_constant_image_codes_shorter_than_noise(codec, c):
    x = torch.cat([torch.full((1, c, 32, 32), 128, dtype=torch.uint8), images(1, c)])
    bits = code_length_bits(x, codec)
    assert bits.dtype == torch.float64 and bits.shape == (2,)
    assert bits[0] < bits[1] / 4
    assert bits[1] > 8 * c * 32 * 32 * 0.9         # noise barely compresses: close to 8 bits per sub-pixel


@pytest.mark.parametrize("codec", ["png", "jp2"])
@pytest.mark.parametrize("c", [1, 3])
def test_codecs_are_lossless(codec, c):
    ramp = torch.arange(32 * 32 * c).remainder(256).to(torch.uint8).view(1, c, 32, 32)
    for img in torch.cat([images(2, c, seed=1), ramp]):
        hwc = img.permute(1, 2, 0).numpy()
        decoded = np.asarray(Image.open(io.BytesIO(encode(hwc, codec))))
        assert decoded.shape == (hwc.shape if c == 3 else hwc.shape[:2])
        np.testing.assert_array_equal(decoded.reshape(hwc.shape), hwc)


def test_ic_is_in_bits_on_both_sides():
    x = torch.cat([images(3, seed=2), torch.zeros(1, 1, 32, 32, dtype=torch.uint8)])
    score = IC("png").fit(MeanModel(scale=10.0)).score(x)
    for i, img in enumerate(x):
        buf = io.BytesIO()
        Image.fromarray(img[0].numpy(), mode="L").save(buf, "PNG", optimize=True)
        nll_nats = 10.0 * img.double().mean().item()
        assert score[i].item() == pytest.approx(nll_nats / math.log(2) - 8 * len(buf.getvalue()), abs=1e-3)


def test_ic_names_and_unknown_codec():
    assert IC("png").name == "IC(png)" and IC("jp2").name == "IC(jp2)"
    with pytest.raises(UnknownName, match="png, jp2"):
        IC("gif")
    with pytest.raises(UnknownName, match="png, jp2"):
        code_length_bits(images(1), "webp")


def test_lratio_is_nll_model_minus_nll_background():
    x = images(5, seed=3)
    lr = LRatio(MeanModel(scale=3.0)).fit(MeanModel(scale=7.0))
    torch.testing.assert_close(lr.score(x), (7.0 - 3.0) * x.float().mean((1, 2, 3)))
    assert lr.name == "LRatio"


def test_lratio_of_a_model_against_itself_is_zero():
    vae = small_vae()
    assert torch.equal(LRatio(vae, k=2).fit(vae).score(images(4)), torch.zeros(4))


def test_lratio_refuses_a_background_without_log_prob():
    with pytest.raises(BadInput, match="background.*log_prob.*perturbed"):
        LRatio(torch.nn.Linear(2, 2))


def test_nll_memo_scores_each_image_once_and_agrees_with_no_memo():
    counted = CountingVAE(small_vae())
    x = images(10, seed=4)
    plain = NLL(k=2, batch_size=4).fit(counted.vae).score(x)
    memo = NLL(k=2, batch_size=4, memo=True).fit(counted)
    assert torch.equal(memo.score(x), plain) and counted.seen == 10       # first call: the same IWAE pass
    y = torch.cat([x[5:], images(3, seed=5), x[7:8]])                     # overlapping, a repeat inside
    s = memo.score(y)
    assert counted.seen == 13                                             # only the 3 new images
    assert torch.equal(s[:5], plain[5:]) and s[-1] == plain[7]
    assert torch.equal(memo.score(y), s) and counted.seen == 13           # a repeated call runs nothing
    d = torch.cat([images(1, seed=6)] * 3)
    sd = memo.score(d)
    assert counted.seen == 14 and sd[0] == sd[1] == sd[2]                 # duplicates scored once


def test_nll_memo_is_cleared_by_fitting_another_model_and_shared_by_scorers():
    counted = CountingVAE(small_vae())
    x = images(4, seed=7)
    shared = NLL(k=2, memo=True)
    ic, lr = IC("png", nll=shared).fit(counted), LRatio(small_vae(1), k=2, nll=shared).fit(counted)
    ic.score(x), lr.score(x)
    assert counted.seen == 4                                              # one IWAE pass for both scorers
    other = CountingVAE(small_vae(2))
    shared.fit(other).score(x)
    assert other.seen == 4                                                # a new model: the memo was cleared
