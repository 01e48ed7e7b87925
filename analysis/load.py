"""Load reports from ``data/raw``: decode any file the portals give, read the manifest.

The build accepts plain text in UTF-8 (with or without a byte-order mark),
UTF-16/UTF-32 with a byte-order mark, the legacy Vietnamese encodings
Windows-1258 and TCVN3 (ABC), composed or decomposed Unicode, HTML pages saved
from a portal (the article is kept; menus, scripts and footers are dropped) and
Word ``.docx`` files. What cannot be read raises :class:`InputProblem`, whose
message is one line naming the file and the fix.

:func:`load_reports` turns a folder of such files into the reports table
(:data:`analysis.schema.REPORTS`), with metadata read from the text and
overridden by the manifest ``data/raw/reports.csv``, and a list of
:class:`Message` saying what was done and what could not be. Files under
``data/raw`` are only ever read.

Inputs are bounded (:data:`LIMITS`: file size, characters per report, the
unpacked size and compression ratio of a ``.docx``, the nesting of a page),
each limit changed by its environment variable or ``build --limit``; links
leading out of the raw folder, named pipes and unreadable folders are listed,
not read (``docs/robustness.md``).

The knowledge of messy inputs lives in data tables under ``analysis/rules/``:
``tcvn3.csv`` (the TCVN3 byte → letter table), ``vi_common_words.csv`` (words
that tell a right decoding from a wrong one) and ``html_boilerplate.csv``
(what a portal page wraps around its article).
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis import paths, schema
from analysis.text import normalize_text

__all__ = [
    "InputProblem", "Message", "Document", "InputRecord", "LoadResult",
    "REPORT_SUFFIXES", "MANIFEST_FIELDS", "open_document", "read_document",
    "decode_bytes", "read_manifest", "load_reports",
    "display_path", "Limit", "LIMITS", "limit", "end_with_parent", "ordered_in_workers",
]

#: File suffixes read as reports; anything else in the raw folder is named and skipped.
REPORT_SUFFIXES = (".txt", ".text", ".htm", ".html", ".xhtml", ".docx")
#: Metadata fields a manifest row may give (besides ``file`` and ``doc``).
MANIFEST_FIELDS = ("unit_name", "unit_level", "parent", "city", "period",
                   "published", "doc_kind", "programs")
_MANIFEST_NAME = "reports.csv"
# Share of non-ASCII words that must be common Vietnamese words for a legacy
# decoding to be believed (real reports score about 0.6, wrong decodings ~0).
_MIN_WORD_SHARE = 0.15
# A UTF-8 file with at most this share of broken bytes is read with
# replacement characters (and a warning) rather than refused.
_MAX_BAD_UTF8 = 0.001
_SAVE_AS_UTF8 = ("save it as UTF-8 (Notepad or Word: Save As, Encoding: UTF-8) "
                 "and build again")


# --------------------------------------------------------------------------
# Problems and messages
# --------------------------------------------------------------------------

def display_path(path: str | os.PathLike) -> str:
    """The path as the analyst typed it: relative to the working folder when inside it.

    Examples
    --------
    >>> display_path(Path.cwd() / "data" / "raw" / "x.txt")
    'data/raw/x.txt'
    """
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


class InputProblem(Exception):
    """An input the build cannot use; ``str()`` is one line: the file, the problem, the fix.

    Examples
    --------
    >>> str(InputProblem("data/raw/x.txt", "the file is empty",
    ...                  "put the report's text in it or remove the file", code="empty"))
    "data/raw/x.txt: the file is empty; put the report's text in it or remove the file"
    """

    def __init__(self, path, problem: str, fix: str, code: str = "input"):
        self.path = display_path(path) if path is not None else None
        self.problem = problem
        self.fix = fix
        self.code = code
        where = f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{problem}; {fix}")


@dataclass(frozen=True)
class Message:
    """One thing the analyst should know about an input.

    ``level`` is ``error`` (the file was not loaded), ``warning`` (loaded, but
    check it; ``--strict`` fails on these) or ``info`` (what was done, e.g. the
    encoding a file was read in). ``code`` names the case for programs;
    ``field`` is the manifest column that would settle it, if any.

    Examples
    --------
    >>> str(Message("warning", "data/raw/x.txt", "the period could not be read",
    ...             code="no_period", field="period"))
    'warning: data/raw/x.txt: the period could not be read'
    """

    level: str
    file: str
    text: str
    code: str = ""
    doc: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.level}: {self.file}: {self.text}"


# --------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """One limit on an input: its name, default, environment variable and unit."""

    name: str
    default: int
    env: str
    unit: str
    what: str


#: The limits on one input file, with defaults far above real reports (a
#: ward's report is 5–60 thousand characters; a .docx with photos 1–20 MB,
#: its XML compressing 5–20 times). Each can be changed with its environment
#: variable or ``build --limit NAME=VALUE`` (docs/robustness.md).
LIMITS = {lim.name: lim for lim in (
    Limit("max_file_mb", 200, "ANALYSIS_MAX_FILE_MB", "MB",
          "size of a file in the raw folder (larger files are not read)"),
    Limit("max_report_chars", 5_000_000, "ANALYSIS_MAX_REPORT_CHARS", "characters",
          "characters of one report's text (the rest is not read)"),
    Limit("max_docx_mb", 200, "ANALYSIS_MAX_DOCX_MB", "MB",
          "uncompressed size of a .docx (larger files are not read)"),
    Limit("max_docx_ratio", 100, "ANALYSIS_MAX_DOCX_RATIO", "times",
          "compression ratio of a .docx holding more than 10 MB uncompressed"),
    Limit("max_html_depth", 256, "ANALYSIS_MAX_HTML_DEPTH", "levels",
          "nesting of a saved web page (deeper pages are read as plain text)"),
)}
# A .docx this small (uncompressed) is never refused for its ratio.
_RATIO_FLOOR = 10 << 20


def limit(name: str) -> int:
    """The value of one limit: its environment variable if set, else its default.

    Read when called, so that worker processes and ``build --limit`` see the
    same values.

    Examples
    --------
    >>> limit("max_html_depth")
    256
    """
    lim = LIMITS[name]
    value = os.environ.get(lim.env, "").strip()
    if not value:
        return lim.default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise InputProblem(None, f"{lim.env}={value!r} is not a whole number",
                           f"set it to a number of {lim.unit} (default {lim.default})",
                           code="limit") from None
    if number <= 0:
        raise InputProblem(None, f"{lim.env}={value!r} must be above 0",
                           f"set it to a number of {lim.unit} (default {lim.default})", code="limit")
    return number


def _limit_fix(name: str) -> str:
    lim = LIMITS[name]
    return f"raise it with --limit {name}=N or {lim.env}=N if the file is a real report"


# --------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Make this (worker) process end when the process ``parent`` ends.

    On Linux the kernel sends SIGKILL when the parent dies
    (``PR_SET_PDEATHSIG``); everywhere a daemon thread also checks the parent
    every half second. Ctrl-C is left to the parent (which ends its workers),
    and SIGTERM ends the worker at once. Call it first thing in a child process.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.name == "posix":
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:          # the parent died before the line above
        os._exit(1)

    def watch():
        import time
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def ordered_in_workers(fn, items: list, jobs: int, window: int | None = None):
    """``fn(item)`` of each item, in order, computed in ``jobs`` worker processes.

    At most ``window`` (default ``2 × jobs``) items are in flight, so that
    memory stays bounded. The workers end with this process (killed or not,
    :func:`end_with_parent`), and when the caller stops early or an exception
    (Ctrl-C, SIGTERM turned into one) reaches here, they are ended at once.
    ``jobs == 1`` runs here, without processes.
    """
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(items) < 2:
        for item in items:
            yield fn(item)
        return
    import multiprocessing
    from collections import deque

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = window or 2 * jobs
    pool = ctx.Pool(min(jobs, len(items)), initializer=end_with_parent, initargs=(os.getpid(),))
    try:
        pending: deque = deque()
        todo = iter(items)
        for item in todo:
            pending.append(pool.apply_async(fn, (item,)))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().get()
            for item in todo:     # keep the workers fed: one new item per item done
                pending.append(pool.apply_async(fn, (item,)))
                break
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()


# --------------------------------------------------------------------------
# Rule tables
# --------------------------------------------------------------------------

def _read_rule_table(name: str) -> list[dict]:
    with open(paths.RULES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[int, str]:
    """Byte → character for TCVN3, every byte covered (others as Windows-1252)."""
    table: dict[int, str] = {}
    for b in range(0x80, 0x100):
        try:
            table[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            table[b] = chr(b)
    for row in _read_rule_table("tcvn3.csv"):
        table[int(row["byte"], 16)] = row["char"]
    return table


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(normalize_text(r["word"]).lower()
                     for r in _read_rule_table("vi_common_words.csv"))


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    tags, tokens, site = set(), set(), []
    for r in _read_rule_table("html_boilerplate.csv"):
        value = normalize_text(r["value"]).lower()
        {"tag": tags.add, "token": tokens.add, "site": site.append}[r["kind"]](value)
    return frozenset(tags), frozenset(tokens), tuple(site)


# --------------------------------------------------------------------------
# Decoding bytes
# --------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with byte-order mark"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)

_WORD_RE = re.compile(r"[^\W\d_]+")


def _word_share(text: str) -> tuple[float, int]:
    """Share of non-ASCII words that are common Vietnamese words, and their number."""
    words = [w for w in _WORD_RE.findall(normalize_text(text).lower()) if not w.isascii()]
    if not words:
        return 0.0, 0
    common = _common_words()
    hits = sum(w in common for w in words)
    return hits / len(words), hits


def _decode_tcvn3(data: bytes) -> str:
    table = _tcvn3_table()
    text = data.decode("latin-1").translate({b: c for b, c in table.items()})
    return _restore_tcvn3_capitals(text)


_CAPS_WORD_RE = re.compile(r"[^\W\d_]{2,}")
# Letters TCVN3 can write as capitals; toned vowels it cannot.
_TCVN3_CASED = frozenset("ĂÂÊÔƠƯĐăâêôơưđ")


def _restore_tcvn3_capitals(text: str) -> str:
    r"""Put toned letters in capitals inside words and lines typed in capitals.

    TCVN3 has no capital letters with tone marks (documents drew them with a
    capitals font), so a heading typed in capitals decodes as ``ĐẹP`` or
    ``NHIỆM Vụ``. A line whose other letters are all capitals (at least four),
    or a word whose other letters are (at least two), is put in capitals.

    Examples
    --------
    >>> _restore_tcvn3_capitals("THANH XUÂN XANH SạCH ĐẹP\nCông TáC ĐảNG ở phường")
    'THANH XUÂN XANH SẠCH ĐẸP\nCông TÁC ĐẢNG ở phường'
    """
    def cased(s: str) -> list[str]:
        return [c for c in s if c.isalpha() and (c.isascii() or c in _TCVN3_CASED)]

    def fix_word(m: re.Match) -> str:
        w = m.group(0)
        letters = cased(w)
        return w.upper() if len(letters) >= 2 and all(c.isupper() for c in letters) else w

    lines = []
    for line in text.split("\n"):
        letters = cased(line)
        if len(letters) >= 4 and all(c.isupper() for c in letters):
            lines.append(line.upper())
        else:
            lines.append(_CAPS_WORD_RE.sub(fix_word, line))
    return "\n".join(lines)


def _legacy_candidates(data: bytes):
    try:
        yield "Windows-1258", data.decode("cp1258")
    except UnicodeDecodeError:
        pass
    yield "TCVN3 (ABC)", _decode_tcvn3(data)


def _looks_utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nul = data[0::2].count(0)
    odd_nul = data[1::2].count(0)
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_not_binary(text: str, path) -> None:
    controls = len(_CONTROL_RE.findall(text))
    if controls and ("\x00" in text or controls > 0.01 * len(text)):
        raise InputProblem(path, "this is not a text file (binary data)",
                           "put the report's text in a .txt, .html or .docx file", code="binary")


_MOJIBAKE_RE = re.compile("[ÃÄÅÆá][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")


def _repair_double_encoding(text: str) -> str | None:
    r"""Undo UTF-8 read as Windows-1252 and saved again as UTF-8 (``PhÆ°á»\x9dng``).

    Returns the repaired text when it reads as Vietnamese and the original does
    not; None otherwise.

    Examples
    --------
    >>> _repair_double_encoding("PhÆ°á»\x9dng Tháº¡ch BÃ\xa0n cÃ³ 36 tin")
    'Phường Thạch Bàn có 36 tin'
    >>> _repair_double_encoding("Phường Thạch Bàn có 36 tin") is None
    True
    """
    if len(_MOJIBAKE_RE.findall(text)) < 2:
        return None
    raw = bytearray()
    for ch in text:
        if ord(ch) < 256:
            raw.append(ord(ch))
        else:
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    share, hits = _word_share(fixed)
    if hits and share >= _MIN_WORD_SHARE and share > _word_share(text)[0]:
        return fixed
    return None


def decode_bytes(data: bytes, path=None) -> tuple[str, str, list[str]]:
    """Decode the bytes of a plain-text report: text, the encoding used, warnings.

    Tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without
    one; UTF-8 (repairing text that was encoded twice); then the legacy
    Vietnamese encodings Windows-1258 and TCVN3, keeping the one whose words
    read as Vietnamese; last, UTF-8 with a few broken bytes replaced. Raises
    :class:`InputProblem` for binary data and unknown encodings.

    Examples
    --------
    >>> decode_bytes("Phường Thạch Bàn".encode("utf-8"))
    ('Phường Thạch Bàn', 'UTF-8', [])
    >>> text, encoding, _ = decode_bytes(b"Ph\\xad\\xeang Th\\xb9ch B\\xb5n c\\xe3 36 tin")
    >>> text, encoding
    ('Phường Thạch Bàn có 36 tin', 'TCVN3 (ABC)')
    >>> decode_bytes("Thạch Bàn có 36 tin".encode("utf-16"))[1]
    'UTF-16'
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise InputProblem(path, f"the file starts like {name} but is not valid {name}",
                                   _SAVE_AS_UTF8, code="encoding") from None
            if codec == "utf-8-sig":
                name = "UTF-8"
            _check_not_binary(text, path)
            return text, name, []
    utf16 = _looks_utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
            _check_not_binary(text, path)
            return text, "UTF-16", []
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise InputProblem(path, "this is not a text file (binary data)",
                           "put the report's text in a .txt, .html or .docx file", code="binary")
    try:
        text = data.decode("utf-8")
        repaired = _repair_double_encoding(text)
        if repaired is not None:
            _check_not_binary(repaired, path)
            return repaired, "UTF-8 (encoded twice, repaired)", []
        _check_not_binary(text, path)
        return text, "UTF-8", []
    except UnicodeDecodeError:
        pass
    best = None
    for name, text in _legacy_candidates(data):
        share, hits = _word_share(text)
        if share >= _MIN_WORD_SHARE and hits and (best is None or share > best[0]):
            best = (share, name, text)
    if best is not None:
        _check_not_binary(best[2], path)
        return best[2], best[1], []
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, _MAX_BAD_UTF8 * len(data)):
        _check_not_binary(text, path)
        return text, "UTF-8", [f"{bad} byte(s) are not valid UTF-8 and were replaced by '\ufffd'; "
                               "check the text around them, or save the file again as UTF-8"]
    controls = sum(1 for b in data if b < 32 and b not in b"\n\r\t\f\v")
    if controls > 0.01 * len(data):
        raise InputProblem(path, "this is not a text file (binary data)",
                           "put the report's text in a .txt, .html or .docx file", code="binary")
    raise InputProblem(path, "the text encoding is not one the build knows "
                       "(UTF-8, UTF-16, Windows-1258, TCVN3)", _SAVE_AS_UTF8, code="encoding")


# --------------------------------------------------------------------------
# HTML pages
# --------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_ALIASES = {"windows-1258": "cp1258", "cp1258": "cp1258", "x-cp1258": "cp1258",
                    "tcvn": "tcvn3", "tcvn3": "tcvn3", "tcvn-5712": "tcvn3",
                    "x-viet-tcvn5712": "tcvn3", "tcvn5712-1": "tcvn3"}
_HTML_START_RE = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                            re.I | re.S)
_DROP_ALWAYS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas",
                "object", "embed", "button", "select", "input", "textarea", "link",
                "meta", "head")
_BLOCK_TAGS = frozenset(
    "p div section article main header footer h1 h2 h3 h4 h5 h6 li ul ol table "
    "thead tbody tfoot tr blockquote pre dl dt dd figure figcaption address hr "
    "center caption".split())


def _decode_html(data: bytes, path) -> tuple[str, str, list[str]]:
    label = None
    if not any(data.startswith(b) for b, _, _ in _BOMS):
        m = _META_CHARSET_RE.search(data[:4096])
        label = m.group(1).decode("ascii").lower() if m else None
    codec = _CHARSET_ALIASES.get(label, label) if label else None
    try:
        if codec in ("utf-8", "utf8"):
            return data.decode("utf-8"), "UTF-8", []
        if codec == "cp1258":
            return data.decode("cp1258"), "Windows-1258", []
        if codec == "tcvn3":
            return _decode_tcvn3(data), "TCVN3 (ABC)", []
    except UnicodeDecodeError:
        pass  # the page lies about its charset: read the bytes as they are
    try:
        return decode_bytes(data, path)
    except InputProblem as e:
        # old pages declare a Western charset for legacy Vietnamese bytes, so the
        # declaration is believed only when nothing Vietnamese reads better
        if e.code == "encoding" and codec:
            try:
                return data.decode(codec), label.upper(), []
            except (LookupError, UnicodeDecodeError):
                pass
        raise


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


def _own_text_length(tag) -> int:
    """Length of text a block holds directly (not inside child blocks)."""
    from bs4 import NavigableString, Tag
    n = 0
    for child in tag.children:
        if isinstance(child, NavigableString):
            n += len(child.strip())
        elif isinstance(child, Tag) and child.name not in _BLOCK_TAGS and child.name not in _CELLS:
            n += len(child.get_text(" ", strip=True))
    return n


def _is_data_table(table) -> bool:
    """A table of figures (one line per cell), not a page laid out in a table."""
    return not table.find(["table", "br", *(_BLOCK_TAGS - {"table", "tr", "thead", "tbody", "tfoot",
                                                           "caption"})])


def _main_block(body, depth: dict[int, int]):
    """The element holding most of the page's text.

    A paragraph (a block with text and no blocks inside) and a table of figures
    count for themselves and for their parent, so sibling paragraphs add up in
    their container; a block mixing text with blocks (a layout cell with
    ``<br>`` lines and a heading) counts for itself; ties go to the outer one.
    ``depth`` gives each tag's depth (by ``id``).
    """
    from bs4 import Tag
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


def _render(node, out: list[str]) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
    for child in node.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            out.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                out.append("\n")
            elif child.name == "tr":
                cells = []
                for cell in child.find_all(["td", "th"], recursive=False):
                    parts: list[str] = []
                    _render(cell, parts)
                    cells.append(_lines(parts))
                if any("\n" in c for c in cells):        # a page laid out in a table
                    out.append("\n" + "\n".join(cells) + "\n")
                else:                                    # a row of figures
                    out.append("\n" + " | ".join(c for c in cells if c) + "\n")
            elif child.name in _BLOCK_TAGS:
                out.append("\n")
                _render(child, out)
                out.append("\n")
            else:
                _render(child, out)


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
    """The tags under ``node``, in document order (cheaper than ``find_all(True)``)."""
    from bs4 import Tag
    return [t for t in node.descendants if isinstance(t, Tag)]


def _tag_depths(tags) -> dict[int, int]:
    """Each tag's depth below the document (by ``id``), in one pass over ``_tags(soup)``."""
    depth: dict[int, int] = {}
    for tag in tags:
        depth[id(tag)] = depth.get(id(tag.parent), 0) + 1
    return depth


def _drop_boilerplate(tags, keep: set[int], gone: set[int], spare: set[int]) -> None:
    """Decompose the boilerplate among ``tags`` (document order), except those in
    ``keep`` and those holding a tag of ``spare``; ``gone`` collects what is removed
    (a tag's ``decomposed`` would search its whole subtree each time)."""
    for tag in tags:
        if id(tag) in gone or id(tag) in keep or id(tag) in spare:
            continue
        if _is_boilerplate(tag):
            gone.add(id(tag))
            gone.update(id(d) for d in tag.descendants)
            tag.decompose()


def _render_flat(node) -> str:
    """The text of a tree of any depth, block tags on lines of their own (no recursion)."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
    out: list[str] = []
    stack: list = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and not isinstance(item, NavigableString):
            out.append(item)              # a line break queued after a block
        elif isinstance(item, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        elif isinstance(item, NavigableString):
            out.append(str(item))
        elif isinstance(item, Tag):
            if item.name == "br":
                out.append("\n")
                continue
            block = item.name in _BLOCK_TAGS or item.name in ("tr", "td", "th")
            if block:
                out.append("\n")
                stack.append("\n")
            stack.extend(reversed(item.contents))
    return _lines(out)


def _html_to_text(html: str, max_depth: int | None = None) -> tuple[str, int | None]:
    """The article of a portal page as lines of text: title, stamp, paragraphs.

    Returns the text and, for a page nested deeper than ``max_depth``, its
    depth: such a page is read whole (menus and footers dropped by their tags
    and classes, the article not singled out), at a cost linear in its size.
    """
    from bs4 import BeautifulSoup

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
        text = _render_flat(body)
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
    parts: list[str] = []
    _render(root, parts)
    text = _lines(parts)
    if title is None and page_title and page_title not in text:
        text = page_title + "\n" + text
    return text, None


# --------------------------------------------------------------------------
# Word files
# --------------------------------------------------------------------------

def _docx_to_text(data: bytes, path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds for a broken package
        raise InputProblem(path, "this is not a readable Word .docx file",
                           "open it in Word or LibreOffice and save it again as .docx",
                           code="docx") from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    cells.append(re.sub(r"\s+", " ", cell.text).strip())
                lines.append(" | ".join(c for c in cells if c))
    return "\n".join(ln.strip() for ln in lines if ln.strip())


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """A decoded input: its text (normalised), how it was read, and warnings."""

    text: str
    form: str          # "text", "html" or "docx"
    encoding: str | None
    warnings: tuple[str, ...] = ()
    #: a limit the file went beyond, and what was done (one line), if any
    limited: tuple[str, ...] = ()

    @property
    def how(self) -> str:
        """How the file was read, for the analyst: 'HTML page, UTF-8'."""
        form = {"text": "plain text", "html": "HTML page", "docx": "Word .docx"}[self.form]
        return f"{form}, {self.encoding}" if self.encoding else form


_SIGNATURES = (
    (b"%PDF-", "this is a PDF file",
     "save the report as .docx or copy its text into a .txt file", "pdf"),
    (b"\xd0\xcf\x11\xe0", "this is an old Word .doc (or Excel .xls) file",
     "open it in Word or LibreOffice and save it as .docx", "doc"),
    (b"{\\rtf", "this is an RTF file", "open it in Word or LibreOffice and save it as .docx", "rtf"),
    (b"\x1f\x8b", "this is a compressed (gzip) file", "unpack it and put the report itself in data/raw", "archive"),
    (b"Rar!", "this is a RAR archive", "unpack it and put the reports themselves in data/raw", "archive"),
    (b"7z\xbc\xaf", "this is a 7-Zip archive", "unpack it and put the reports themselves in data/raw", "archive"),
    (b"\x89PNG", "this is an image (PNG)", "put the report's text in a .txt, .html or .docx file", "binary"),
    (b"\xff\xd8\xff", "this is an image (JPEG)", "put the report's text in a .txt, .html or .docx file", "binary"),
)


def open_document(path: str | os.PathLike, data: bytes | None = None) -> Document:
    """Read one report file into normalised text, saying how it was read.

    Parameters
    ----------
    path : path of the file (``.txt``, ``.html``/``.htm``, ``.docx``; other text
        files are read as plain text). The kind is told by the content when the
        suffix lies (a Word file or an HTML page saved as ``.txt``).
    data : the file's bytes, if already read.

    Raises
    ------
    InputProblem
        Empty, binary, unreadable or unknown-encoding files.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "bao-cao.html"
    ...     _ = p.write_text("<html><body><nav>Trang chủ | Tin tức</nav>"
    ...         "<h1>Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn</h1>"
    ...         "<div class='content'><p>Có 5209/5318 hộ đăng ký gia đình văn hóa.</p></div>"
    ...         "<script>var views = 643;</script></body></html>", encoding="utf-8")
    ...     doc = open_document(p)
    >>> print(doc.text)
    Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn
    Có 5209/5318 hộ đăng ký gia đình văn hóa.
    >>> doc.how
    'HTML page, UTF-8'
    """
    path = Path(path)
    if data is None:
        try:
            _check_file_size(path, path.stat().st_size)
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputProblem(path, "no such file", "check the name and the folder",
                               code="missing") from None
        except IsADirectoryError:
            raise InputProblem(path, "this is a folder, not a file",
                               "give the report files (or use build --raw DIR)",
                               code="missing") from None
        except OSError as e:
            raise InputProblem(path, f"the file cannot be read ({e.strerror})",
                               "check its permissions", code="unreadable") from None
    else:
        _check_file_size(path, len(data))
    if not data.strip():
        raise InputProblem(path, "the file is empty",
                           "put the report's text in it or remove the file", code="empty")
    suffix = path.suffix.lower()
    warnings: list[str] = []
    limited: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        try:
            is_docx = "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            is_docx = False
        if not is_docx and suffix == ".docx":
            raise InputProblem(path, "this .docx file is not a readable Word document",
                               "open it in Word or LibreOffice and save it again as .docx", code="docx")
        if not is_docx:
            raise InputProblem(path, "this is a ZIP archive (or an Office file other than .docx)",
                               "unpack it, or save the report as .docx or .txt", code="archive")
        _check_docx_size(data, path)
        text, form, encoding = _docx_to_text(data, path), "docx", None
    elif suffix == ".docx":
        raise InputProblem(path, "this .docx file is not a Word document",
                           "open it in Word or LibreOffice and save it again as .docx", code="docx")
    else:
        for sig, problem, fix, code in _SIGNATURES:
            if data.startswith(sig):
                raise InputProblem(path, problem, fix, code=code)
        if suffix in (".htm", ".html", ".xhtml"):
            decoded, encoding, warnings = _decode_html(data, path)
            form = "html"
        else:
            decoded, encoding, warnings = decode_bytes(data, path)
            form = "html" if _HTML_START_RE.match(decoded[:2000]) else "text"
        if form == "html":
            try:
                text, depth = _html_to_text(decoded, limit("max_html_depth"))
            except RecursionError:
                raise InputProblem(path, "the HTML page is nested too deeply to read",
                                   "copy the article's text into a .txt file", code="html") from None
            if depth is not None:
                limited.append(
                    f"the page is nested {depth} levels deep, beyond the limit of "
                    f"{limit('max_html_depth')}: its text was read without telling the article "
                    f"from menus and footers; check the report's text, or {_limit_fix('max_html_depth')}")
        else:
            text = decoded
    text = normalize_text(text)
    most = limit("max_report_chars")
    if len(text) > most:
        cut = text.rfind("\n", 0, most + 1)
        cut = cut if cut > most // 2 else most
        limited.append(f"the text has {len(text):,} characters, beyond the limit of {most:,} per report: "
                       f"only the first {cut:,} were read; split the report, or {_limit_fix('max_report_chars')}")
        text = text[:cut]
    if not text.strip():
        if form == "html":
            raise InputProblem(path, "no article text was found in this HTML page",
                               "save the article's own page, or copy its text into a .txt file",
                               code="empty")
        raise InputProblem(path, "the file holds no text",
                           "put the report's text in it or remove the file", code="empty")
    return Document(text, form, encoding, tuple(warnings), tuple(limited))


def _check_file_size(path: Path, size: int) -> None:
    most = limit("max_file_mb")
    if size > most << 20:
        raise InputProblem(path, f"the file is {size / (1 << 20):,.0f} MB, beyond the limit of {most} MB; "
                           "not read", _limit_fix("max_file_mb"), code="limit")


def _check_docx_size(data: bytes, path) -> None:
    """Refuse a .docx that expands beyond the limits, before anything is unpacked."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return                        # python-docx says it is not readable
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    most = limit("max_docx_mb")
    if unpacked > most << 20:
        raise InputProblem(path, f"this .docx unpacks to {unpacked / (1 << 20):,.0f} MB, beyond the limit "
                           f"of {most} MB; not read", _limit_fix("max_docx_mb"), code="limit")
    ratio = limit("max_docx_ratio")
    if unpacked > _RATIO_FLOOR and unpacked > ratio * packed:
        raise InputProblem(path, f"this .docx unpacks to {unpacked / packed:,.0f} times its size, beyond "
                           f"the limit of {ratio} times; not read", _limit_fix("max_docx_ratio"),
                           code="limit")


def read_document(path: str | os.PathLike) -> str:
    """Read one report file (text in any known encoding, HTML or .docx) as normalised text.

    Examples
    --------
    Windows-1258 writes tones as combining marks; the text comes back composed:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "cu-khoi.txt"
    ...     _ = p.write_bytes(b"ph\\xfd\\xf5\\xccng C\\xfd\\xf2 Kh\\xf4\\xeci")
    ...     read_document(p)
    'phường Cự Khối'
    """
    return open_document(path).text


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------

def _parse_published(value: str) -> str:
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
        m = re.fullmatch(pattern, value)
        if m:
            parts = dict(zip(order, map(int, m.groups())))
            return date(parts["y"], parts["m"], parts["d"]).isoformat()
    raise ValueError(value)


def _is_period_code(code: str) -> bool:
    from analysis.metadata import parse_period
    try:
        parse_period(code)
    except ValueError:
        return False
    return True


def _split_programs(value: str) -> list[str]:
    return [p for p in re.split(r"[;,\s]+", value) if p]


def _check_manifest_path(path: Path) -> None:
    """A manifest path that exists must be a readable file (a missing one is an empty manifest)."""
    if path.is_symlink() and not path.exists():
        raise InputProblem(path, "the manifest is a link that leads nowhere",
                           "replace the link by the manifest itself, or remove it", code="manifest")
    if path.is_dir():
        raise InputProblem(path, "the manifest is a folder, not a CSV file",
                           "move the folder elsewhere (the manifest must be a CSV file of this name)",
                           code="manifest")
    if path.exists() and not path.is_file():
        raise InputProblem(path, "the manifest is not a regular file (a named pipe or device)",
                           "replace it by a CSV file, or remove it", code="manifest")


def read_manifest(path: str | os.PathLike = paths.MANIFEST) -> pd.DataFrame:
    """Read the manifest: one row per report file, any metadata field optional.

    Columns: ``file`` (path relative to the manifest's folder), ``doc`` (the
    doc id; blank means the file name without extension), any of
    :data:`MANIFEST_FIELDS`, and ``line`` (the row's line in the file, for
    messages). Blank cells mean "read it from the text". ``programs`` may list
    several numbers separated by ``;``. A missing manifest is an empty one.

    Raises
    ------
    InputProblem
        Unknown columns, repeated files or doc ids, values not allowed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "reports.csv"
    ...     _ = p.write_text("file,doc,period,programs\\n"
    ...                      "thach-ban.txt,thach-ban-2021-h1,2021-H1,02-CTr/QU\\n"
    ...                      "cu-khoi.txt,,,\\n", encoding="utf-8")
    ...     m = read_manifest(p)
    >>> m[["file", "doc", "period", "programs"]].values.tolist()
    [['thach-ban.txt', 'thach-ban-2021-h1', '2021-H1', ['02-CTr/QU']], ['cu-khoi.txt', 'cu-khoi', None, None]]
    """
    path = Path(path)
    _check_manifest_path(path)
    if not path.exists():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("file", "doc", "line")})
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        text, _, _ = decode_bytes(raw, path) if raw.strip() else ("", "", [])
    except OSError as e:
        raise InputProblem(path, f"the manifest cannot be read ({e.strerror})",
                           "check its permissions (the build only reads it)", code="manifest") from None
    except InputProblem as e:
        raise InputProblem(path, f"the manifest cannot be read ({e.problem})",
                           "save reports.csv as UTF-8 CSV with a header row 'file,doc,…'",
                           code="manifest") from None
    text = normalize_text(text)
    if not text.strip():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("file", "doc", "line")})
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as e:
        raise InputProblem(path, f"the manifest is not a CSV file the build can read (line "
                           f"{reader.line_num}: {e})", "save reports.csv as UTF-8 CSV with a header "
                           "row 'file,doc,…'", code="manifest") from None
    columns = [c.strip().lower() for c in rows[0]]
    allowed = ("file", "doc", *MANIFEST_FIELDS)
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise InputProblem(path, f"unknown column {unknown[0]!r} in the manifest",
                           f"name the columns from: {', '.join(allowed)}", code="manifest")
    if "file" not in columns:
        raise InputProblem(path, "the manifest has no 'file' column",
                           "start it with the header row 'file,doc' (then any metadata columns)",
                           code="manifest")
    if len(set(columns)) != len(columns):
        raise InputProblem(path, "a column appears twice in the manifest's header",
                           "keep one of each", code="manifest")
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise InputProblem(path, f"line {line_no} has more cells than the header",
                               "quote values that contain the separator, or remove the extra cells",
                               code="manifest")
        rec = {c: (row[i].strip() if i < len(row) else "") or None for i, c in enumerate(columns)}
        rec = {c: rec.get(c) for c in ("file", "doc", *MANIFEST_FIELDS) if c in columns or c == "doc"}
        where = f"line {line_no}"
        if not rec["file"]:
            raise InputProblem(path, f"{where} has no file name", "fill in the 'file' column", code="manifest")
        rec["file"] = Path(rec["file"].replace("\\", "/")).as_posix()
        if not rec.get("doc"):
            rec["doc"] = Path(rec["file"]).stem
        if rec.get("period"):
            rec["period"] = rec["period"].upper()
            if not _is_period_code(rec["period"]):
                raise InputProblem(path, f"{where}: period {rec['period']!r} is not a period code",
                                   "write it as YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4 or YYYY-9M "
                                   "(e.g. 2021-H1)", code="manifest")
        for name, values in (("unit_level", schema.UNIT_LEVELS), ("doc_kind", schema.DOC_KINDS)):
            if rec.get(name):
                rec[name] = rec[name].lower()
                if rec[name] not in values:
                    raise InputProblem(path, f"{where}: {name} {rec[name]!r} is not allowed",
                                       f"use one of: {', '.join(values)}", code="manifest")
        if rec.get("published"):
            try:
                rec["published"] = _parse_published(rec["published"])
            except ValueError:
                raise InputProblem(path, f"{where}: published {rec['published']!r} is not a date",
                                   "write it as YYYY-MM-DD (e.g. 2021-07-16)", code="manifest") from None
        if rec.get("programs"):
            rec["programs"] = _split_programs(rec["programs"])
        rec["line"] = line_no
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=[c for c in ("file", "doc", *MANIFEST_FIELDS)
                                                        if c in columns or c == "doc"] + ["line"])
    frame = frame.astype(object).where(frame.notna(), None)
    for col, what in (("file", "file"), ("doc", "doc id")):
        dup = frame[frame[col].duplicated(keep=False)]
        if len(dup):
            lines = ", ".join(str(x) for x in dup["line"])
            raise InputProblem(shown, f"the {what} {dup[col].iloc[0]!r} appears on more than one line ({lines})",
                               "keep one row per report", code="manifest")
    return frame


# --------------------------------------------------------------------------
# Loading a folder of reports
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class InputRecord:
    """What became of one input file: ``loaded``, ``duplicate``, ``failed`` or ``skipped``."""

    file: str
    sha256: str | None
    doc_id: str | None
    status: str
    same_as: str | None = None


@dataclass
class LoadResult:
    """The reports table and what the analyst should know about the inputs."""

    reports: pd.DataFrame
    messages: list[Message] = field(default_factory=list)
    inputs: list[InputRecord] = field(default_factory=list)

    @property
    def duplicates(self) -> list[InputRecord]:
        return [r for r in self.inputs if r.status == "duplicate"]

    def messages_for(self, doc_id: str) -> list[Message]:
        return [m for m in self.messages if m.doc == doc_id]


# Problems that leave a file out with a warning, as not a report (rather than
# an error about a report that could not be read).
_SKIP_CODES = frozenset(("skipped", "limit", "link", "special_file", "unreadable_folder"))


@dataclass(frozen=True)
class _Skipped:
    """An entry of the raw folder that is not read, and why."""

    path: Path
    problem: str
    fix: str
    code: str


def _walk_folder(folder: Path) -> tuple[list[Path], list[_Skipped]]:
    """Regular files under ``folder`` (hidden names and the manifest left out),
    and the entries that are not read: links leading outside the folder, links
    to folders, broken links, named pipes and devices, folders that cannot be
    listed. Links to files inside the folder are read."""
    root = folder.resolve()
    shown_root = display_path(folder)
    files, skipped = [], []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as e:
            skipped.append(_Skipped(current, f"this folder cannot be read ({e.strerror}); its files were "
                                    "not read", "check its permissions", "unreadable_folder"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if current == folder and entry.name == _MANIFEST_NAME:
                continue
            try:
                if entry.is_symlink():
                    target = path.resolve()
                    if not target.exists():
                        skipped.append(_Skipped(path, "this link leads nowhere; not read",
                                                "remove the link, or put the report itself here", "link"))
                    elif target != root and root not in target.parents:
                        skipped.append(_Skipped(path, f"this link leads outside {shown_root}; not read",
                                                f"copy the report itself into {shown_root}", "link"))
                    elif target.is_dir():
                        skipped.append(_Skipped(path, "this is a link to a folder; not followed",
                                                "put the reports themselves here", "link"))
                    elif target.is_file():
                        files.append(path)
                    else:
                        skipped.append(_Skipped(path, "this link leads to something that is not a "
                                                "file; not read", "remove the link", "special_file"))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=False):
                    files.append(path)
                else:
                    skipped.append(_Skipped(path, "this is not a regular file (a named pipe, socket or "
                                            "device); not read", "remove it from the folder", "special_file"))
            except OSError as e:
                skipped.append(_Skipped(path, f"this entry cannot be read ({e.strerror}); not read",
                                        "check its permissions", "unreadable"))
    return sorted(files), sorted(skipped, key=lambda s: s.path)


def _walk_inputs(source) -> tuple[list[tuple[Path, Path]], list[_Skipped]]:
    """(path, folder it was found in) for every candidate file, sorted, and what is skipped."""
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    out: list[tuple[Path, Path]] = []
    skipped: list[_Skipped] = []
    for item in source:
        item = Path(item)
        if item.is_dir():
            files, skip = _walk_folder(item)
            out.extend((p, item) for p in files)
            skipped.extend(skip)
        else:
            out.append((item, item.parent))
    return out, skipped


def _list_inputs(source) -> list[tuple[Path, Path]]:
    """(path, folder it was found in) for every candidate file, sorted."""
    return _walk_inputs(source)[0]


def _same(field_name: str, a, b) -> bool:
    if field_name == "programs":
        return sorted(a or []) == sorted(b or [])
    return normalize_text(str(a)).casefold() == normalize_text(str(b)).casefold()


def _show_value(v) -> str:
    return "; ".join(v) if isinstance(v, list) else str(v)


def _read_metadata(text: str, doc_id: str) -> dict:
    from analysis.metadata import read_metadata  # the same layer: imported when used
    return dict(read_metadata(text, doc_id))


@dataclass(frozen=True)
class _FileRead:
    """What reading one file gave: picklable, so files can be read in worker processes."""

    sha256: str | None = None
    text: str | None = None
    text_sha256: str | None = None
    how: str | None = None
    is_plain_utf8: bool = True
    warnings: tuple[str, ...] = ()
    meta: dict | None = None
    meta_error: str | None = None
    problem: tuple[str, str, str] | None = None      # (problem, fix, code)
    level: str = "error"
    limited: tuple[str, ...] = ()


def _read_file(path: Path) -> _FileRead:
    """Read, checksum, decode and read the metadata of one file: a pure function of its bytes."""
    if path.suffix and path.suffix.lower() not in REPORT_SUFFIXES:
        problem, fix = f"{path.suffix} files are not read by the build", "save the report as .txt, .html or .docx"
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except OSError:
            head = b""
        for sig, sig_problem, sig_fix, _code in _SIGNATURES:
            if head.startswith(sig):
                problem, fix = sig_problem, sig_fix
        return _FileRead(problem=(f"skipped: {problem}", fix, "skipped"), level="warning")
    try:
        _check_file_size(path, path.stat().st_size)
        data = path.read_bytes()
    except InputProblem as e:
        return _FileRead(problem=(e.problem, e.fix, e.code), level="warning")
    except OSError as e:
        return _FileRead(problem=(f"the file cannot be read ({e.strerror})", "check its permissions",
                                  "unreadable"))
    sha = hashlib.sha256(data).hexdigest()
    try:
        document = open_document(path, data)
    except InputProblem as e:
        return _FileRead(sha256=sha, problem=(e.problem, e.fix, e.code),
                         level="warning" if e.code in _SKIP_CODES else "error")
    except Exception as e:  # noqa: BLE001 - a reader's own failure on one file must not stop the build
        return _FileRead(sha256=sha, problem=(f"the file could not be read ({type(e).__name__}: {e})",
                                              "save it again (as .txt, .html or .docx) and build again",
                                              "unreadable"))
    text = document.text
    text_sha = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
    meta, meta_error = None, None
    try:
        meta = _read_metadata(text, path.stem)
    except Exception as e:  # one unreadable report must not stop the build
        meta_error = f"{type(e).__name__}: {e}"
    return _FileRead(sha, text, text_sha, document.how,
                     document.form == "text" and document.encoding == "UTF-8",
                     document.warnings, meta, meta_error, limited=document.limited)


def _read_chunk(paths_: list[Path]) -> list[_FileRead]:
    return [_read_file(p) for p in paths_]


def _read_files(paths_: list[Path], jobs: int, progress):
    """``_read_file`` of each path, in order, as they come (in ``jobs`` worker processes)."""
    n = len(paths_)
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    chunk = 1 if jobs == 1 else max(1, min(64, n // (jobs * 8)))
    chunks = [paths_[a:a + chunk] for a in range(0, n, chunk)]
    i = 0
    for got in ordered_in_workers(_read_chunk, chunks, jobs):
        for one in got:
            i += 1
            if progress is not None:
                progress(i, n, display_path(paths_[i - 1]))
            yield one


@dataclass(frozen=True)
class _Input:
    """One file to load: where it is, the doc id it gets, its manifest row."""

    path: Path
    folder: Path
    doc_id: str
    shown: str
    rec: dict | None


@dataclass(frozen=True)
class _Plan:
    """The files to load, in the order they are decided on, and the manifest's messages."""

    inputs: list[_Input]
    messages: list[Message]
    mshown: str
    skipped: tuple = ()


def _plan_inputs(source, manifest, known: frozenset = frozenset()) -> _Plan:
    """Read the manifest and list the input files: those it names first (so
    that of two copies the named one is kept), then those loaded by an earlier
    build (``known``: their paths relative to their folder, so that a copy added
    later never takes an id already given), then the rest."""
    messages: list[Message] = []
    by_path: dict[Path, dict] = {}
    mshown = "the manifest (reports.csv)"
    if manifest is not None:
        mdir = Path(manifest).resolve().parent
        mshown = display_path(manifest)
        for rec in read_manifest(manifest).to_dict("records"):
            target = (mdir / rec["file"]).resolve()
            by_path[target] = rec
            if not target.is_file():
                messages.append(Message(
                    "warning", mshown,
                    f"line {rec['line']} names {rec['file']!r}, which is not in {display_path(mdir)}; "
                    "add the file or remove the row",
                    code="manifest_missing_file", doc=rec["doc"], field="file"))
    listed, skipped = _walk_inputs(source)
    found = [(p, folder, p.resolve()) for p, folder in listed]

    def rank(f):
        if f[2] in by_path:
            return 0
        return 1 if known and _relative(f[0], f[1]) in known else 2
    found.sort(key=rank)
    inputs = []
    for path, folder, resolved in found:
        rec = by_path.get(resolved)
        inputs.append(_Input(path, folder, rec["doc"] if rec else path.stem, display_path(path), rec))
    return _Plan(inputs, messages, mshown, tuple(skipped))


def _relative(path: Path, folder: Path) -> str:
    """The file's path relative to its folder, as ``reports.source_file`` stores it."""
    try:
        return path.resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return path.name


def _report_of(inp: _Input, got: _FileRead, mshown: str, today: date) -> tuple[dict, list[Message]]:
    """The reports-table row of a file read without problem, and the messages about it."""
    source_file = _relative(inp.path, inp.folder)
    return _report_row(got.text, dict(got.meta or {}, doc=inp.doc_id), inp.doc_id, inp.shown,
                       source_file, got.sha256, inp.rec, mshown, today)


class _Intake:
    """The loader's decisions, file by file in the plan's order.

    Whether each file is loaded, a duplicate (same bytes, or same text, as an
    earlier file) or not loaded (unreadable, doc id taken), and what the
    analyst is told. Everything else about a file is a pure function of its
    bytes and can be worked out anywhere beforehand; this part depends on the
    files before it, so it runs once, in order.
    """

    def __init__(self, plan: _Plan, today: date):
        self.plan = plan
        self.today = today
        self.messages: list[Message] = list(plan.messages)
        self.inputs: list[InputRecord] = []
        self.rows: list[dict] = []
        self._first_of_bytes: dict[str, tuple[str, str | None]] = {}   # sha256 -> (file, doc id or None)
        self._first_of_text: dict[str, tuple[str, str]] = {}
        self._taken: dict[str, str] = {}                                 # doc id -> file
        for skip in plan.skipped:
            shown = display_path(skip.path)
            self.messages.append(Message("warning", shown, f"{skip.problem}; {skip.fix}", code=skip.code))
            self.inputs.append(InputRecord(shown, None, None, "skipped"))

    def add(self, inp: _Input, got: _FileRead, report=None) -> bool:
        """Decide on one file; True when it is loaded (its row is kept).

        ``report`` is ``_report_of(inp, got, ...)`` if already worked out; its
        row may be None when the caller keeps the rows itself.
        """
        shown, doc_id, sha = inp.shown, inp.doc_id, got.sha256
        messages, inputs = self.messages, self.inputs
        if sha is not None and sha in self._first_of_bytes:
            first, first_doc = self._first_of_bytes[sha]
            outcome = f"loaded once as {first_doc}" if first_doc else "which could not be read either"
            messages.append(Message("warning", shown, f"the same file as {first} (identical bytes), "
                                    f"{outcome}; remove the copy", code="duplicate", doc=first_doc))
            inputs.append(InputRecord(shown, sha, None, "duplicate", same_as=first))
            return False
        if sha is not None:
            self._first_of_bytes[sha] = (shown, None)
        if got.problem is not None:
            problem, fix, code = got.problem
            skipped = code in _SKIP_CODES
            messages.append(Message(got.level, shown, f"{problem}; {fix}", code=code,
                                    doc=None if skipped else doc_id))
            inputs.append(InputRecord(shown, sha, None if skipped else doc_id,
                                      "skipped" if skipped else "failed"))
            return False
        if got.text_sha256 in self._first_of_text:
            first, first_doc = self._first_of_text[got.text_sha256]
            self._first_of_bytes[sha] = (first, first_doc)
            messages.append(Message("warning", shown, f"the same report as {first} (identical text, "
                                    f"read as {got.how}), loaded once as {first_doc}; "
                                    "remove the copy", code="duplicate", doc=first_doc))
            inputs.append(InputRecord(shown, sha, None, "duplicate", same_as=first))
            return False
        mshown = self.plan.mshown
        if doc_id in self._taken:
            messages.append(Message("error", shown, f"the doc id {doc_id!r} is already taken by "
                                    f"{self._taken[doc_id]}; give this file another doc id in {mshown} "
                                    "(column doc)", code="doc_id_taken", doc=doc_id, field="doc"))
            inputs.append(InputRecord(shown, sha, doc_id, "failed"))
            return False
        self._taken[doc_id] = shown
        self._first_of_bytes[sha] = (shown, doc_id)
        self._first_of_text[got.text_sha256] = (shown, doc_id)
        if not got.is_plain_utf8:
            messages.append(Message("info", shown, f"read as {got.how}", code="decoded", doc=doc_id))
        for w in got.warnings:
            messages.append(Message("warning", shown, w, code="encoding", doc=doc_id))
        for w in got.limited:
            messages.append(Message("warning", shown, w, code="limit", doc=doc_id))
        if got.meta_error:
            messages.append(Message("warning", shown, f"metadata could not be read ({got.meta_error}); "
                                    f"fill in its fields in {mshown}", code="metadata_failed", doc=doc_id))
        row, row_messages = report if report is not None else _report_of(inp, got, mshown, self.today)
        messages.extend(row_messages)
        if row is not None:       # (None: the caller keeps the rows)
            self.rows.append(row)
        inputs.append(InputRecord(shown, sha, doc_id, "loaded"))
        return True

    def result(self) -> LoadResult:
        """The reports table (sorted by doc id) and what was decided."""
        rows, self.rows = self.rows, []
        frame = pd.DataFrame.from_records(rows, columns=schema.REPORTS.names) if rows \
            else schema.empty_frame(schema.REPORTS)
        del rows
        frame = schema.validate(frame.sort_values("doc_id", kind="stable"), schema.REPORTS)
        return LoadResult(frame, self.messages, self.inputs)


def load_reports(source=paths.RAW, manifest=paths.MANIFEST, today: date | None = None,
                 progress: Callable[[int, int, str], None] | None = None,
                 jobs: int = 1, known: frozenset = frozenset()) -> LoadResult:
    """Load report files into the reports table, with messages about each input.

    Parameters
    ----------
    source : a folder (read recursively; hidden files and the manifest skipped),
        one file, or a list of files and folders.
    manifest : the manifest CSV (see :func:`read_manifest`); ``None`` for none.
        Its ``file`` column is relative to its own folder.
    today : the date that periods must not start after (default: the real
        today, read when called).
    progress : called as ``progress(i, n, file)`` after each file.
    jobs : worker processes reading files (``0``: one per core); the result
        does not depend on it.
    known : files (relative to their folder) loaded by an earlier build: of
        two copies, the one loaded before keeps its doc id.

    Every input is recorded with its SHA-256 checksum; a file whose bytes, or
    whose text once decoded, repeat an earlier one is loaded once and named as
    a duplicate. Metadata is read from the text
    (:func:`analysis.metadata.read_metadata`) and what the manifest gives
    overrides it, with a warning where they disagree. A report whose unit or
    period cannot be read is loaded with a warning naming the manifest field to
    fill in; a file that cannot be read gets an error and is left out. Nothing
    is raised for one bad file: the rest goes on.

    Examples
    --------
    >>> result = load_reports()                  # the bundled data/raw and its manifest
    >>> result.reports[["doc_id", "unit_name", "period"]].head(2).values.tolist()
    [['cau-giay-2022-h1', 'Cầu Giấy', '2022-H1'], ['cu-khoi-2018-fy', 'Cự Khối', '2018-FY']]
    >>> len(result.inputs[0].sha256), result.messages   # every input keeps its checksum
    (64, [])
    """
    plan = _plan_inputs(source, manifest, known)
    intake = _Intake(plan, today or date.today())
    reads = _read_files([inp.path for inp in plan.inputs], jobs, progress)
    for inp, got in zip(plan.inputs, reads):
        intake.add(inp, got)
    return intake.result()


def _report_row(text: str, meta: dict, doc_id: str, shown: str, source_file: str, sha: str,
                rec: dict | None, mshown: str, today: date) -> tuple[dict, list[Message]]:
    messages: list[Message] = []
    for name in MANIFEST_FIELDS:
        given = rec.get(name) if rec else None
        if given is None:
            continue
        read = meta.get(name)
        if read not in (None, [], "") and not _same(name, read, given):
            messages.append(Message(
                "warning", shown,
                f"{mshown} gives {name} {_show_value(given)!r} but the text reads "
                f"{_show_value(read)!r}; the manifest is used — correct {mshown} if the text is right",
                code="manifest_contradicts", doc=doc_id, field=name))
        meta[name] = given
    period = meta.get("period")
    start = end = months = None
    if period:
        from analysis.metadata import parse_period
        try:
            s, e, months = parse_period(period)
            start, end = s.isoformat(), e.isoformat()
        except ValueError:
            messages.append(Message("warning", shown, f"period {period!r} is not a period code; "
                                    f"fill in period in {mshown} (e.g. 2021-H1)",
                                    code="no_period", doc=doc_id, field="period"))
            period = None
    if not meta.get("unit_name"):
        messages.append(Message("warning", shown,
                                "the unit (phường/quận) could not be read from the text; "
                                f"fill in unit_name and unit_level for this file in {mshown}",
                                code="no_unit", doc=doc_id, field="unit_name"))
    if not period:
        messages.append(Message("warning", shown,
                                "the period (e.g. '6 tháng đầu năm 2021') could not be read from the text; "
                                f"fill in period for this file in {mshown} (e.g. 2021-H1)",
                                code="no_period", doc=doc_id, field="period"))
    if start and date.fromisoformat(str(start)[:10]) > today:
        messages.append(Message("warning", shown,
                                f"the period {period} has not begun yet (today is {today.isoformat()}); "
                                f"check the year in the text, or set period in {mshown}",
                                code="future_period", doc=doc_id, field="period"))
    published = meta.get("published")
    if published and date.fromisoformat(str(published)[:10]) > today:
        messages.append(Message("warning", shown,
                                f"the publication date {published} is in the future "
                                f"(today is {today.isoformat()}); check the 'Ngày đăng' stamp, "
                                f"or set published in {mshown}",
                                code="future_published", doc=doc_id, field="published"))
    programs = meta.get("programs")
    row = {
        "doc_id": doc_id,
        "title": meta.get("title"),
        "unit_name": meta.get("unit_name"),
        "unit_level": meta.get("unit_level"),
        "parent": meta.get("parent"),
        "city": meta.get("city"),
        "period": period,
        "period_start": pd.Timestamp(start) if start else pd.NaT,
        "period_end": pd.Timestamp(end) if end else pd.NaT,
        "period_months": months,
        "published": pd.Timestamp(published) if published else pd.NaT,
        "doc_kind": meta.get("doc_kind"),
        "programs": list(programs) if programs is not None else [],
        "source_file": source_file,
        "sha256": sha,
        "n_chars": len(text),
        "text": text,
    }
    return row, messages
