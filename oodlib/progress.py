"""Progress bars (tqdm) that the book runner can silence with ``OODLIB_PROGRESS=0``."""

import os

from tqdm import tqdm


def progress_bar(iterable=None, enabled: bool = True, **kwargs):
    """Return a tqdm bar over ``iterable``; off when ``enabled`` is False or ``$OODLIB_PROGRESS`` is "0"."""
    off = not enabled or os.environ.get("OODLIB_PROGRESS") == "0"
    return tqdm(iterable, disable=off, mininterval=kwargs.pop("mininterval", 5), **kwargs)
