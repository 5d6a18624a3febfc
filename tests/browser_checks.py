"""Check built book pages in headless Chromium (the Debian packages `chromium` and `chromium-driver`).

Used by tests/test_browser.py. Nothing is downloaded: the driver is Debian's /usr/bin/chromedriver, passed
to Selenium explicitly (so Selenium Manager never runs), and Chromium resolves no host but 127.0.0.1, where
a thread serves the built HTML. ``inspect_page`` opens one page at a 1280 px wide window and returns, per
check, a list of problems, each naming the element and what is wrong:

- ``image``: an <img> that did not load (naturalWidth 0);
- ``table-width``: a <table> wider than the content column (the article minus its padding), or one that
  needs sideways scrolling inside a wrapper (pandas' DataFrames sit in an ``overflow: auto`` div);
- ``raw-markup``: MyST, Markdown or LaTeX source in the text a reader sees;
- ``nan``: the word "NaN" in the text a reader sees;
- ``empty-parens``: "()" in the text a reader sees;
- ``link``: a link inside the book to a file that does not exist, or to a #fragment that is no id there.

The text a reader sees is the article's rendered text, outputs of code cells (text and HTML tables)
included, without the code cells' sources, code blocks, inline code and math (MathJax typesets math;
it is not raw LaTeX). Closed <details> are opened first, so hidden outputs are checked too.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 900)                   # the issue: "at a 1280 px window"
MAX_SCREENSHOT_HEIGHT = 16000          # px; longer pages are cut there
CHECKS = ("image", "table-width", "raw-markup", "nan", "empty-parens", "link")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--force-device-scale-factor=1",
    # nothing outside this machine: a CDN script or a remote image fails at once instead of hanging
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

# Patterns of unrendered source in visible text: (what, regex). Chosen not to match prose, numbers, file
# names or Python warnings shown in outputs (e.g. f"{name}/{split}").
RAW_MARKUP = [
    ("a Markdown code fence ```", re.compile(r"```")),
    ("a MyST colon fence :::", re.compile(r":::")),
    ("a MyST role or directive {name}", re.compile(
        r"\{[a-z][\w:-]*\}`|(?<![\w{])\{(?:math|eq|ref|numref|doc|cite(?::\w+)?|term|download|glue(?::\w+)?|"
        r"figure|table|list-table|csv-table|image|note|warning|admonition|dropdown|code-cell|toctree|bibliography)\}")),
    ("a Markdown link ](…)", re.compile(r"\]\(")),
    ("Markdown bold **…**", re.compile(r"\*\*[^*\s][^*\n]*\*\*")),
    ("display math $$", re.compile(r"\$\$")),
    ("dollar math $…$", re.compile(r"\$[A-Za-z](?:\([^)$\n]*\))?\$"                      # $x$, $p(x)$
                                  r"|\$(?=\S)(?=[^$\n]{0,120}?[\\^_{}])[^$\n]{1,120}?(?<=\S)\$")),   # $…\cmd, ^, _…$
    ("a LaTeX command", re.compile(
        r"\\(?:frac|dfrac|mathrm|mathbf|mathcal|mathbb|mathit|operatorname|text|textbf|emph|sqrt|sum|prod|int|"
        r"log|exp|left|right|cdot|times|le|ge|leq|geq|neq|approx|sim|infty|nabla|partial|alpha|beta|gamma|"
        r"delta|epsilon|varepsilon|theta|lambda|mu|sigma|tau|phi|psi|omega|hat|bar|tilde|vec|mid|begin|end|"
        r"label|eqref|cite)(?![A-Za-z])|\\[a-zA-Z]+\{|\\[()\[\]]")),
]
NAN = re.compile(r"(?<![A-Za-z0-9_])NaN(?![A-Za-z0-9_])")
EMPTY_PARENS = re.compile(r"\(\s*\)")


def missing() -> str | None:
    """Return why the browser checks cannot run here, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is absent (Debian package {package}; scripts/setup.sh installs it as root)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (requirements.txt; make setup)"
    return None


def start_browser():
    """Start headless Chromium through Debian's chromedriver, with a new empty profile; return the driver."""
    os.environ.setdefault("SE_OFFLINE", "true")          # Selenium Manager, should anything call it: no network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="oodbook-chromium-"))
    service = Service(executable_path=str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


class Server:
    """Serve a folder over http://127.0.0.1:<free port>/ from a thread (``with Server(root) as base_url``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __enter__(self) -> str:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(self.root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if v and (k == "id" or (k == "name" and tag == "a")):
                self.ids.add(v)


@functools.lru_cache(maxsize=None)
def _ids_of(path: Path, mtime_ns: int) -> frozenset:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def ids_of(path: Path) -> frozenset:
    """Return the ids (and <a name>s) of an HTML file."""
    return _ids_of(path, path.stat().st_mtime_ns)


# --- JavaScript run in the page ---------------------------------------------------------------------------
# Shared helpers: where an element is (the heading of its section) and a short description of it.
_JS_HELPERS = r"""
const column = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
const clip = (s, n) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > n ? s.slice(0, n - 1) + '…' : s; };
const headingOf = (el) => {
  let best = null;
  for (const h of column.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    if (h === el || (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) best = h; else break;
  return best ? clip(best.textContent.replace(/#$/, ''), 90) : '(top of page)';
};
const tables = [...column.querySelectorAll('table')];
const tableName = (t) => `table ${tables.indexOf(t) + 1} of ${tables.length} (under «${headingOf(t)}»` +
  (t.caption ? `, caption «${clip(t.caption.textContent, 60)}»` : '') + ')';
"""

_JS_PREPARE = r"""
const done = arguments[arguments.length - 1];
for (const d of document.querySelectorAll('details:not([open])')) d.open = true;
const imgs = [...document.images];
for (const i of imgs) if (i.loading === 'lazy') i.loading = 'eager';
const loaded = (i) => i.complete ? Promise.resolve() : new Promise((ok) => {
  i.addEventListener('load', ok); i.addEventListener('error', ok); setTimeout(ok, 15000); });
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([document.fonts.ready, typeset, ...imgs.map(loaded)]).then(() =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))));
"""

_JS_LAYOUT = _JS_HELPERS + r"""
const out = {image: [], 'table-width': [], links: []};
for (const i of document.images) {
  if (i.naturalWidth > 0) continue;
  const src = i.getAttribute('src');
  out.image.push(`<img> under «${headingOf(i)}»` + (i.alt ? ` (alt «${clip(i.alt, 60)}»)` : '') +
    (src === null || src === '' ? ': has no src' : `: src ${clip(src, 160)} did not load (naturalWidth 0)`));
}
const cs = getComputedStyle(column);
const colWidth = column.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
for (const t of tables) {
  if (!t.getClientRects().length) continue;                       // not rendered
  const w = Math.max(t.getBoundingClientRect().width, t.scrollWidth);
  const cols = [...(t.rows[0] ? t.rows[0].cells : [])];
  const head = clip(cols.map((c) => c.textContent.trim()).filter(Boolean).join(' | '), 100);
  const what = `${tableName(t)} [columns: ${head}]`;
  if (w > colWidth + 1) {
    out['table-width'].push(`${what} is ${Math.round(w)} px wide; the content column is ${Math.round(colWidth)} px`);
    continue;
  }
  for (let p = t.parentElement; p && p !== column; p = p.parentElement) {
    const ox = getComputedStyle(p).overflowX;
    if (ox !== 'visible' && p.scrollWidth > p.clientWidth + 1) {
      const box = p.tagName.toLowerCase() + [...p.classList].map((c) => '.' + c).join('');
      out['table-width'].push(`${what} needs sideways scrolling: its ${box} box is ${p.clientWidth} px wide, ` +
        `the table ${Math.round(w)} px`);
      break;
    }
  }
}
for (const a of document.querySelectorAll('a[href]'))
  out.links.push([a.getAttribute('href'), a.href, clip(a.textContent, 60) || clip(a.title || a.getAttribute('aria-label'), 60),
                  column.contains(a) ? `under «${headingOf(a)}»` : 'in the page frame (navigation, header, sidebars)']);
out.height = Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);
return out;
"""

# Text checks last: they strip code sources, code and math from the live DOM (after the screenshot).
_JS_TEXT = _JS_HELPERS + r"""
const [patterns, nanRe, parensRe] = Array.prototype.slice.call(arguments, 0, 3).map((p) => Array.isArray(p) ?
  p.map(([what, re]) => [what, new RegExp(re, 'gm')]) : new RegExp(p, 'g'));
const out = {'raw-markup': [], nan: [], 'empty-parens': []};
for (const e of column.querySelectorAll('.cell_input, .headerlink, script, style, noscript')) e.remove();
for (const e of column.querySelectorAll('pre, div[class*="highlight-"]'))
  if (e.isConnected && !e.closest('.cell_output')) e.remove();               // code blocks in the prose
for (const e of column.querySelectorAll('code'))
  if (e.isConnected && !e.closest('.cell_output')) e.replaceWith('‹code›');   // inline code
for (const e of column.querySelectorAll('.math, mjx-container, .MathJax, math'))
  if (e.isConnected) e.replaceWith('‹math›');
const around = (text, m) => clip(text.slice(Math.max(0, m.index - 50), m.index + m[0].length + 50), 140);
const scan = (text, where) => {
  for (const [what, re] of patterns)
    for (const m of text.matchAll(re)) out['raw-markup'].push(`${where}: ${what} «${m[0]}» in «${around(text, m)}»`);
  for (const m of text.matchAll(parensRe)) out['empty-parens'].push(`${where}: «()» in «${around(text, m)}»`);
};
// tables cell by cell, so that a failure names the table, the row and the column
const grid = (t) => {                 // header text per column index, from the <thead> rows (colspan-aware)
  const names = [];
  for (const row of (t.tHead ? t.tHead.rows : [])) {
    let c = 0;
    for (const cell of row.cells) {
      const n = cell.colSpan || 1, s = cell.textContent.trim();
      for (let k = 0; k < n; k++) { if (s) names[c + k] = names[c + k] ? `${names[c + k]} / ${s}` : s; }
      c += n;
    }
  }
  return names;
};
for (const t of tables) {
  if (!t.getClientRects().length) continue;
  const names = grid(t), nans = new Map(), spans = [], heldLabels = [];
  let nRows = 0;
  for (const body of t.tBodies) for (const row of body.rows) {
    nRows++;
    let c = 0;
    const labels = [];
    const skipSpanned = () => { while (spans[c] > 0) { spans[c]--; if (heldLabels[c]) labels.push(heldLabels[c]); c++; } };
    for (const cell of row.cells) {
      skipSpanned();
      const text = cell.innerText, n = cell.colSpan || 1;
      if (cell.tagName === 'TH') { labels.push(text.trim()); heldLabels[c] = text.trim(); }
      const label = labels.filter(Boolean).join(' / ') || `row ${row.rowIndex + 1}`;
      const col = names[c] || `column ${c + 1}`;
      if (cell.tagName !== 'TH' && text.match(nanRe)) { if (!nans.has(col)) nans.set(col, []); nans.get(col).push(label); }
      scan(text, `${tableName(t)}, row «${clip(label, 60)}», column «${clip(col, 40)}»`);
      if ((cell.rowSpan || 1) > 1) for (let k = 0; k < n; k++) spans[c + k] = cell.rowSpan - 1;
      c += n;
    }
    skipSpanned();
  }
  if (nans.size) {
    const total = [...nans.values()].reduce((s, r) => s + r.length, 0);
    out.nan.push(`${tableName(t)}: NaN in ${total} cell(s): ` + [...nans].map(([col, rows]) =>
      `column «${clip(col, 60)}» ` + (rows.length === nRows ? `(all ${nRows} rows)` : `(rows ${clip(rows.join(', '), 160)})`)).join('; '));
  }
  t.replaceWith('‹table›');
}
// the rest of the text, line by line, each with the heading above it
const blocks = column.querySelectorAll('p, li, dt, dd, h1, h2, h3, h4, h5, h6, caption, figcaption, pre, blockquote, td, th, div');
const locate = (line) => {
  let best = null;
  for (const b of blocks) if (b.isConnected && b.innerText.includes(line) && (!best || b.innerText.length <= best.innerText.length)) best = b;
  return best ? `under «${headingOf(best)}», ${best.closest('.cell_output') ? 'a code cell output' : best.tagName.toLowerCase()}` : 'page text';
};
for (const line of column.innerText.split('\n')) {
  if (!line.trim()) continue;
  const before = out['raw-markup'].length + out['empty-parens'].length;
  const nanHits = [...line.matchAll(nanRe)];
  scan(line, '@@');
  if (nanHits.length) out.nan.push(`@@: NaN in «${clip(line, 140)}»`);
  if (nanHits.length || out['raw-markup'].length + out['empty-parens'].length > before) {
    const where = locate(line.trim());
    for (const k of ['raw-markup', 'nan', 'empty-parens']) out[k] = out[k].map((s) => s.startsWith('@@') ? where + s.slice(2) : s);
  }
}
return out;
"""


def _check_links(links, base_url: str, root: Path) -> list[str]:
    """Return the internal links (same host as ``base_url``) whose file or #fragment does not exist."""
    base = urlsplit(base_url)
    problems = []
    for href, absolute, text, where in links:
        u = urlsplit(absolute)
        if u.scheme not in ("http", "https") or u.netloc != base.netloc:
            continue                                          # external, mailto:, javascript:, …
        rel = unquote(u.path)[len(base.path):] if unquote(u.path).startswith(base.path) else unquote(u.path)
        target = root / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        label = f"link «{text}» (href {href!r}, {where})"
        if not target.is_file():
            problems.append(f"{label}: {rel or '/'} does not exist in the built book")
        elif u.fragment and target.suffix == ".html" and unquote(u.fragment) not in ids_of(target):
            problems.append(f"{label}: {target.relative_to(root)} has no id {unquote(u.fragment)!r}")
    return sorted(set(problems))


def inspect_page(driver, base_url: str, root: Path, rel: str, screenshot: Path | None = None) -> dict:
    """Open ``base_url + rel`` (a file under ``root``) and return {check: [problem, …]} for CHECKS.

    Saves a screenshot of the whole page (up to MAX_SCREENSHOT_HEIGHT px) to ``screenshot`` if given.
    """
    driver.set_window_size(*WINDOW)
    driver.get(base_url + rel)
    driver.execute_async_script(_JS_PREPARE)
    layout = driver.execute_script(_JS_LAYOUT)
    found = {"image": layout["image"], "table-width": layout["table-width"],
             "link": _check_links(layout["links"], base_url, Path(root))}
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.set_window_size(WINDOW[0], min(max(int(layout["height"]), WINDOW[1]), MAX_SCREENSHOT_HEIGHT))
        driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
        if not driver.save_screenshot(str(screenshot)):
            raise RuntimeError(f"could not save the screenshot {screenshot}")
        driver.set_window_size(*WINDOW)
    patterns = [[what, rx.pattern] for what, rx in RAW_MARKUP]
    text = driver.execute_script(_JS_TEXT, patterns, NAN.pattern, EMPTY_PARENS.pattern)
    found.update(text)
    return {k: found[k] for k in CHECKS}
