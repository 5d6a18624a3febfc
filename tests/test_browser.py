"""The built book in a real browser: every page of the toc opened in headless Chromium at a 1280 px window.

Builds the HTML from the committed executed pages (``oodlib.book.build()``, no execution; about 2 s here),
serves _build/html on 127.0.0.1 and fails, per page and per check, on a broken image, a table wider than
the content column, raw MyST/Markdown/LaTeX, "NaN" or "()" in the text a reader sees, and a broken
internal link or #fragment (tests/browser_checks.py says exactly what each check looks at). A screenshot of
each whole page goes to _build/screenshots/<page>.png.

    .venv/bin/python -m pytest -m browser tests/test_browser.py       # or: make test-browser

``OODBOOK_REUSE_BUILD=1`` checks the _build/html already there instead of building it first.
Needs the Debian packages chromium and chromium-driver (scripts/setup.sh installs them as root); where they
are absent these tests are skipped. The first tests check the checks on small synthetic pages.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import pytest
import yaml

import browser_checks as bc

REPO = Path(__file__).resolve().parents[1]
HTML = REPO / "_build" / "html"
SCREENSHOTS = REPO / "_build" / "screenshots"
REUSE = os.environ.get("OODBOOK_REUSE_BUILD", "") not in ("", "0")
WHY_NOT = bc.missing()

pytestmark = [pytest.mark.browser, pytest.mark.skipif(WHY_NOT is not None, reason=f"browser tests: {WHY_NOT}")]


def toc_pages() -> list[str]:
    """Return every file the toc lists, in order (e.g. 'book/intro', 'book/rose/s3_1_likelihood_fails')."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                pages.append(e["file"])
            for key in ("sections", "chapters"):
                walk(e.get(key))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


PAGES = toc_pages()
PAGE_IDS = [p.removeprefix("book/") for p in PAGES]


# --- fixtures ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    driver = bc.start_browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def build_result():
    """Build _build/html from the committed pages (unless OODBOOK_REUSE_BUILD=1); return (exit code, seconds)."""
    if REUSE and HTML.is_dir():
        return None, 0.0
    from oodlib import book

    t0 = time.time()
    rc = book.build()
    return rc, time.time() - t0


@pytest.fixture(scope="session")
def book_url(build_result):
    with bc.Server(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def inspected(browser, book_url):
    """Return a function page -> {check: [problem, …]}; each page is opened once per session."""
    cache = {}

    def get(page: str) -> dict:
        if page not in cache:
            rel = page + ".html"
            if not (HTML / rel).is_file():
                pytest.fail(f"{page}: {HTML.relative_to(REPO) / rel} was not built", pytrace=False)
            shot = SCREENSHOTS / (page.removeprefix("book/") + ".png")
            cache[page] = bc.inspect_page(browser, book_url, HTML, rel, screenshot=shot)
        return cache[page]

    return get


# --- the checks themselves, on synthetic pages ------------------------------------------------------------

def _png(width: int, height: int) -> bytes:
    """A tiny valid grey PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# Shaped like a sphinx-book-theme page: a 740 px article with 32 px padding (a 676 px content column),
# myst-nb code cells (source in .cell_input, outputs in .cell_output, DataFrames in an overflow:auto div).
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>t</title><style>
body {{ margin: 0; font: 16px sans-serif; }}
article.bd-article {{ width: 740px; padding: 0 32px; box-sizing: border-box; }}
div.output {{ overflow: auto; }} td, th {{ padding: 2px 8px; white-space: nowrap; }}
</style></head><body><main><article class="bd-article"><section id="top"><h1>Title</h1>
<p>Prose with <code class="docutils literal">fit()</code>, <code>NaN</code> and <code>{{ref}}`x`</code> as inline code,
math <span class="math notranslate nohighlight">\\(\\frac{{a}}{{b}}\\)</span>, a <a href="other.html#there">link</a>,
a <a href="#top">self link</a>, <a href="https://example.org/x.html">an external one</a> and an image:
<img src="ok.png" alt="fine"></p>
<div class="cell docutils container"><div class="cell_input docutils container"><div class="highlight-ipython3"><pre>
x = float("NaN"); f() # ```{{math}}``` $$ \\frac ](
</pre></div></div><div class="cell_output docutils container"><div class="output text_html"><div>
<table class="dataframe"><thead><tr><th></th><th>AUROC</th></tr></thead>
<tbody><tr><th>mnist</th><td>0.98</td></tr><tr><th>celeba</th><td>—</td></tr></tbody></table></div></div>
<div class="output stream highlight-myst-ansi"><pre>AUROC 0.981 (95% interval 0.97–0.99)</pre></div></div></div>
<pre>a code block in the prose: f() NaN ```</pre>
{body}
</section></article></main></body></html>"""

DEFECTS = {
    "image": ('<img alt="no source">', "has no src"),
    "image-missing-file": ('<img src="nowhere.png" alt="gone">', "nowhere.png did not load"),
    "table-width": ('<div class="output text_html"><div><table class="dataframe"><thead><tr><th>wide</th></tr>'
                    '</thead><tbody><tr><td><div style="width: 3000px">x</div></td></tr></tbody></table></div></div>',
                    "content column is 676 px"),
    "table-width-scroll": ('<div style="width: 300px; overflow-x: auto"><table><tr><td>'
                           '<div style="width: 500px">x</div></td></tr></table></div>', "needs sideways scrolling"),
    "nan": ("<p>The paper gives NaN for it.</p>", "NaN in «The paper gives NaN for it.»"),
    "nan-in-table": ('<div class="cell_output"><table><thead><tr><th></th><th>paper</th></tr></thead>'
                     '<tbody><tr><th>omniglot</th><td>NaN</td></tr></tbody></table></div>', "column «paper»"),
    "empty-parens": ("<p>0 of 2 cells hold ().</p>", "«()»"),
    "raw-markup": ("<p>See {ref}`sec-x` and $\\alpha$.</p>", "MyST role"),
    "raw-latex": ("<p>where \\frac{a}{b} is the ratio</p>", "a LaTeX command"),
    "raw-fence": ('<div class="cell_output"><pre>```{math}\nx\n```</pre></div>', "code fence"),
    "link": ('<p><a href="other.html#nowhere">bad fragment</a></p>', "has no id 'nowhere'"),
    "link-missing-file": ('<p><a href="missing.html">gone</a></p>', "missing.html does not exist"),
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("synthetic-book")
    (root / "ok.png").write_bytes(_png(40, 20))
    (root / "other.html").write_text('<!doctype html><html><body><p id="there">there</p></body></html>')
    (root / "clean.html").write_text(PAGE.format(body=""))
    for name, (snippet, _) in DEFECTS.items():
        (root / f"{name}.html").write_text(PAGE.format(body=snippet))
    with bc.Server(root) as url:
        yield lambda name, shot=None: bc.inspect_page(browser, url, root, f"{name}.html", screenshot=shot)


def test_a_page_without_defects_passes_every_check(synthetic, tmp_path):
    shot = tmp_path / "clean.png"
    found = synthetic("clean", shot)
    assert found == {check: [] for check in bc.CHECKS}
    assert shot.stat().st_size > 1000 and shot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_each_check_fails_on_its_defect(synthetic, defect):
    snippet, expected = DEFECTS[defect]
    check = next(c for c in bc.CHECKS if defect.startswith(c) or (defect.startswith("raw") and c == "raw-markup"))
    found = synthetic(defect)
    assert any(expected in problem for problem in found[check]), f"{defect}: {check} found {found[check]}"
    others = {c: v for c, v in found.items() if c != check and v}
    assert not others, f"{defect}: other checks fired too: {others}"


# --- the book -----------------------------------------------------------------------------------------------

def test_the_book_builds_without_warnings(build_result):
    rc, seconds = build_result
    if rc is None:
        pytest.skip("OODBOOK_REUSE_BUILD=1: checking the _build/html already there")
    assert rc == 0, f"python -m oodlib.book build exited {rc} after {seconds:.0f} s (warnings are errors)"


@pytest.mark.parametrize("check", bc.CHECKS)
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_in_chromium(page, check, inspected):
    problems = inspected(page)[check]
    if problems:
        pytest.fail(f"{page}: {check}: {len(problems)} problem(s) at a {bc.WINDOW[0]} px window "
                    f"(screenshot: _build/screenshots/{page.removeprefix('book/')}.png)\n  - "
                    + "\n  - ".join(problems),
                    pytrace=False)
