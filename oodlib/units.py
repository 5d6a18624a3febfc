"""Units in one place: oodlib works in nats per image; bits/dim is for display only."""

import math

PIXEL_SCALE = 255.0   # ∂/∂x̃ = 255·∂/∂x for x̃ = x / 255 (ToTensor's [0, 1] scale, Chali et al.'s input)


def bits_per_dim(nll_nats, num_dims: int):
    """Return bits/dim = NLL / (D · ln 2) for an NLL in nats per image over D sub-pixels."""
    return nll_nats / (num_dims * math.log(2.0))


def nats_from_bits(bits):
    """Return a length in nats given one in bits (× ln 2)."""
    return bits * math.log(2.0)


def bits_from_nats(nats):
    """Return a length in bits given one in nats (÷ ln 2)."""
    return nats / math.log(2.0)
