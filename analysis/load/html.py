"""A saved web page to the text of its article: title, stamp, paragraphs and tables of figures.

:func:`html_to_text` drops what never holds the article (scripts, styles,
forms), then the portal's boilerplate (menus, breadcrumbs, share bars, related
news, footers: by tag and class in ``analysis/rules/html_boilerplate.csv``),
singles out the block holding most paragraph text and renders it: block tags
on lines of their own, a row of figures on one line with its cells joined by
`` | ``. A page nested deeper than the limit ``max_html_depth`` is read whole,
its boilerplate still dropped, at a cost linear in its size.

BeautifulSoup is imported by the functions that use it, when a page is first
read: with lxml it takes about 0.25 s to import, and the review app imports the
loader (its messages) without ever reading a page.

It is the one path from HTML to text. A maintained extractor (trafilatura) was
measured against it on the pages of the tests and kept none of its jobs
(``docs/architecture.md``, "Dependencies: what each is for").
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from functools import lru_cache

from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["html_to_text"]

_DROP_ALWAYS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas",
                "object", "embed", "button", "select", "input", "textarea", "link",
                "meta", "head")
_BLOCK_TAGS = frozenset(
    "p div section article main header footer h1 h2 h3 h4 h5 h6 li ul ol table "
    "thead tbody tfoot tr blockquote pre dl dt dd figure figcaption address hr "
    "center caption".split())


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Tags, class tokens and site names (of page titles) that are not the article."""
    tags, tokens, site = set(), set(), []
    for r in read_rules("html_boilerplate", ["kind", "value"]):
        value = r["value"].lower()
        {"tag": tags.add, "token": tokens.add, "site": site.append}[r["kind"]](value)
    return frozenset(tags), frozenset(tokens), tuple(site)



def _class_tokens(tag) -> set[str]:
    words = []
    for attr in ("class", "id", "role"):
        v = tag.get(attr)
        if not v:
            continue
        v = " ".join(v) if isinstance(v, list) else str(v)
        v = re.sub(r"([a-z])([A-Z])", r"\1 \2", v).lower()
        words.append(re.findall(r"[a-z0-9]+", v))
    out: set[str] = set()
    for toks in words:
        for n in (1, 2, 3):
            out.update("".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
    return out


def _is_boilerplate(tag) -> bool:
    tags, tokens, _ = _boilerplate()
    return tag.name in tags or bool(_class_tokens(tag) & tokens)


_CELLS = frozenset(("td", "th"))
_CELL_NAMES = ["td", "th"]
_ROW_TAGS = frozenset(("tr", "td", "th"))


def _own_text_length(tag) -> int:
    """Length of text a block holds directly (not inside child blocks)."""
    from bs4 import NavigableString, Tag  # lazy: see the module docstring
    n = 0
    for child in tag.children:
        if isinstance(child, NavigableString):
            n += len(child.strip())
        elif isinstance(child, Tag) and child.name not in _BLOCK_TAGS and child.name not in _CELLS:
            n += len(child.get_text(" ", strip=True))
    return n


def _is_data_table(table) -> bool:
    """Tell a table of figures (one line per cell) from a page laid out in a table."""
    return not table.find(["table", "br", *(_BLOCK_TAGS - {"table", "tr", "thead", "tbody", "tfoot",
                                                           "caption"})])


def _main_block(body, depth: dict[int, int]):
    """Return the element holding most of the page's text.

    A paragraph (a block with text and no blocks inside) and a table of figures
    count for themselves and for their parent, so sibling paragraphs add up in
    their container; a block mixing text with blocks (a layout cell with
    ``<br>`` lines and a heading) counts for itself; ties go to the outer one.
    ``depth`` gives each tag's depth (by ``id``).
    """
    from bs4 import Tag  # lazy: see the module docstring
    scores: dict[int, list] = {}

    def add(el, n):
        entry = scores.setdefault(id(el), [el, 0, -depth.get(id(el), 0)])
        entry[1] += n

    in_data_tables: set[int] = set()
    for table in body.find_all("table"):
        if _is_data_table(table):
            in_data_tables.update(id(c) for c in table.find_all(True))
            n = len(table.get_text(" ", strip=True))
            add(table, n)
            if table.parent is not None:
                add(table.parent, n)
    for el in body.find_all([*_BLOCK_TAGS, *_CELLS]):
        if id(el) in in_data_tables:
            continue
        n = _own_text_length(el)
        if n < 1:
            continue
        add(el, n)
        has_blocks = any(isinstance(c, Tag) and (c.name in _BLOCK_TAGS or c.name in _CELLS)
                         for c in el.children)
        if not has_blocks and el.name not in _CELLS and el.parent is not None:
            add(el.parent, n)
    if not scores:
        return body
    return max(scores.values(), key=lambda e: (e[1], e[2]))[0]


def _lines(parts: list[str]) -> str:
    lines = (re.sub(r"[ \t\f\v\u00a0]+", " ", ln).strip() for ln in "".join(parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _html_title(soup) -> str | None:
    if soup.title is None or not soup.title.get_text(strip=True):
        return None
    title = soup.title.get_text(" ", strip=True)
    _, _, site = _boilerplate()
    parts = re.split(r"\s+[|\-–—]\s+", title)
    while len(parts) > 1 and any(s in normalize_text(parts[-1]).lower() for s in site):
        parts.pop()
    return " - ".join(parts)


def _tags(node) -> list:
    """Return the tags under ``node``, in document order (cheaper than ``find_all(True)``)."""
    from bs4 import Tag  # lazy: see the module docstring
    return [t for t in node.descendants if isinstance(t, Tag)]


def _tag_depths(tags) -> dict[int, int]:
    """Each tag's depth below the document (by ``id``), in one pass over ``_tags(soup)``."""
    depth: dict[int, int] = {}
    for tag in tags:
        depth[id(tag)] = depth.get(id(tag.parent), 0) + 1
    return depth


def _drop_boilerplate(tags, keep: set[int], gone: set[int], spare: set[int]) -> None:
    """Decompose the boilerplate among ``tags`` (in document order).

    Tags in ``keep`` and tags holding a tag of ``spare`` stay; ``gone`` collects
    what is removed (a tag's ``decomposed`` would search its whole subtree each time).
    """
    for tag in tags:
        if id(tag) in gone or id(tag) in keep or id(tag) in spare:
            continue
        if _is_boilerplate(tag):
            gone.add(id(tag))
            gone.update(id(d) for d in tag.descendants)
            tag.decompose()


def _render(node, rows: bool) -> str:
    """Return the text of a tree of any depth, block tags on lines of their own (no recursion over depth).

    With ``rows``, a table row whose cells hold one line each (a row of
    figures) is one line, its cells joined by `` | ``, and a row whose cells
    hold several lines (a page laid out in a table) gives each cell's lines;
    without, each cell is a block (a page too deep to tell them apart).
    """
    from bs4 import NavigableString, Tag  # lazy: see the module docstring
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    skipped = (Comment, Declaration, Doctype, ProcessingInstruction)
    out: list[str] = []
    stack: list = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and not isinstance(item, NavigableString):
            out.append(item)              # a line break queued after a block
        elif isinstance(item, skipped):
            continue
        elif isinstance(item, NavigableString):
            out.append(str(item))
        elif isinstance(item, Tag):
            if item.name == "br":
                out.append("\n")
            elif rows and item.name == "tr":
                cells = [_render(cell, rows) for cell in item.find_all(_CELL_NAMES, recursive=False)]
                if any("\n" in c for c in cells):        # a page laid out in a table
                    out.append("\n" + "\n".join(cells) + "\n")
                else:                                    # a row of figures
                    out.append("\n" + " | ".join(c for c in cells if c) + "\n")
            else:
                if item.name in _BLOCK_TAGS or (not rows and item.name in _ROW_TAGS):
                    out.append("\n")
                    stack.append("\n")
                stack.extend(reversed(item.contents))
    return _lines(out)


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector while a page's tree is made and read.

    The tree is one object per tag and string, all alive at once; the
    collector's passes over them made the cost grow faster than the page
    (3,200 boxes: 0.25 s with it, 0.17 s without; 6,400: 0.44 s and 0.35 s).
    The tree's cycles are collected once it is dropped.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def html_to_text(html: str, max_depth: int | None = None) -> tuple[str, int | None]:
    """Return the article of a portal page as lines of text: title, stamp, paragraphs.

    Returns the text and, for a page nested deeper than ``max_depth``, its
    depth: such a page is read whole (menus and footers dropped by their tags
    and classes, the article not singled out), at a cost linear in its size.
    """
    with _collector_paused():
        return _html_to_text(html, max_depth)


def _html_to_text(html: str, max_depth: int | None) -> tuple[str, int | None]:
    from bs4 import BeautifulSoup  # lazy: see the module docstring

    soup = BeautifulSoup(html, "lxml")
    page_title = _html_title(soup)
    tags = _tags(soup)
    depth = _tag_depths(tags)
    deepest = max(depth.values(), default=0)
    gone: set[int] = set()
    for tag in tags:
        if tag.name in _DROP_ALWAYS and id(tag) not in gone:
            gone.add(id(tag))
            gone.update(id(d) for d in tag.descendants)
            tag.decompose()
    body = soup.body or soup
    tags = _tags(body)
    # tags holding an h1 (the article title): each h1 marks its ancestors once
    has_h1: set[int] = set()
    h1s = [t for t in tags if t.name == "h1"]
    for h in h1s:
        for a in h.parents:
            if id(a) in has_h1:
                break
            has_h1.add(id(a))
    # 1. drop boilerplate that does not hold an h1 (the article title)
    _drop_boilerplate(tags, {id(h) for h in h1s}, gone, has_h1)
    if max_depth is not None and deepest > max_depth:
        text = _render(body, rows=False)
        if page_title and page_title not in text:
            text = page_title + "\n" + text
        return text, deepest
    # 2. the article: the block with most paragraph text, joined with its title
    #    (the h1 nearest to it: a logo in an h1 is not the title)
    main = _main_block(body, depth)
    main_line = [main, *main.parents]
    line_depth = {id(a): len(main_line) - i for i, a in enumerate(main_line)}
    title, root, best = None, main, -1
    for h in body.find_all("h1"):
        if not h.get_text(strip=True):
            continue
        lca = next((a for a in [h, *h.parents] if id(a) in line_depth), body)
        if line_depth.get(id(lca), 0) > best:
            title, root, best = h, lca, line_depth.get(id(lca), 0)
    keep = {id(a) for a in main_line}
    if title is not None:
        keep |= {id(title), *map(id, title.parents)}
    # 3. drop what boilerplate remains inside the article (a header around the title, share bars)
    _drop_boilerplate(root.find_all(True), keep, gone, set())
    text = _render(root, rows=True)
    if title is None and page_title and page_title not in text:
        text = page_title + "\n" + text
    return text, None
