"""A Word ``.docx`` file to text: paragraphs and tables in document order, within limits.

:func:`check_docx_size` refuses a file that would unpack beyond the limits
before anything is unpacked; :func:`docx_to_text` gives one line per
paragraph and one line per table row, its cells joined by `` | `` (a merged
cell once).

python-docx is imported when a Word file is first read: it takes 0.15–0.3 s to
import, and the review app imports the loader without ever reading one.
"""
from __future__ import annotations

import io
import re
import zipfile

from analysis.load.limits import limit, limit_fix
from analysis.load.problems import InputProblem

__all__ = ["docx_to_text", "check_docx_size", "is_docx"]

# A .docx this small (uncompressed) is never refused for its ratio.
_RATIO_FLOOR = 10 << 20


def is_docx(data: bytes) -> bool:
    """Tell whether ZIP bytes are a Word document (they hold ``word/document.xml``)."""
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False



def docx_to_text(data: bytes, path=None) -> str:
    """Return the text of a .docx: a line per paragraph and per table row, in document order.

    Raises
    ------
    InputProblem
        With code ``docx`` when the package is not a readable Word document.
    """
    import docx  # lazy: see the module docstring
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



def check_docx_size(data: bytes, path=None) -> None:
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
                           f"of {most} MB; not read", limit_fix("max_docx_mb"), code="limit")
    ratio = limit("max_docx_ratio")
    if unpacked > _RATIO_FLOOR and unpacked > ratio * packed:
        raise InputProblem(path, f"this .docx unpacks to {unpacked / packed:,.0f} times its size, beyond "
                           f"the limit of {ratio} times; not read", limit_fix("max_docx_ratio"),
                           code="limit")


