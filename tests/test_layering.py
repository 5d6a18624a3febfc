"""oodlib's two layers (DESIGN.md, "Two layers"): the core is usable without the book machinery, and imports run one
way, top-down, with no circle (issue 14, part 4; issue 26, part 3).

How the layers are derived, from the package as it is (no hand-kept lists):

- the modules are every module ``pkgutil.walk_packages`` finds in ``oodlib``;
- a module's imports are read from its source with ``ast``: the ``oodlib`` modules it names, relative imports
  resolved, at module level and inside functions alike (an import deferred into a function is an arrow all the same),
  plus the packages above each one it names (importing ``oodlib.data.loading`` runs ``oodlib.data`` first);
- the book machinery is ``oodlib.chapters`` and its subpackages, and every module that imports one of them, directly
  or through other modules of oodlib (the runner, the page kit, the zoo, the claims, ...);
- the core is every other module. ``oodlib.results``, ``oodlib.paper`` and ``oodlib.display`` are book machinery in
  spirit; they count as core for as long as they import nothing of the book, which is all the core must hold to.

A core module that took an arrow up to the book would only move itself into the book here, but every module the
chapters import would then sit on a circle, which ``test_no_import_circle`` reports.
"""

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from functools import lru_cache

import oodlib

BOOK_ROOT = "oodlib.chapters"


def _raise(name):
    raise ImportError(f"pkgutil.walk_packages could not import {name}")


@lru_cache(maxsize=1)
def modules() -> dict:
    """Return {module name: (source file, is a package)} of every module of oodlib."""
    found = {"oodlib": (oodlib.__file__, True)}
    for info in pkgutil.walk_packages(oodlib.__path__, "oodlib.", onerror=_raise):
        found[info.name] = (importlib.util.find_spec(info.name).origin, info.ispkg)
    return found


def _ancestors(name: str) -> set:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _named(module: str, is_package: bool, node) -> list[str]:
    """Return the oodlib modules an import statement of ``module`` names (a name that is no module: its package)."""
    known = modules()
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "oodlib"]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if prefix.split(".")[0] != "oodlib":
        return []
    return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in known else prefix for a in node.names]


@lru_cache(maxsize=1)
def import_graph() -> dict:
    """Return {module: the oodlib modules importing it runs}, from every import statement of its source; a module's
    own packages are left out (they are already being imported when it runs)."""
    known, graph = modules(), {}
    for name, (path, is_package) in known.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=path)
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _named(name, is_package, node):
                    targets |= ({target} | _ancestors(target)) & set(known)
        graph[name] = sorted(targets - {name} - _ancestors(name))
    return graph


def _reaches(graph: dict, start: str) -> set:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@lru_cache(maxsize=1)
def layers() -> tuple[list, list]:
    """Return (core modules, book modules), derived as the module docstring says."""
    graph = import_graph()
    in_book = lambda m: m == BOOK_ROOT or m.startswith(BOOK_ROOT + ".")      # noqa: E731
    book = sorted(m for m in graph if in_book(m) or any(in_book(r) for r in _reaches(graph, m)))
    return sorted(set(graph) - set(book)), book


def cycles(graph: dict) -> list[list[str]]:
    """Return one circle of imports per circle found by a depth-first search (each as [a, b, ..., a])."""
    state, stack, found = {}, [], []
    for root in sorted(graph):
        if root in state:
            continue
        state[root] = "open"
        stack.append(root)
        todo = [iter(graph[root])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[stack.pop()] = "done"
                todo.pop()
            elif state.get(nxt) == "open":                 # back to a module still being imported: a circle
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                state[nxt] = "open"
                stack.append(nxt)
                todo.append(iter(graph[nxt]))
    return found


def test_the_layers_are_derived_from_the_package():
    """The derivation sees both layers: the chapters, the runner and the page kit are book machinery; data, models,
    training, the scorers and metrics are core."""
    core, book = layers()
    assert {"oodlib.chapters", "oodlib.book", "oodlib.page", "oodlib.zoo"} <= set(book), book
    assert {"oodlib.data", "oodlib.models", "oodlib.train", "oodlib.cache", "oodlib.scores", "oodlib.metrics",
            "oodlib.locations"} <= set(core), core


def _book_modules_loaded_by(names: list[str]) -> list[str]:
    _, book = layers()
    probe = (f"import importlib, sys\nfor m in {names!r}: importlib.import_module(m)\n"
             f"print(' '.join(m for m in {book!r} if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()


def test_no_core_module_imports_the_book_machinery():
    """Importing every core module (in a fresh interpreter) loads no module of the book; that holds for each of them
    alone too, and where it fails each module is tried alone, in its own interpreter, to name the culprits."""
    core, _ = layers()
    if not _book_modules_loaded_by(core):
        return
    culprits = {m: loaded for m in core if (loaded := _book_modules_loaded_by([m]))}
    assert not culprits, "core modules import the book machinery (move what they need into the core): " + "; ".join(
        f"{m} loads {' '.join(loaded)}" for m, loaded in culprits.items())


def test_no_import_circle():
    """The graph of imports among oodlib's modules has no circle (imports run one way, top-down)."""
    found = cycles(import_graph())
    assert not found, "import circles among oodlib's modules:\n  " + "\n  ".join(" -> ".join(c) for c in found)


def test_the_circle_finder_finds_circles():
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]
    assert cycles({"a": ["b", "c"], "b": ["c"], "c": []}) == []


def test_penalties_do_not_import_the_scorers():
    out = subprocess.run([sys.executable, "-c", "import sys, oodlib.penalties; print('oodlib.scores' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False", "oodlib.penalties imports oodlib.scores: training must not depend on the scorers"
