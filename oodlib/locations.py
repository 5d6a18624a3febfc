"""Where oodlib keeps things: committed weights, the model cache, the datasets and the results tables.

Each place is an environment variable, else what the program using oodlib configured (``configure``), else a
default that needs nothing but the user's home folder:

- checkpoints, ``$OODLIB_CHECKPOINTS``: weights committed with a project and their ``manifest.json``
  (``oodlib.cache`` looks there first); default none: models are trained, or found in the cache;
- cache, ``$OODLIB_CACHE``: trained models (``models/``), downloads, scratch; default ``~/.cache/oodlib``;
- data, ``$OODLIB_DATA``: the datasets' ``NAME_SPLIT.npz`` files; default ``datasets/`` in the cache;
- results, ``$OODLIB_RESULTS``: the results tables a book commits; default none.

The core never assumes a checkout of the book: the book layer (``oodlib.book.use_checkout``) configures the
checkout's folders, and hands them to the processes it starts with ``environment()``.
"""

from __future__ import annotations

import os
from pathlib import Path

VARIABLES = {"checkpoints": "OODLIB_CHECKPOINTS", "cache": "OODLIB_CACHE", "data": "OODLIB_DATA",
             "results": "OODLIB_RESULTS"}
_configured: dict[str, Path | None] = {}
_KEEP = object()


def configure(*, checkpoints=_KEEP, cache=_KEEP, data=_KEEP, results=_KEEP) -> None:
    """Set where things live when their environment variable is unset (a path, or None to forget it); a place not
    named keeps what it had."""
    for place, value in (("checkpoints", checkpoints), ("cache", cache), ("data", data), ("results", results)):
        if value is not _KEEP:
            _configured[place] = None if value is None else Path(value)


def _get(place: str) -> Path | None:
    env = os.environ.get(VARIABLES[place])
    return Path(env) if env else _configured.get(place)


def checkpoints() -> Path | None:
    """Return the folder of committed weights (``$OODLIB_CHECKPOINTS``, or as configured), or None: there are none."""
    return _get("checkpoints")


def cache() -> Path:
    """Return the cache folder: ``$OODLIB_CACHE``, or as configured, else ``~/.cache/oodlib``."""
    return _get("cache") or Path.home() / ".cache" / "oodlib"


def data() -> Path:
    """Return the folder of dataset files: ``$OODLIB_DATA``, or as configured, else ``datasets`` in the cache."""
    return _get("data") or cache() / "datasets"


def results() -> Path | None:
    """Return the folder of committed results tables (``$OODLIB_RESULTS``, or as configured), or None."""
    return _get("results")


def environment() -> dict[str, str]:
    """Return the environment variables that give a child process these locations (those that are set)."""
    where = {"checkpoints": checkpoints(), "cache": _get("cache"), "data": _get("data"), "results": results()}
    return {VARIABLES[place]: str(path) for place, path in where.items() if path is not None}
