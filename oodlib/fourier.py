"""Fourier amplitude/phase mixing (Schirrmeister et al. S3, Fig. S1): the amplitudes of one image with the phases of
another, inverted back to pixels.

Per image and colour channel, with F the 2-D discrete Fourier transform over height and width,

    mixed = F⁻¹( |F(amplitude image)| · exp(i·arg F(phase image)) ),

whose real part is rounded and clipped to 0..255 (the supplement does not say how it returns to 8-bit images; the
imaginary part is round-off only where the two spectra are Hermitian, which both are). Semantic content follows the
phase image (Oppenheim & Lim 1981); S3's point is that a Glow's likelihood follows the amplitude image.
"""

from __future__ import annotations

import torch

from .checks import check_images
from .errors import BadInput


def mix_amplitude_phase(amplitude_images: torch.Tensor, phase_images: torch.Tensor) -> torch.Tensor:
    """Return uint8 images (B×C×H×W) with the Fourier amplitudes of ``amplitude_images`` and the phases of
    ``phase_images`` (both uint8 B×C×H×W of the same shape), channel by channel."""
    a = check_images(amplitude_images, name="amplitude_images")
    p = check_images(phase_images, name="phase_images")
    if a.shape != p.shape:
        raise BadInput(f"amplitude and phase images must have the same shape, got {tuple(a.shape)} and "
                       f"{tuple(p.shape)}")
    spectrum_a, spectrum_p = torch.fft.fft2(a.double()), torch.fft.fft2(p.double())
    mixed = torch.fft.ifft2(spectrum_a.abs() * torch.exp(1j * spectrum_p.angle())).real
    return mixed.round().clamp(0, 255).to(torch.uint8)


def mixing_pairs(images: torch.Tensor, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (amplitude images, phase images): ``images`` and a seeded derangement of them (no image is paired
    with itself), so that every image is an amplitude source once and a phase source once."""
    n = len(images)
    if n < 2:
        raise BadInput(f"mixing needs at least 2 images, got {n}")
    g = torch.Generator().manual_seed(seed)
    shift = int(torch.randint(1, n, (1,), generator=g))
    order = torch.randperm(n, generator=g)
    partner = torch.empty_like(order)
    partner[order] = order.roll(shift)          # a cyclic shift of a random order: never i -> i
    return images, images[partner]
