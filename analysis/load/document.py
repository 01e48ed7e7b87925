"""One input file to normalised text, whatever its form: plain text, a saved web page, a Word file.

:func:`open_document` tells the form by the content when the suffix lies (a
Word file or a web page saved as ``.txt``), refuses what is not a report
(PDF, old Word, archives, images, binary data) with one line naming the file
and the fix, and applies the limits on size and characters. Its
:class:`Document` says how the file was read.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.load.decode import decode_bytes, decode_page, looks_like_html, sniff
from analysis.load.docx import check_docx_size, docx_to_text, is_docx
from analysis.load.html import html_to_text
from analysis.load.limits import check_file_size, limit, limit_fix
from analysis.load.problems import InputProblem
from analysis.text import normalize_text

__all__ = ["Document", "open_document", "read_document", "REPORT_SUFFIXES"]

#: File suffixes read as reports; anything else in the raw folder is named and skipped.
REPORT_SUFFIXES = (".txt", ".text", ".htm", ".html", ".xhtml", ".docx")


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
            check_file_size(path, path.stat().st_size)
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
        check_file_size(path, len(data))
    if not data or data.isspace():
        raise InputProblem(path, "the file is empty",
                           "put the report's text in it or remove the file", code="empty")
    suffix = path.suffix.lower()
    warnings: list[str] = []
    limited: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        word = is_docx(data)
        if not word and suffix == ".docx":
            raise InputProblem(path, "this .docx file is not a readable Word document",
                               "open it in Word or LibreOffice and save it again as .docx", code="docx")
        if not word:
            raise InputProblem(path, "this is a ZIP archive (or an Office file other than .docx)",
                               "unpack it, or save the report as .docx or .txt", code="archive")
        check_docx_size(data, path)
        text, form, encoding = docx_to_text(data, path), "docx", None
    elif suffix == ".docx":
        raise InputProblem(path, "this .docx file is not a Word document",
                           "open it in Word or LibreOffice and save it again as .docx", code="docx")
    else:
        known = sniff(data)
        if known is not None:
            problem, fix, code = known
            raise InputProblem(path, problem, fix, code=code)
        if suffix in (".htm", ".html", ".xhtml"):
            decoded, encoding, warnings = decode_page(data, path)
            form = "html"
        else:
            decoded, encoding, warnings = decode_bytes(data, path)
            form = "html" if looks_like_html(decoded) else "text"
        if form == "html":
            try:
                text, depth = html_to_text(decoded, limit("max_html_depth"))
            except RecursionError:
                raise InputProblem(path, "the HTML page is nested too deeply to read",
                                   "copy the article's text into a .txt file", code="html") from None
            if depth is not None:
                limited.append(
                    f"the page is nested {depth} levels deep, beyond the limit of "
                    f"{limit('max_html_depth')}: its text was read without telling the article "
                    f"from menus and footers; check the report's text, or {limit_fix('max_html_depth')}")
        else:
            text = decoded
    text = normalize_text(text)
    most = limit("max_report_chars")
    if len(text) > most:
        cut = text.rfind("\n", 0, most + 1)
        cut = cut if cut > most // 2 else most
        limited.append(f"the text has {len(text):,} characters, beyond the limit of {most:,} per report: "
                       f"only the first {cut:,} were read; split the report, or {limit_fix('max_report_chars')}")
        text = text[:cut]
    if not text.strip():
        if form == "html":
            raise InputProblem(path, "no article text was found in this HTML page",
                               "save the article's own page, or copy its text into a .txt file",
                               code="empty")
        raise InputProblem(path, "the file holds no text",
                           "put the report's text in it or remove the file", code="empty")
    return Document(text, form, encoding, tuple(warnings), tuple(limited))


def read_document(path: str | os.PathLike) -> str:
    r"""Read one report file (text in any known encoding, HTML or .docx) as normalised text.

    Examples
    --------
    Windows-1258 writes tones as combining marks; the text comes back composed:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "cu-khoi.txt"
    ...     _ = p.write_bytes(b"ph\xfd\xf5\xccng C\xfd\xf2 Kh\xf4\xeci")
    ...     read_document(p)
    'phường Cự Khối'
    """
    return open_document(path).text
