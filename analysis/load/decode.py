"""Bytes to text: byte-order marks, UTF-8/16/32, Windows-1258, TCVN3, and what a file is.

:func:`decode_bytes` reads a plain-text report in any encoding the portals
give; :func:`decode_page` reads a saved web page, believing its ``<meta
charset>`` when the bytes agree. :func:`sniff` names files that are not
reports whatever their suffix (PDF, old Word, archives, images) and
:func:`looks_like_html` tells a page saved under a ``.txt`` name.

The knowledge lives in rule tables under ``analysis/rules/``: ``tcvn3.csv``
(the TCVN3 byte → letter table) and ``vi_common_words.csv`` (words that tell a
right decoding from a wrong one).
"""
from __future__ import annotations

import re
from functools import lru_cache

from analysis.load.problems import InputProblem
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["decode_bytes", "decode_page", "decode_tcvn3", "sniff", "looks_like_html", "BOMS", "SIGNATURES"]

# Share of non-ASCII words that must be common Vietnamese words for a legacy
# decoding to be believed (real reports score about 0.6, wrong decodings ~0).
_MIN_WORD_SHARE = 0.15
# A UTF-8 file with at most this share of broken bytes is read with
# replacement characters (and a warning) rather than refused.
_MAX_BAD_UTF8 = 0.001
_SAVE_AS_UTF8 = ("save it as UTF-8 (Notepad or Word: Save As, Encoding: UTF-8) "
                 "and build again")


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[int, str]:
    """Byte → character for TCVN3, every byte covered (others as Windows-1252)."""
    table: dict[int, str] = {}
    for b in range(0x80, 0x100):
        try:
            table[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            table[b] = chr(b)
    for row in read_rules("tcvn3", ["byte", "char"]):
        table[int(row["byte"], 16)] = row["char"]
    return table


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(r["word"].lower() for r in read_rules("vi_common_words", ["word"]))


#: Byte-order marks: the bytes, the codec, the name the analyst is told.
BOMS = (
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


def decode_tcvn3(data: bytes) -> str:
    r"""Decode TCVN3 (ABC) bytes, headings typed in capitals put back in capitals.

    Examples
    --------
    >>> decode_tcvn3(b"Ph\xad\xeang Th\xb9ch B\xb5n")
    'Phường Thạch Bàn'
    """
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
    yield "TCVN3 (ABC)", decode_tcvn3(data)


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


_MOJIBAKE_RE = re.compile("[ÃÄÅÆá][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                           "\u02c6\u02dc\u2013-\u2122]")
# A character no Windows-1252 byte decodes to: text holding one (any Vietnamese
# letter such as ư, ơ, ệ) cannot be UTF-8 read as Windows-1252.
_NOT_CP1252_RE = re.compile("[^\x00-\xff" + bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore") + "]")


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
    if _NOT_CP1252_RE.search(text) is not None or len(_MOJIBAKE_RE.findall(text)) < 2:
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
    r"""Decode the bytes of a plain-text report: text, the encoding used, warnings.

    Tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without
    one; UTF-8 (repairing text that was encoded twice); then the legacy
    Vietnamese encodings Windows-1258 and TCVN3, keeping the one whose words
    read as Vietnamese; last, UTF-8 with a few broken bytes replaced. Raises
    :class:`InputProblem` for binary data and unknown encodings.

    Examples
    --------
    >>> decode_bytes("Phường Thạch Bàn".encode("utf-8"))
    ('Phường Thạch Bàn', 'UTF-8', [])
    >>> text, encoding, _ = decode_bytes(b"Ph\xad\xeang Th\xb9ch B\xb5n c\xe3 36 tin")
    >>> text, encoding
    ('Phường Thạch Bàn có 36 tin', 'TCVN3 (ABC)')
    >>> decode_bytes("Thạch Bàn có 36 tin".encode("utf-16"))[1]
    'UTF-16'
    """
    for bom, codec, name in BOMS:
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
# What a file is
# --------------------------------------------------------------------------

#: Files that are not reports whatever their suffix: (first bytes, problem, fix, code).
SIGNATURES = (
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


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """Return ``(problem, fix, code)`` for a file that is not a report, from its first bytes.

    Examples
    --------
    >>> sniff(b"%PDF-1.7")[2]
    'pdf'
    >>> sniff("Phường Thạch Bàn".encode()) is None
    True
    """
    for sig, problem, fix, code in SIGNATURES:
        if head.startswith(sig):
            return problem, fix, code
    return None


_HTML_START_RE = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                            re.I | re.S)


def looks_like_html(text: str) -> bool:
    """Tell whether decoded text is a web page (one saved under a ``.txt`` name, say).

    Examples
    --------
    >>> looks_like_html("<!DOCTYPE html><html><body>Có 36 tin</body></html>")
    True
    >>> looks_like_html("Có 36 tin <b>mới</b>")
    False
    """
    return bool(_HTML_START_RE.match(text[:2000]))


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_ALIASES = {"windows-1258": "cp1258", "cp1258": "cp1258", "x-cp1258": "cp1258",
                    "tcvn": "tcvn3", "tcvn3": "tcvn3", "tcvn-5712": "tcvn3",
                    "x-viet-tcvn5712": "tcvn3", "tcvn5712-1": "tcvn3"}


def decode_page(data: bytes, path=None) -> tuple[str, str, list[str]]:
    r"""Decode the bytes of a saved web page: text, the encoding used, warnings.

    The page's ``<meta charset>`` is believed for UTF-8, Windows-1258 and TCVN3
    when the bytes decode; otherwise the bytes are read as :func:`decode_bytes`
    reads them, and a Western charset the page declares is used only when no
    Vietnamese encoding reads better.

    Examples
    --------
    >>> decode_page(b'<meta charset="windows-1258"><p>ph\xfd\xf5\xccng C\xfd\xf2 Kh\xf4\xeci</p>')[1]
    'Windows-1258'
    """
    label = None
    if not any(data.startswith(b) for b, _, _ in BOMS):
        m = _META_CHARSET_RE.search(data[:4096])
        label = m.group(1).decode("ascii").lower() if m else None
    codec = _CHARSET_ALIASES.get(label, label) if label else None
    try:
        if codec in ("utf-8", "utf8"):
            return data.decode("utf-8"), "UTF-8", []
        if codec == "cp1258":
            return data.decode("cp1258"), "Windows-1258", []
        if codec == "tcvn3":
            return decode_tcvn3(data), "TCVN3 (ABC)", []
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
