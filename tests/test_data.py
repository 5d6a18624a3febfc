"""Tests of oodlib.data (registry, checksums, load conventions, errors) and oodlib.checks.check_images.

Every test is fast: only the small 28×28 sets (MNIST test, KMNIST, notMNIST), the 200-image LSUN proxy
and the Fashion-MNIST IDX files are read; CIFAR-10 train is never loaded.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import oodlib.data as data
from oodlib.checks import check_images
from oodlib.data import loading
from oodlib.errors import BadInput, DatasetMissing, UnknownName


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------

def _data_folder() -> Path:
    env = os.environ.get("OODLIB_DATA")
    return Path(env) if env else data.data_dir()


def _sources_table() -> dict[str, str]:
    """Return {file name: sha256} parsed from SOURCES.md (first column: file, last column: sha256)."""
    path = _data_folder() / "SOURCES.md"
    if not path.exists():
        pytest.skip(f"no SOURCES.md in {path.parent} (set OODLIB_DATA to the dataset folder to check checksums)")
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 2:
            continue
        first, last = cells[0], cells[-1]
        if first.lower() == "file" or set(first) <= set("-: "):   # header and separator rows
            continue
        table[first] = last
    assert table, f"no table rows parsed from {path}"
    return table


def _require(name: str, split: str = "test"):
    if not data.is_available(name, split):
        pytest.skip(f"dataset {name}/{split} is not on this machine ({_data_folder()})")


@pytest.fixture
def no_download(monkeypatch):
    """Make sure a missing set raises instead of trying torchvision's downloader."""
    monkeypatch.delenv("OODLIB_DOWNLOAD", raising=False)


# --------------------------------------------------------------------------------------------------
# registry vs SOURCES.md, verify()
# --------------------------------------------------------------------------------------------------

def test_sources_table_parses_to_sha256_values():
    table = _sources_table()
    for file, sha in table.items():
        assert file.endswith(".npz"), f"first column should be an npz file name, got {file!r}"
        assert len(sha) == 64 and all(c in "0123456789abcdef" for c in sha), f"{file}: bad sha256 {sha!r}"


def test_registry_sha256_matches_sources_md():
    table = _sources_table()
    checked = 0
    for d in data.REGISTRY.values():
        if d.kind != "npz":
            continue
        for file, sha in d.sha256.items():
            assert file in table, f"{d.name}: {file} has a registry sha256 but is not listed in SOURCES.md"
            assert sha == table[file], f"{d.name}: registry sha256 of {file} differs from SOURCES.md"
            checked += 1
    assert checked > 0


def test_every_file_in_sources_md_is_registered():
    table = _sources_table()
    registered = {}
    for d in data.REGISTRY.values():
        if d.kind == "npz":
            for split, file in d.splits.items():
                registered[file] = d
    for file in table:
        assert file in registered, f"{file} is listed in SOURCES.md but no registry entry refers to it"
        assert file in registered[file].sha256, f"{file} is registered without a sha256"


def test_registry_sha256_keys_are_split_files():
    for d in data.REGISTRY.values():
        if d.kind == "npz":
            assert set(d.sha256) <= set(d.splits.values()), d.name


def test_the_part_of_dtd_is_a_set_of_its_own_and_never_named_dtd():
    from oodlib.chapters import chali

    part, whole = data.info("dtd_partial"), data.info("dtd")
    assert "partial" in part.title.lower() and "partial" in part.note
    assert part.splits == {"test": "dtd_test.npz"} and "dtd_test.npz" in part.sha256
    assert "partial" not in whole.title.lower() and whole.splits["test"] != part.splits["test"]
    assert not data.is_available("dtd", "test")                   # the full DTD is not on these machines
    if data.is_available("dtd_partial", "test"):
        assert chali.chali_table2_sets("cifar10", data.is_available)[2] == "dtd_partial"
    sets = chali.chali_table2_sets("cifar10", lambda name: name != "dtd")
    assert "dtd_partial" in sets and "dtd" not in sets
    assert chali.chali_table2_sets("cifar10", lambda name: True) == chali.CHALI_TABLE2_OOD["cifar10"]
    # a missing set with no part here stays: the loader reports it missing
    assert "svhn" in chali.chali_table2_sets("cifar10", lambda name: name != "svhn")
    assert chali.chali_table2_sets("fmnist", lambda name: False) == chali.CHALI_TABLE2_OOD["fmnist"]


def test_what_each_of_our_sets_stands_for():
    from oodlib import paper

    assert paper.stands_for("gtsrb") == "svhn"
    assert paper.stands_for("dtd_partial") == "dtd"
    assert paper.stands_for("dtd") is None and paper.stands_for("mnist") is None
    assert not hasattr(paper, "stood_in_for")


@pytest.mark.parametrize("name", ["mnist", "kmnist", "notmnist", "lsun_church"])
def test_verify_small_sets(name):
    _require(name)
    result = data.verify(name)
    assert result, f"verify({name!r}) checked no file"
    assert all(result.values()), result


def test_verify_detects_a_wrong_file(tmp_path, monkeypatch):
    _require("mnist")
    monkeypatch.setenv("OODLIB_DATA", str(tmp_path))
    (tmp_path / "mnist_test.npz").write_bytes(b"not the real file")
    assert data.verify("mnist") == {"mnist_test.npz": False}


def test_verify_fmnist_idx():
    _require("fmnist", "test")
    result = data.verify("fmnist")
    assert set(result) >= {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}, result
    assert all(result.values()), result


# --------------------------------------------------------------------------------------------------
# load conventions
# --------------------------------------------------------------------------------------------------

def test_load_shape_dtype_and_resize():
    _require("mnist")
    s = data.load("mnist", "test", n=64, seed=0)
    assert isinstance(s, data.ImageSet)
    assert s.x.shape == (64, 1, 32, 32)
    assert s.x.dtype == torch.uint8
    assert s.y.shape == (64,) and s.y.dtype == torch.int64
    assert len(s) == 64
    raw = data.load("mnist", "test", n=64, seed=0, size=None)
    assert raw.x.shape == (64, 1, 28, 28)
    assert torch.equal(raw.y, s.y)
    # 28→32 is a bilinear resize: intensities are preserved on average, images differ from zero-padding
    assert abs(s.x.float().mean().item() - raw.x.float().mean().item()) < 3.0
    padded = data.load("mnist", "test", n=64, seed=0, mode="pad")
    assert not torch.equal(padded.x, s.x)


def test_resize_matches_pil_bilinear():
    """28→32 is a bilinear resize with the half-pixel convention of PIL/torchvision (±1 grey level of rounding)."""
    Image = pytest.importorskip("PIL.Image")
    _require("mnist")
    raw = data.load("mnist", "test", n=32, seed=0, size=None).x
    out = data.load("mnist", "test", n=32, seed=0).x
    ref = np.stack([np.asarray(Image.fromarray(im[0].numpy()).resize((32, 32), Image.BILINEAR)) for im in raw])
    diff = np.abs(ref.astype(int) - out[:, 0].numpy().astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 0.1


def test_resize_of_constant_image_is_constant():
    x = torch.full((2, 1, 28, 28), 77, dtype=torch.uint8)
    y = data.to_size(x, 32)
    assert y.shape == (2, 1, 32, 32) and y.dtype == torch.uint8
    assert (y == 77).all()


def test_load_other_grey_sets_shape():
    for name in ("kmnist", "notmnist"):
        _require(name)
        s = data.load(name, "test", n=16, seed=3)
        assert s.x.shape == (16, 1, 32, 32) and s.x.dtype == torch.uint8


def test_grey_to_three_channels_repeats():
    _require("mnist")
    grey = data.load("mnist", "test", n=32, seed=5)
    rgb = data.load("mnist", "test", n=32, seed=5, channels=3)
    assert rgb.x.shape == (32, 3, 32, 32) and rgb.x.dtype == torch.uint8
    assert torch.equal(rgb.x[:, 0], rgb.x[:, 1]) and torch.equal(rgb.x[:, 1], rgb.x[:, 2])
    assert torch.equal(rgb.x[:, :1], grey.x)


def test_rgb_to_grey_luma_on_hand_made_tensor():
    r, g, b = [10, 200, 255, 0, 0, 123], [20, 100, 255, 0, 255, 45], [30, 50, 255, 255, 0, 210]
    x = torch.tensor([r, g, b], dtype=torch.uint8).view(1, 3, 1, 6)
    out = data.to_channels(x, 1)
    assert out.shape == (1, 1, 1, 6) and out.dtype == torch.uint8
    expected = [round(0.299 * R + 0.587 * G + 0.114 * B) for R, G, B in zip(r, g, b)]
    assert out.flatten().tolist() == expected


def test_rgb_to_grey_luma_on_random_pixels():
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (4, 3, 16, 16), generator=gen, dtype=torch.uint8)
    out = data.to_channels(x, 1).long()
    R, G, B = (x[:, c:c + 1].long() for c in range(3))
    thousandths = 299 * R + 587 * G + 114 * B            # exact: 1000 × luma
    lo = thousandths // 1000
    frac = thousandths % 1000
    exact = torch.where(frac > 500, lo + 1, lo)
    not_half = frac != 500
    assert torch.equal(out[not_half], exact[not_half])
    # at exact halves either neighbour is an acceptable rounding
    assert ((out[~not_half] == lo[~not_half]) | (out[~not_half] == lo[~not_half] + 1)).all()


def test_pad_mode_centres_the_original():
    _require("mnist")
    raw = data.load("mnist", "test", n=8, seed=1, size=None)
    padded = data.load("mnist", "test", n=8, seed=1, mode="pad")
    assert padded.x.shape == (8, 1, 32, 32) and padded.x.dtype == torch.uint8
    assert torch.equal(padded.x[:, :, 2:30, 2:30], raw.x)
    border = torch.ones(32, 32, dtype=torch.bool)
    border[2:30, 2:30] = False
    assert (padded.x[:, :, border] == 0).all()


def test_pad_cannot_shrink_and_unknown_mode():
    x = torch.zeros(1, 1, 40, 40, dtype=torch.uint8)
    with pytest.raises(BadInput):
        data.to_size(x, 32, mode="pad")
    with pytest.raises(UnknownName):
        data.to_size(x, 32, mode="crop")


def test_seeded_subsets_reproducible_and_differ_across_seeds():
    _require("mnist")
    a = data.load("mnist", "test", n=100, seed=1)
    b = data.load("mnist", "test", n=100, seed=1)
    c = data.load("mnist", "test", n=100, seed=2)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


def test_subset_images_come_from_the_set_with_their_labels():
    _require("kmnist")
    full = data.load("kmnist", "test", size=None)
    sub = data.load("kmnist", "test", n=50, seed=7, size=None)
    assert len(full) == 10_000
    index = {}
    for img, lab in zip(full.x.numpy(), full.y.tolist()):
        index.setdefault(hashlib.sha1(img.tobytes()).hexdigest(), set()).add(lab)
    for img, lab in zip(sub.x.numpy(), sub.y.tolist()):
        key = hashlib.sha1(img.tobytes()).hexdigest()
        assert key in index and lab in index[key]


def test_classes_keep_exactly_the_images_of_those_labels():
    _require("mnist")
    full = data.load("mnist", "test", size=None)
    three = data.load("mnist", "test", size=None, classes=[3])
    assert set(three.y.tolist()) == {3} and len(three) == int((full.y == 3).sum())
    assert torch.equal(three.x, full.x[full.y == 3])                       # same images, same order
    rest = data.load("mnist", "test", size=None, classes=[c for c in range(10) if c != 3])
    assert len(rest) + len(three) == len(full) and 3 not in set(rest.y.tolist())
    sub = data.load("mnist", "test", n=20, seed=1, classes=(3, 5))
    assert len(sub) == 20 and set(sub.y.tolist()) <= {3, 5}
    assert torch.equal(sub.x, data.load("mnist", "test", n=20, seed=1, classes=(3, 5)).x)


def test_unknown_class_and_classes_of_a_synthetic_set_are_refused():
    _require("mnist")
    with pytest.raises(BadInput, match=r"class\(es\) \[11\].*labels are \[0, 1, 2"):
        data.load("mnist", "test", classes=[11])
    with pytest.raises(BadInput, match="synthetic and has no classes"):
        data.load("noise", "test", n=4, classes=[0])


def test_n_larger_than_set_warns_and_returns_all():
    _require("lsun_church")
    with pytest.warns(UserWarning, match="only 200"):
        s = data.load("lsun_church", "test", n=500, seed=0)
    assert len(s) == 200 and s.x.shape == (200, 3, 32, 32)
    # all images, each once: same multiset of images as the unsubsampled set
    full = data.load("lsun_church", "test")
    key = lambda t: sorted(hashlib.sha1(i.tobytes()).hexdigest() for i in t.x.numpy())  # noqa: E731
    assert key(s) == key(full)


def test_returned_sets_do_not_share_memory_with_the_cache():
    """Editing a loaded ImageSet in place (relabelling, masking) must not change later loads.

    Fails while loading.py returns ``torch.from_numpy(np.asarray(y))`` of the lru_cache'd label array
    when n is None: the labels of every later load of that split then carry the edit.
    """
    _require("lsun_church")
    loading._read_raw.cache_clear()
    try:
        first = data.load("lsun_church", "test", size=None)
        x0, y0 = first.x.clone(), first.y.clone()
        first.x.fill_(0)
        first.y.fill_(123)
        again = data.load("lsun_church", "test", size=None)
        assert torch.equal(again.x, x0), "image pixels of a later load changed"
        assert torch.equal(again.y, y0), "labels of a later load changed: ImageSet.y aliases the cached array"
    finally:
        loading._read_raw.cache_clear()


def test_n_must_be_positive():
    with pytest.raises(BadInput):
        data.load("noise", n=0)


def test_noise_is_seeded_and_uniform():
    a = data.load("noise", n=200, seed=0)
    b = data.load("noise", n=200, seed=0)
    c = data.load("noise", n=200, seed=1)
    assert a.x.shape == (200, 3, 32, 32) and a.x.dtype == torch.uint8
    assert torch.equal(a.x, b.x)
    assert not torch.equal(a.x, c.x)
    v = a.x.flatten().long()
    assert v.min() == 0 and v.max() == 255
    assert abs(v.float().mean().item() - 127.5) < 1.0
    counts = torch.bincount(v, minlength=256).float()
    expected = v.numel() / 256
    assert (counts > 0.8 * expected).all() and (counts < 1.2 * expected).all()
    assert (a.y == -1).all()


def test_constant_images_are_constant_per_image():
    a = data.load("constant", n=300, seed=0)
    b = data.load("constant", n=300, seed=0)
    c = data.load("constant", n=300, seed=4)
    assert a.x.shape == (300, 3, 32, 32) and a.x.dtype == torch.uint8
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)
    assert (a.x == a.x[:, :, :1, :1]).all()
    colours = a.x[:, :, 0, 0].float()
    assert colours.std(0).min() > 40          # colours vary across images
    assert abs(colours.mean().item() - 127.5) < 10


def test_synthetic_default_count_and_grey():
    s = data.load("noise", channels=1, seed=0)
    assert s.x.shape == (10_000, 1, 32, 32)


def test_vflip_flips_rows():
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.uint8).view(2, 1, 4, 4)
    s = data.ImageSet("toy", "test", x, torch.tensor([0, 1]))
    f = data.vflip(s)
    for r in range(4):
        assert torch.equal(f.x[:, :, r, :], x[:, :, 3 - r, :])
    assert torch.equal(f.y, s.y)
    assert torch.equal(data.vflip(f).x, x)
    assert f.name != s.name


def test_brightness_scales_and_clips():
    x = torch.tensor([0, 10, 100, 127, 128, 200, 255], dtype=torch.uint8).view(1, 1, 1, 7)
    s = data.ImageSet("toy", "test", x, torch.tensor([0]))
    up = data.brightness(s, 2.0).x.flatten().tolist()
    assert up == [0, 20, 200, 254, 255, 255, 255]
    down = data.brightness(s, 0.5).x.flatten().tolist()
    assert down == [round(v * 0.5) for v in [0, 10, 100, 127, 128, 200, 255]]
    assert data.brightness(s, 0.5).x.dtype == torch.uint8
    assert torch.equal(data.brightness(s, 1.0).x, x)
    assert (data.brightness(s, 0.0).x == 0).all()
    with pytest.raises(BadInput):
        data.brightness(s, -1.0)


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------

def test_unknown_dataset_lists_known_names():
    with pytest.raises(UnknownName) as e:
        data.load("mnsit")
    msg = str(e.value)
    assert "mnsit" in msg
    for known in ("mnist", "cifar10", "fmnist", "svhn"):
        assert known in msg
    assert isinstance(e.value, KeyError)


def test_missing_dataset_names_file_and_env_var(no_download):
    if data.is_available("svhn", "test"):
        pytest.skip("svhn is present here")
    with pytest.raises(DatasetMissing) as e:
        data.load("svhn", "test")
    msg = str(e.value)
    assert "svhn_test.npz" in msg
    assert "OODLIB_DATA" in msg
    assert isinstance(e.value, FileNotFoundError)


def test_unknown_split_raises_unknown_name():
    _require("mnist")
    with pytest.raises(UnknownName) as e:
        data.load("mnist", "validation")
    assert "validation" in str(e.value) and "test" in str(e.value)


def test_empty_data_dir_makes_mnist_missing(tmp_path, monkeypatch, no_download):
    monkeypatch.setenv("OODLIB_DATA", str(tmp_path))
    loading._read_raw.cache_clear()
    try:
        assert data.data_dir() == tmp_path
        assert not data.is_available("mnist", "test")
        with pytest.raises(DatasetMissing) as e:
            data.load("mnist", "test", n=4)
        assert "mnist_test.npz" in str(e.value)
        assert str(tmp_path) in str(e.value)
        assert data.verify("mnist") == {}
    finally:
        loading._read_raw.cache_clear()


# --------------------------------------------------------------------------------------------------
# check_images
# --------------------------------------------------------------------------------------------------

def test_check_images_rejects_non_tensors():
    with pytest.raises(BadInput, match="torch.Tensor"):
        check_images(np.zeros((1, 1, 32, 32), dtype=np.uint8))
    with pytest.raises(BadInput):
        check_images([[0]])


def test_check_images_rejects_3d():
    with pytest.raises(BadInput, match="4 dimensions"):
        check_images(torch.zeros(1, 32, 32, dtype=torch.uint8))


def test_check_images_rejects_wrong_channels():
    with pytest.raises(BadInput, match="channels"):
        check_images(torch.zeros(2, 1, 32, 32, dtype=torch.uint8), channels=3)


def test_check_images_rejects_wrong_size():
    with pytest.raises(BadInput, match="32"):
        check_images(torch.zeros(2, 3, 28, 28, dtype=torch.uint8), channels=3, size=32)


def test_check_images_rejects_nan():
    x = torch.zeros(1, 1, 4, 4)
    x[0, 0, 1, 1] = float("nan")
    with pytest.raises(BadInput, match="NaN"):
        check_images(x)


def test_check_images_rejects_unit_scaled_floats():
    x = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    with pytest.raises(BadInput, match="scaled"):
        check_images(x)


def test_check_images_rejects_out_of_range():
    with pytest.raises(BadInput, match="0..255"):
        check_images(torch.full((1, 1, 4, 4), 256.0))
    with pytest.raises(BadInput, match="0..255"):
        check_images(torch.full((1, 1, 4, 4), 300, dtype=torch.int64))
    with pytest.raises(BadInput):
        check_images(torch.full((1, 1, 4, 4), -1.0))


def test_check_images_accepts_integer_valued_floats_and_uint8():
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (2, 3, 8, 8), generator=gen).float()
    out = check_images(x, channels=3, size=8)
    assert out.dtype == torch.float32 and torch.equal(out, x)
    u = x.to(torch.uint8)
    out_u = check_images(u, channels=3, size=8)
    assert out_u.dtype == torch.float32 and torch.equal(out_u, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_images(x.double())


def test_single_split_sets_default_to_their_split_and_channels_are_checked():
    _require("pokemon", "all")
    assert data.load("pokemon", n=2).split == "all"
    with pytest.raises(BadInput, match="channels must be 1"):
        data.load("noise", n=2, channels=0)


def test_the_read_cache_follows_the_data_folder(tmp_path, monkeypatch, no_download):
    _require("mnist")
    data.load("mnist", "test", n=2)                       # cached for the real folder
    monkeypatch.setenv("OODLIB_DATA", str(tmp_path))
    with pytest.raises(DatasetMissing):
        data.load("mnist", "test", n=2)                   # not served from the other folder's cache


def test_perturb_replaces_a_fraction_mu_of_subpixels_uniformly():
    from oodlib.data import perturb

    x = torch.full((200, 3, 32, 32), 7, dtype=torch.uint8)
    y = perturb(x, 0.2, generator=torch.Generator().manual_seed(0))
    assert y.dtype == torch.uint8 and x.eq(7).all()        # a copy: the input is untouched
    changed = y != 7
    assert abs(changed.float().mean().item() - 0.2 * 255 / 256) < 0.005
    counts = torch.bincount(y[changed].long(), minlength=256).float()
    assert counts[7] == 0 and counts.std() / counts[counts > 0].mean() < 0.1   # the new values are ~uniform
    assert torch.equal(perturb(x, 0.0), x)
    with pytest.raises(BadInput, match="mu"):
        perturb(x, 1.5)
    with pytest.raises(BadInput, match="uint8"):
        perturb(x.float(), 0.2)


def test_a_dataset_file_is_read_through_an_uncompressed_copy_that_follows_the_file(tmp_path, monkeypatch):
    """The first read leaves an uncompressed copy in the cache; later reads give the same arrays from it; a file that
    changes (size or time) is read afresh, never served from the old copy."""
    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "toy_test.npz"
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (5, 4, 4, 1), dtype=np.uint8), np.arange(5, dtype=np.int32)
    np.savez_compressed(path, x=x, y=y)
    first = loading._read_npz(path)
    copies = list((tmp_path / "cache" / "arrays").glob("toy_test-*.npz"))
    assert len(copies) == 1
    again = loading._read_npz(path)
    for got in (first, again):
        np.testing.assert_array_equal(got[0], x)
        np.testing.assert_array_equal(got[1], y)
        assert got[0].dtype == np.uint8 and got[1].dtype == np.int64
    with np.load(copies[0]) as z:                     # the copy is stored, not compressed
        assert z.zip.infolist()[0].compress_type == 0
    np.savez_compressed(path, x=x[:3] // 2, y=y[:3])   # the file changes
    changed = loading._read_npz(path)
    np.testing.assert_array_equal(changed[0], x[:3] // 2)
    assert len(list((tmp_path / "cache" / "arrays").glob("toy_test-*.npz"))) == 2
