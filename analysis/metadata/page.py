"""Page furniture: the lines of a saved page that are not the report.

Menus, counters, banners, captions and the site's address, from
``analysis/rules/metadata_page_furniture.csv``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from analysis.metadata.spans import fold
from analysis.rules import read_rules

__all__ = ["BODY_LINE", "furniture", "head_lines", "line_is_furniture", "aside_spans"]

_NOT_LETTERS_RE = re.compile(r"[\d\W_]+")
BODY_LINE = 300


@lru_cache(maxsize=None)
def furniture() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return the page furniture: lines to skip, stamp labels and aside words (folded).

    Examples
    --------
    >>> skip, stamp, aside = furniture()
    >>> "ngày đăng" in stamp, "lượt xem" in skip
    (True, True)
    """
    rows = read_rules("metadata_page_furniture", ["pattern", "role"])
    skip = tuple(r["pattern"] for r in rows if r["role"] == "skip")
    stamp = tuple(r["pattern"] for r in rows if r["role"] == "stamp")
    aside = tuple(r["pattern"] for r in rows if r["role"] == "aside")
    return skip, stamp, aside


@lru_cache(maxsize=None)
def _banners() -> tuple[str, ...]:
    return tuple(r["pattern"] for r in read_rules("metadata_page_furniture", ["pattern", "role"])
                 if r["role"] == "banner")


def head_lines(text: str) -> list[str]:
    """Return the lines above the article's first paragraph (at most 40)."""
    lines = text.split("\n", 40)[:40]        # (the rest of the text is not cut into lines)
    for i, line in enumerate(lines):
        if len(line.strip()) > BODY_LINE:
            return lines[:i]
    return lines


def line_is_furniture(line: str) -> bool:
    """Tell whether a line is page furniture (a menu, a counter, a banner), never a title.

    Examples
    --------
    >>> line_is_furniture("Lượt xem: 8308"), line_is_furniture("Kết quả công tác năm 2018 phường Cự Khối")
    (True, False)
    """
    skip, _, _ = furniture()
    core = _NOT_LETTERS_RE.sub(" ", fold(line)).strip()
    return core in skip or core.startswith(_banners()) or any(
        core.startswith(s) and len(core) <= len(s) + 12 for s in skip
        if s in ("lượt xem", "view count", "lượt truy cập"))


def aside_spans(folded: str) -> list[tuple[int, int]]:
    """Return the lines that are not the report's own text: photo captions, the site's address."""
    _, _, aside = furniture()
    marks: dict[str, list[int]] = {}      # where the text has each mark an aside word ends with
    spans = []
    for word in aside:
        last = word[-1]
        if last.isalnum():
            found = _occurrences(folded, word)
        else:       # 'ảnh:', 'địa chỉ:': found from the text's colons, far fewer than its letters
            if last not in marks:
                marks[last] = _occurrences(folded, last)
            found = [i + 1 - len(word) for i in marks[last]
                     if i + 1 >= len(word) and folded.startswith(word, i + 1 - len(word))]
        end = 0
        for pos in found:
            if pos < end:       # on the line already taken
                continue
            start = folded.rfind("\n", 0, pos) + 1
            end = folded.find("\n", pos)
            end = len(folded) if end == -1 else end
            spans.append((start, end))
    return spans


def _occurrences(text: str, word: str) -> list[int]:
    """Return where a word starts in the text, each place (overlapping ones too)."""
    out = []
    pos = text.find(word)
    while pos != -1:
        out.append(pos)
        pos = text.find(word, pos + 1)
    return out
