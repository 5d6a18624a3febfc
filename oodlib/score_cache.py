"""Per-image scores cached by content: a page re-executed with unchanged models and scorers reads its scores.

Every ``Scorer.score`` (the base class's and every subclass's own ``score``, wrapped once in
``Scorer.__init_subclass__``) goes through ``call``: it computes a key, and on a hit returns the stored score
tensor (same dtype, same values, bit for bit) instead of scoring; on a miss it scores and stores the result.

What the key holds, and why (a SHA-256 over all of it):

- **The scorer, whole**: its class and every attribute, recursively (``digest_scorer``). That is its
  configuration (``k``, ``seed``, ``batch_size``, ``preconditioner``, ``layers``, ``erosion``, ...) *and* its
  fitted state, whatever ``fit`` stored: ROSE's Fisher and layer statistics, DoSE's standardisation and KDE /
  SVM (scikit-learn estimators by their parameters and fitted arrays; a KD-tree by its arrays, not its query
  counters), Mahalanobis's class means and covariance, G-ODIN's ε, Typicality's Ĥ, an NLL memo's contents.
  Tensors and arrays go in by dtype, shape, device type and bytes; functions (ROSE's ``log_lik``) by their code
  objects, defaults, closures and the globals they name.
- **The models, by their weights**: a model is an attribute of its scorer (``model``, LRatio's background,
  WAIC's members, ...), so every parameter and buffer goes in by its bytes, with every module's attributes
  (train/eval flags, configs). ``model.cache_key`` (the recipe hash ``oodlib.cache`` gives trained models) is
  *not* relied on: one key can stand for different weights (committed half-precision weights vs a local
  float32 copy, or per-epoch snapshots of one recipe), and models without one (built by hand, or fine-tuned in
  place) would not be covered. Hashing the weights costs ~0.1 s per 200 MB.
- **The code**: every ``.py`` of ``oodlib/scores/`` and ``oodlib/models/`` and every oodlib module they import,
  transitively (found by reading their ``import`` statements, also those inside functions: ``checks``,
  ``gradients``, ``ekfac``, ``erosions``, ``perceptual``, ``units``, ``data``, ...), plus the source files of
  any project class or function met in the scorer's attributes that lives outside them (a test's toy model, a
  page helper), with *their* imports (``code_digest``). A change to any of these files misses; a change to a
  page, a rule, a caption or a table does not. A file edited on disk after this process first saw it turns the
  cache off for the calls that depend on it (the code running is then not the code on disk).
- **The environment**: versions of Python, torch, numpy and the libraries scorers use (scikit-learn,
  pytorch-ood, lpips, Pillow, torchvision), torch's default dtype, float32 matmul precision, deterministic
  flag, TF32/cuDNN flags, the CPU's vector capability and the GPUs' names. Not the number of threads.
- **The images**: the tensor passed to ``score``, by dtype, shape, device type and bytes; and any keyword
  argument other than ``progress``.
- **The global random states before scoring**: torch's (``torch.get_rng_state()``, and the CUDA generators' where
  CUDA is initialised) always — torch starts every process from the same fixed seed, so they are reproducible
  from one run of a page to the next. numpy's global generator (``numpy.random.get_state()``) and Python's
  ``random`` are seeded from the operating system in every new process, so keying on them would miss on every
  run: they count only where the scoring drew from them (their state changed while it ran); the entry then
  records their states before, and a hit needs the current ones to be those. (A scorer that draws from them and
  puts their state back would be taken for one that does not; no oodlib scorer touches them.)

Randomness. A scorer may draw from the global RNGs. The states *after* scoring (torch's, and numpy's or
random's where it drew from them) are stored with the scores; a hit restores them, so what the page computes
afterwards sees the random stream a recomputation would have left, and results stay byte-identical. (Whatever
changes torch's stream before a score changes its key: a page that trains a model in the same process, rather
than loading it, reaches its scores in another random state than one that loads it, and misses once.)
A scorer's own generators are attributes, hence in the key; a scorer
that changes its own state while scoring (beyond what it declares: ``Scorer._cache_transient``, state
rebuilt at every call; ``Scorer._cache_side_fields``, state that ``Scorer._cache_hit`` replays on a hit, the
NLL memo) is found out — its state is digested again after a miss — and is not stored.

What is not cached (computed as before, counted as ``uncacheable``, reason logged at INFO on
``oodlib.score_cache``): a scorer with ``cache_scores = False``; a scorer holding another scorer that keeps
state across calls (IC or LRatio given a *shared* ``NLL(memo=True)``: the composite is not stored, its
member NLLs are, each with its memo); an attribute of a kind the digest does not know (then it
cannot tell two of them apart); nested calls inside a cached call (DoSE's NLL inside DoSE.score: the outer
result is stored); the scorer's other methods (``ROSE.layer_scores``, ``WAIC.log_likelihoods``, ...); and
``fit`` (ROSE's Fisher is estimated again at every run; an NLL pass inside a ``fit``, as Typicality's or DoSE's,
is a score and is cached).

Storage: ``$OODLIB_CACHE/scores/<first 2 hex digits>/<key>.pt`` (``oodlib.cache``'s folder), written atomically
(``oodlib.io.atomic_path``), read with ``torch.load(weights_only=True)`` — tensors, numbers and strings only;
the RNG states are stored as tensors and plain numbers. An unreadable or foreign file (another key, another
format, scores of the wrong shape) is refused with a warning and the scores are recomputed and stored again.

Flags: ``OODLIB_SCORE_CACHE=0`` turns the cache off (nothing read or written: scorers behave exactly as
without it; ``disabled()`` does the same in-process). ``OODLIB_RECOMPUTE_SCORES=1`` (or ``recompute()``)
scores again and overwrites; where an entry was there, a recomputed score that differs from it is counted in
``mismatches`` and warned about, which checks the cache is sound. Timings must not read the cache: wrap them
in ``disabled()``. ``stats()`` counts hits, misses, stores, uncacheable calls, refused entries and
mismatches; ``OODLIB_SCORE_CACHE_STATS=<file>`` makes a process keep those counts in a JSON file (for a runner
whose kernels are other processes).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import enum
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import pathlib
import random
import sys
import sysconfig
import threading
import types
import warnings
import weakref
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from . import locations
from .io import atomic_path, write_text

FORMAT = 1
OODLIB = Path(__file__).resolve().parent
_SELF = os.path.realpath(__file__)
CODE_PACKAGES = ("scores", "models")          # every file of these, and what they import from oodlib
LIBRARIES = ("torch", "numpy", "scikit-learn", "scipy", "pytorch-ood", "lpips", "pillow", "torchvision")

log = logging.getLogger("oodlib.score_cache")

_COUNTS = Counter()
_REASONS: dict[str, str] = {}
_local = threading.local()
_overrides = {"enabled": [], "recompute": []}


class Uncacheable(Exception):
    """The key of a call cannot be made safe; the call is computed and not stored."""


class ScoreCacheWarning(UserWarning):
    """A cache entry was refused (unreadable, foreign) or a recomputed score differed from the stored one."""


# ----------------------------------------------------------------------------- flags and counters
def enabled() -> bool:
    """Whether the score cache is on: ``OODLIB_SCORE_CACHE`` is not "0" (and no ``disabled()`` is active)."""
    if _overrides["enabled"]:
        return _overrides["enabled"][-1]
    return os.environ.get("OODLIB_SCORE_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def recompute_forced() -> bool:
    """Whether cached scores are ignored and recomputed (``OODLIB_RECOMPUTE_SCORES=1`` or ``recompute()``)."""
    if _overrides["recompute"]:
        return _overrides["recompute"][-1]
    return os.environ.get("OODLIB_RECOMPUTE_SCORES", "0").strip().lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def _override(name, value):
    _overrides[name].append(value)
    try:
        yield
    finally:
        _overrides[name].pop()


def disabled():
    """Context manager: no score is read from or written to the cache inside it (e.g. while timing a scorer)."""
    return _override("enabled", False)


def active():
    """Context manager: the cache is on inside it, whatever ``OODLIB_SCORE_CACHE`` says."""
    return _override("enabled", True)


def recompute():
    """Context manager: scores are recomputed (and stored again) inside it."""
    return _override("recompute", True)


def stats() -> dict:
    """Return the counts of this process: hits, misses, stored, uncacheable, refused, recomputed, mismatches."""
    keys = ("hits", "misses", "stored", "uncacheable", "refused", "recomputed", "mismatches")
    return {k: _COUNTS[k] for k in keys}


def uncacheable_reasons() -> dict:
    """Return {scorer class: why its calls were not cached} (the last reason seen for each)."""
    return dict(_REASONS)


def reset_stats() -> None:
    """Set every count to zero."""
    _COUNTS.clear()
    _REASONS.clear()


def _count(what: str) -> None:
    _COUNTS[what] += 1
    target = os.environ.get("OODLIB_SCORE_CACHE_STATS")
    if target:
        try:
            write_text(target, json.dumps(stats()))
        except OSError as err:                       # a report must never break scoring
            log.warning("could not write the score cache counts to %s: %s", target, err)


def score_dir() -> Path:
    """Return the folder of cached scores: ``scores/`` in oodlib's cache folder (``$OODLIB_CACHE``, default
    ``~/.cache/oodlib``), beside the model cache's ``models/``."""
    return locations.cache() / "scores"


def entry_path(key: str) -> Path:
    """Return the file of the cache entry ``key``."""
    return score_dir() / key[:2] / f"{key}.pt"


def clear() -> int:
    """Delete every cached score; return how many files went."""
    n = 0
    for f in score_dir().glob("*/*.pt"):
        f.unlink(missing_ok=True)
        n += 1
    return n


# ----------------------------------------------------------------------------- code
def _excluded_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        with contextlib.suppress(KeyError):
            roots.add(sysconfig.get_paths()[name])
    roots.update(p for p in sys.path if "site-packages" in p or "dist-packages" in p)
    return tuple(sorted({os.path.realpath(r) for r in roots if r}))


_EXCLUDED = _excluded_roots()


@functools.lru_cache(maxsize=4096)
def _project_file(path: str) -> str | None:
    p = os.path.realpath(path)
    if any(p == r or p.startswith(r + os.sep) for r in _EXCLUDED) or not os.path.isfile(p):
        return None
    return p


def project_file(path) -> str | None:
    """Return the real path of ``path`` if it is a source file of this project (not of Python or a library)."""
    if not path or not str(path).endswith(".py"):
        return None
    return _project_file(str(path))


def _stat(path: str):
    s = os.stat(path)
    return s.st_mtime_ns, s.st_size


_SEEN_STAT = {p: _stat(p) for p in map(str, OODLIB.rglob("*.py"))}   # the code as this process imported it
_FILE_HASH: dict[str, str] = {}
_IMPORTS: dict[str, tuple[str, ...]] = {}


def _file_hash(path: str) -> str:
    """Return the sha256 of a source file; Uncacheable if it changed on disk since this process first saw it."""
    seen = _SEEN_STAT.setdefault(path, _stat(path))
    if _stat(path) != seen:
        raise Uncacheable(f"{path} changed on disk since this process read it (the code running is not the code "
                          "on disk); restart the kernel to cache its scores again")
    if path not in _FILE_HASH:
        _FILE_HASH[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _FILE_HASH[path]


def _module_file(base: Path, parts: list[str]) -> list[str]:
    """Return the files of module ``base/parts...`` and of the packages on the way (their ``__init__``)."""
    out, d = [], base
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if (d / part).is_dir() and (d / part / "__init__.py").exists():
            d = d / part
            out.append(str(d / "__init__.py"))
        elif last and (d / f"{part}.py").exists():
            out.append(str(d / f"{part}.py"))
        else:
            return out
    return out


def _imports_of(path: str) -> tuple[str, ...]:
    """Return the project files that ``path`` imports (anywhere in it, functions included)."""
    if path in _IMPORTS:
        return _IMPORTS[path]
    found: set[str] = set()
    here = Path(path).parent
    try:
        tree = ast.parse(Path(path).read_bytes(), filename=path)
    except (SyntaxError, OSError):
        tree = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        targets = []                                     # (base folder, dotted parts, names imported from it)
        if isinstance(node, ast.Import):
            targets = [(None, a.name.split("."), []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module.split(".") if node.module else []
            if node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.parent
                targets = [(base, mod, [a.name for a in node.names])]
            else:
                targets = [(None, mod, [a.name for a in node.names])]
        for base, parts, names in targets:
            if base is None:
                top = sys.modules.get(parts[0]) if parts else None
                top_file = project_file(getattr(top, "__file__", None)) if top is not None else None
                if parts and parts[0] == OODLIB.name:
                    base = OODLIB.parent
                elif top_file and Path(top_file).name == "__init__.py":
                    base = Path(top_file).parent.parent
                elif top_file:
                    found.add(top_file)
                    continue
                else:
                    continue
            files = _module_file(base, parts) if parts else []
            found.update(files)
            pkg = base.joinpath(*parts)
            for name in names:                           # "from . import data": a submodule, or a name in __init__
                sub = _module_file(pkg, [name])
                found.update(sub if sub else ([str(pkg / "__init__.py")] if (pkg / "__init__.py").exists() else []))
    _IMPORTS[path] = tuple(sorted(p for p in (project_file(f) for f in found) if p))
    return _IMPORTS[path]


def code_files(extra=()) -> list[str]:
    """Return the source files a score depends on: ``oodlib/scores``, ``oodlib/models``, the files ``extra`` (of
    project classes and functions met in a scorer) and every project file they import, transitively."""
    return list(_code_files(tuple(sorted(set(extra)))))


@functools.lru_cache(maxsize=256)
def _code_files(extra: tuple) -> tuple:
    todo = [str(p) for pkg in CODE_PACKAGES for p in sorted((OODLIB / pkg).rglob("*.py"))]
    todo += [p for p in extra if p]
    done: set[str] = set()
    while todo:
        f = os.path.realpath(todo.pop())
        if f in done or f == _SELF:         # this module is the cache, not scoring code (FORMAT versions its entries)
            continue
        done.add(f)
        todo.extend(_imports_of(f))
    return tuple(sorted(done))


def code_digest(extra=()) -> str:
    """Return the sha256 of the code a score depends on (``code_files``), by each file's path and contents."""
    h = hashlib.sha256()
    root = str(OODLIB.parent)
    for f in code_files(extra):
        name = os.path.relpath(f, root) if f.startswith(root + os.sep) else f
        h.update(f"{name}\0{_file_hash(f)}\0".encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _versions() -> tuple:
    out = [("python", sys.version), ("torch build", torch.__version__, torch.version.cuda)]
    for name in LIBRARIES:
        try:
            out.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            out.append((name, None))
    return tuple(out)


def environment() -> tuple:
    """Return what besides code and data changes numerics: library versions, torch's numerics flags, hardware."""
    cuda = ()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        cuda = tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return (_versions(), str(torch.get_default_dtype()), torch.get_float32_matmul_precision(),
            torch.are_deterministic_algorithms_enabled(), torch.backends.cuda.matmul.allow_tf32,
            torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark,
            torch.backends.cpu.get_cpu_capability(), cuda)


# ----------------------------------------------------------------------------- the digest of objects
_PLAIN = (type(None), bool, int, float, complex, str, bytes)
_BY_REPR = (torch.dtype, torch.device, torch.layout, torch.memory_format, range, slice, pathlib.PurePath,
            type(Ellipsis), enum.Enum)


class _Digest:
    """A sha256 fed with an unambiguous serialisation of Python objects; collects project source files."""

    def __init__(self, root=None):
        self.h = hashlib.sha256()
        self.seen: dict[int, int] = {}
        self.keep: list = []                 # keeps every visited object alive, so that ids are not reused
        self.files: set[str] = set()
        self.root = root

    def tag(self, t: str, *parts) -> None:
        for part in (t, *parts):
            b = str(part).encode("utf-8", "surrogatepass")
            self.h.update(len(b).to_bytes(8, "little") + b)
        self.h.update(b"\x00" * 8)

    def raw(self, b) -> None:
        mv = memoryview(b).cast("B")
        self.h.update(len(mv).to_bytes(8, "little"))
        self.h.update(mv)

    def hexdigest(self) -> str:
        return self.h.hexdigest()

    def _ref(self, obj) -> bool:
        """Return True (and feed a back-reference) if ``obj`` was fed already."""
        i = self.seen.get(id(obj))
        if i is not None:
            self.tag("ref", i)
            return True
        self.seen[id(obj)] = len(self.seen)
        self.keep.append(obj)
        return False

    def add_file_of(self, module_name) -> None:
        mod = sys.modules.get(module_name or "")
        f = project_file(getattr(mod, "__file__", None))
        if f:
            self.files.add(f)

    # --------------------------------------------------------------- leaves
    def tensor(self, t: torch.Tensor) -> None:
        t = t.detach()
        if t.layout != torch.strided or t.is_quantized or t.device.type == "meta":
            raise Uncacheable(f"a {t.layout} {'quantized ' if t.is_quantized else ''}tensor on {t.device}")
        self.tag("tensor", t.dtype, tuple(t.shape), t.device.type)
        c = t.to("cpu").resolve_conj().resolve_neg().contiguous()
        self.raw(c.reshape(-1).view(torch.uint8).numpy())

    def array(self, a: np.ndarray) -> None:
        self.tag("ndarray", a.dtype.str, a.shape)
        if a.dtype.hasobject:
            for v in a.ravel():
                self.feed(v)
        else:
            self.raw(np.ascontiguousarray(a).tobytes())

    def code(self, co: types.CodeType) -> None:
        self.tag("code", co.co_qualname if hasattr(co, "co_qualname") else co.co_name, co.co_argcount,
                 co.co_kwonlyargcount, co.co_flags, co.co_names, co.co_varnames, co.co_freevars, co.co_cellvars)
        self.raw(co.co_code)
        for c in co.co_consts:
            self.code(c) if isinstance(c, types.CodeType) else self.feed(c)
        f = project_file(co.co_filename)
        if f:
            self.files.add(f)

    def _names(self, co: types.CodeType):
        yield from co.co_names
        for c in co.co_consts:
            if isinstance(c, types.CodeType):
                yield from self._names(c)

    def function(self, fn: types.FunctionType) -> None:
        self.tag("function", fn.__module__, fn.__qualname__)
        self.code(fn.__code__)
        self.feed(fn.__defaults__)
        self.feed(fn.__kwdefaults__)
        for cell in fn.__closure__ or ():
            try:
                self.feed(cell.cell_contents)
            except ValueError:                          # an empty cell
                self.tag("empty cell")
        g = fn.__globals__
        for name in dict.fromkeys(self._names(fn.__code__)):   # the globals it reads, in order
            if name in g:
                v = g[name]
                self.tag("global", name)
                if isinstance(v, types.ModuleType):
                    self.tag("module", v.__name__)
                    self.add_file_of(v.__name__)
                else:
                    self.feed(v)

    def klass(self, cls: type) -> None:
        self.tag("class", cls.__module__, cls.__qualname__)
        if self._ref(cls):
            return
        mod = sys.modules.get(cls.__module__)
        f = getattr(mod, "__file__", None)
        if project_file(f):
            self.files.add(project_file(f))
        elif f is None and cls.__module__ not in sys.builtin_module_names and cls.__module__ != "builtins":
            # defined where there is no file (a notebook cell): its methods' code is all there is to go on
            for base in cls.__mro__[1:]:
                self.tag("base", base.__module__, base.__qualname__)
            for name, v in vars(cls).items():
                if isinstance(v, (types.FunctionType, staticmethod, classmethod, property)) or name in ("__slots__",):
                    self.tag("member", name)
                    self.feed(v)

    # --------------------------------------------------------------- objects
    def scorer_state(self, scorer) -> dict:
        """The attributes of a scorer that define its scores (``Scorer._cache_state``)."""
        state = getattr(scorer, "_cache_state", None)
        return state() if callable(state) else dict(vars(scorer))

    def feed(self, obj) -> None:
        if isinstance(obj, _PLAIN):
            self.tag(type(obj).__name__, repr(obj))
        elif isinstance(obj, torch.Tensor):
            if not self._ref(obj):
                self.tensor(obj)
        elif isinstance(obj, np.ndarray):
            if not self._ref(obj):
                self.array(obj)
        elif isinstance(obj, np.generic):
            self.tag("npscalar", obj.dtype.str, repr(obj.item()))
        elif isinstance(obj, _BY_REPR):
            self.tag(type(obj).__qualname__, repr(obj))
        elif isinstance(obj, torch.Generator):
            self.tag("generator", obj.device)
            self.tensor(obj.get_state())
        elif isinstance(obj, (list, tuple)):
            if not self._ref(obj):
                self.tag(type(obj).__qualname__, len(obj))
                for v in obj:
                    self.feed(v)
        elif isinstance(obj, dict):
            if not self._ref(obj):
                self.tag(type(obj).__qualname__, len(obj))
                for k, v in obj.items():
                    self.feed(k)
                    self.feed(v)
        elif isinstance(obj, (set, frozenset)):
            parts = []
            for v in obj:
                d = _Digest()
                d.feed(v)
                self.files |= d.files
                parts.append(d.hexdigest())
            self.tag(type(obj).__qualname__, *sorted(parts))
        elif isinstance(obj, type):
            self.klass(obj)
        elif isinstance(obj, types.FunctionType):
            if not self._ref(obj):
                self.function(obj)
        elif isinstance(obj, types.MethodType):
            self.tag("method")
            self.feed(obj.__func__)
            self.feed(obj.__self__)
        elif isinstance(obj, (staticmethod, classmethod)):
            self.tag(type(obj).__name__)
            self.feed(obj.__func__)
        elif isinstance(obj, property):
            self.tag("property")
            self.feed((obj.fget, obj.fset, obj.fdel))
        elif isinstance(obj, functools.partial):
            self.tag("partial")
            self.feed((obj.func, obj.args, obj.keywords))
        elif isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
            self.tag("builtin", getattr(obj, "__module__", None), obj.__qualname__)
            if getattr(obj, "__self__", None) is not None and not isinstance(obj.__self__, types.ModuleType):
                self.feed(obj.__self__)
        elif isinstance(obj, types.ModuleType):
            self.tag("module", obj.__name__)
            self.add_file_of(obj.__name__)
        elif isinstance(obj, weakref.ref):
            self.tag("weakref")
            self.feed(obj())
        elif self._ref(obj):
            return
        elif _is_scorer(obj):
            if obj is not self.root and getattr(obj, "_score_side_state", lambda: False)():
                raise Uncacheable(f"it holds a {type(obj).__name__} that keeps state across calls (a shared memo): "
                                  "its member scorer's calls are cached instead")
            self._object(obj, self.scorer_state(obj))
        elif type(obj).__module__.startswith("sklearn.neighbors") and callable(getattr(obj, "get_arrays", None)):
            self.klass(type(obj))                           # a KD-/ball tree: its arrays, not its query counters
            self.feed(obj.get_arrays())
            self.feed((obj.leaf_size if hasattr(obj, "leaf_size") else None, getattr(obj, "valid_metrics", None)))
        elif dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__") or hasattr(type(obj), "__slots__"):
            state = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
            for cls in type(obj).__mro__:
                for slot in getattr(cls, "__slots__", ()) if not isinstance(getattr(cls, "__slots__", ()), str) \
                        else (cls.__slots__,):
                    if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                        state[slot] = getattr(obj, slot)
            self._object(obj, state)
        else:
            raise Uncacheable(f"an attribute of type {type(obj).__module__}.{type(obj).__qualname__} cannot be told "
                              "apart by content")

    def _object(self, obj, state: dict) -> None:
        self.tag("object")
        for cls in type(obj).__mro__:
            if cls is not object:
                self.klass(cls)
        self.tag("state", len(state))
        for k, v in state.items():
            self.tag("attr", k)
            self.feed(v)


def _is_scorer(obj) -> bool:
    """Whether ``obj`` is an oodlib scorer (it names its cache state, as ``oodlib.scores.base.Scorer`` does); told by
    its face rather than its class, so that this module, which the scorers import, imports none of them."""
    return callable(getattr(type(obj), "_cache_state", None)) and callable(getattr(obj, "score", None))


def digest_scorer(scorer) -> tuple[str, str, set]:
    """Return (sha256 of the scorer's class, configuration, fitted state and models; sha256 of the state it keeps
    across calls, ``_cache_side_fields``; the project files met)."""
    d = _Digest(root=scorer)
    if _is_scorer(scorer):
        state = d.scorer_state(scorer)
        side = {k: state.pop(k) for k in getattr(scorer, "_cache_side_fields", ()) if k in state}
        d._ref(scorer)
        d._object(scorer, state)
    else:
        side = {}
        d.feed(scorer)
    s = _Digest()
    s.feed(side)
    return d.hexdigest(), s.hexdigest(), d.files | s.files


def digest_images(x, kwargs: dict | None = None) -> str:
    """Return the sha256 of the images (dtype, shape, device type, bytes) and the extra keyword arguments."""
    d = _Digest()
    d.feed(x)
    d.feed(kwargs or {})
    return d.hexdigest()


# ----------------------------------------------------------------------------- random states
def rng_states() -> dict:
    """Return the global random states (torch, CUDA where initialised, numpy, random) as tensors and numbers."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    out = {"torch": torch.get_rng_state(),
           "numpy": {"name": name, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                     "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
           "random": {"version": int(version), "internal": torch.tensor(internal, dtype=torch.int64),
                      "gauss_next": gauss_next}}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        out["cuda"] = list(torch.cuda.get_rng_state_all())
    return out


ALWAYS_KEYED = ("torch", "cuda")     # the same in every fresh process (torch's fixed default seeds): always in the key
IF_DRAWN = ("numpy", "random")       # seeded from the OS in every process: keyed where a scoring drew from them


def _check_state(name: str, st):
    """Return the argument of ``name``'s setter for the stored state ``st``, or raise ValueError."""
    if name == "torch":
        if not (isinstance(st, torch.Tensor) and st.dtype == torch.uint8 and st.dim() == 1):
            raise ValueError("bad torch random state")
        return st
    if name == "cuda":
        if not (isinstance(st, list) and all(isinstance(v, torch.Tensor) and v.dtype == torch.uint8 for v in st)):
            raise ValueError("bad CUDA random state")
        return st
    if name == "numpy":
        keys = st["keys"]
        if not (isinstance(keys, torch.Tensor) and keys.shape == (624,)):
            raise ValueError("bad numpy random state")
        return (str(st["name"]), keys.numpy().astype(np.uint32), int(st["pos"]), int(st["has_gauss"]),
                float(st["cached_gaussian"]))
    if name == "random":
        internal, gauss = st["internal"], st["gauss_next"]
        if not (isinstance(internal, torch.Tensor) and internal.dim() == 1):
            raise ValueError("bad random state")
        return (int(st["version"]), tuple(int(v) for v in internal.tolist()), None if gauss is None else float(gauss))
    raise ValueError(f"unknown random state {name!r}")


_SETTERS = {"torch": torch.set_rng_state, "numpy": np.random.set_state, "random": random.setstate,
            "cuda": lambda st: torch.cuda.set_rng_state_all(st) if torch.cuda.is_available() else None}


def _rng_setter(states: dict):
    """Return a function that sets the global random states ``states`` (all checked first: a bad entry sets none)."""
    checked = [(name, _check_state(name, st)) for name, st in states.items()]

    def apply():
        for name, st in checked:
            _SETTERS[name](st)
    return apply


def _state_digest(st) -> str:
    d = _Digest()
    d.feed(st)
    return d.hexdigest()


def _drawn(before: dict, after: dict) -> dict:
    """Return {name: state before} of the OS-seeded generators (numpy, random) that a scoring drew from."""
    return {name: before[name] for name in IF_DRAWN if _state_digest(before[name]) != _state_digest(after[name])}


# ----------------------------------------------------------------------------- the hook
def _key(scorer, fn, x, kwargs) -> tuple[str, str, dict]:
    """Return (key, the scorer's digest, the random states before) of one call."""
    scorer_hex, side_hex, files = digest_scorer(scorer)
    before = rng_states()
    d = _Digest()
    d.tag("oodlib score cache", FORMAT, fn.__module__, fn.__qualname__)
    d.tag("scorer", scorer_hex, side_hex)
    d.tag("code", code_digest(sorted(files)))
    d.feed(environment())
    d.tag("images", digest_images(x, kwargs))
    d.tag("rng")
    d.feed({name: before[name] for name in ALWAYS_KEYED if name in before})
    return d.hexdigest(), scorer_hex, before


UNMET = "unmet"        # a valid entry, computed when numpy's or random's state (which it drew from) was another


def _load(path: Path, key: str, n: int | None, before: dict):
    """Return (scores, rng setter) of the entry at ``path``; None where there is none, or where it is unreadable or
    foreign (with a warning); ``UNMET`` where it drew from numpy's or random's generator in another state."""
    if not path.exists():
        return None
    try:
        entry = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            raise ValueError(f"not a score cache entry of format {FORMAT}")
        if entry.get("key") != key:
            raise ValueError(f"it holds the scores of key {str(entry.get('key'))[:16]}…, not of this one")
        scores = entry["scores"]
        if not isinstance(scores, torch.Tensor) or scores.dim() != 1 or (n is not None and scores.shape[0] != n):
            raise ValueError(f"its scores have shape {tuple(getattr(scores, 'shape', ()))}, expected ({n},)")
        drawn, after = entry["rng_drawn"], entry["rng_after"]
        if not (isinstance(drawn, dict) and set(drawn) <= set(IF_DRAWN) and isinstance(after, dict)
                and "torch" in after and set(after) <= {*ALWAYS_KEYED, *drawn}):
            raise ValueError("its random states are not those of a score cache entry")
        for name, st in drawn.items():
            _check_state(name, st)
        setter = _rng_setter(after)
        device = torch.device(entry.get("device", "cpu"))
    except Exception as err:  # noqa: BLE001  (unreadable, foreign objects refused by weights_only, wrong contents)
        _count("refused")
        warnings.warn(f"score cache: refused {path} ({type(err).__name__}: {err}); recomputing the scores and "
                      "storing them again", ScoreCacheWarning, stacklevel=4)
        return None
    if any(_state_digest(st) != _state_digest(before[name]) for name, st in drawn.items()):
        return UNMET
    return scores.to(device), setter


def _store(path: Path, key: str, scores: torch.Tensor, before: dict, after: dict, scorer) -> None:
    drawn = _drawn(before, after)
    entry = {"format": FORMAT, "key": key, "scores": scores.detach().cpu().clone(),
             "rng_after": {name: after[name] for name in (*ALWAYS_KEYED, *drawn) if name in after},
             "rng_drawn": drawn, "device": str(scores.device), "scorer": type(scorer).__qualname__}
    try:
        with atomic_path(path) as tmp:
            torch.save(entry, tmp)
    except OSError as err:                              # a full disk must not lose the scores just computed
        warnings.warn(f"score cache: could not store {path} ({err}); the scores are returned uncached",
                      ScoreCacheWarning, stacklevel=4)
        return
    _count("stored")


def _uncacheable(scorer, why: str) -> None:
    name = type(scorer).__qualname__
    if _REASONS.get(name) != why:
        log.info("score cache: %s not cached: %s", name, why)
    _REASONS[name] = why
    _count("uncacheable")


def call(scorer, fn, x, progress=False, **kwargs):
    """Return ``fn(scorer, x, progress, **kwargs)``, read from the cache where the same call was stored."""
    busy = _local.__dict__.setdefault("busy", set())
    if not enabled() or getattr(_local, "inside", False) or id(scorer) in busy:
        return fn(scorer, x, progress, **kwargs)
    busy.add(id(scorer))
    try:
        if not getattr(scorer, "cache_scores", True):
            _uncacheable(scorer, f"{type(scorer).__qualname__}.cache_scores is False")
            return fn(scorer, x, progress, **kwargs)
        try:
            key, scorer_hex, before = _key(scorer, fn, x, kwargs)
        except Uncacheable as why:
            _uncacheable(scorer, str(why))
            return fn(scorer, x, progress, **kwargs)
        except Exception as err:  # noqa: BLE001  (a bug in the digest must not stop a page: score uncached)
            log.warning("score cache: the key of %s failed (%s: %s); scoring without the cache",
                        type(scorer).__qualname__, type(err).__name__, err)
            _uncacheable(scorer, f"key failed: {type(err).__name__}: {err}")
            return fn(scorer, x, progress, **kwargs)
        path = entry_path(key)
        n = int(x.shape[0]) if hasattr(x, "shape") and len(x.shape) else None
        forced = recompute_forced()
        old = _load(path, key, n, before)
        if old is UNMET:
            old = None
        if old is not None and not forced:
            scores, set_rng = old
            set_rng()
            hit = getattr(scorer, "_cache_hit", None)
            if callable(hit):
                hit(x, scores)
            _count("hits")
            return scores
        _count("recomputed" if forced else "misses")
        _local.inside = True
        try:
            scores = fn(scorer, x, progress, **kwargs)
        finally:
            _local.inside = False
        after = rng_states()
        if not isinstance(scores, torch.Tensor) or scores.dim() != 1 or scores.requires_grad or (
                n is not None and scores.shape[0] != n):
            _uncacheable(scorer, "its score is not a one-dimensional tensor without gradient, one value per image")
            return scores
        try:
            changed = digest_scorer(scorer)[0] != scorer_hex
        except Uncacheable:
            changed = True
        if changed:
            _uncacheable(scorer, "score() changed the scorer's own state (or its models'); declare rebuilt state "
                                 "in _cache_transient, or replay it in _cache_hit with _cache_side_fields")
            return scores
        if forced and old is not None and not torch.equal(old[0].cpu(), scores.detach().cpu()):
            _count("mismatches")
            warnings.warn(f"score cache: {type(scorer).__qualname__} recomputed scores that differ from the "
                          f"stored ones ({path}); the key misses something that changes them, or the scorer is not "
                          "deterministic", ScoreCacheWarning, stacklevel=3)
        _store(path, key, scores, before, after, scorer)
        return scores
    finally:
        busy.discard(id(scorer))


def cached_score(fn):
    """Wrap a scorer's ``score(self, x, progress=False, **kwargs)`` with the cache (``Scorer`` does it for every
    subclass that defines its own ``score``)."""
    if getattr(fn, "_score_cached", False):
        return fn

    @functools.wraps(fn)
    def score(self, x, progress: bool = False, **kwargs):
        return call(self, fn, x, progress, **kwargs)

    score._score_cached = True
    score.__wrapped_score__ = fn
    return score
