"""The title of a report and the first sentence of its article."""
from __future__ import annotations

import re

from analysis.metadata.dates import DATELINE_RE, PAREN_RE, TIME_RE, dates_in, line_stamp, split_dateline
from analysis.metadata.page import BODY_LINE, head_lines, line_is_furniture
from analysis.metadata.spans import fold
from analysis.text import normalize_text

__all__ = ["SENTENCE_STOP_RE", "read_title", "title_of", "lead_of"]

SENTENCE_STOP_RE = re.compile(r"[.!?;](?=\s+[^\W\d_])")


def _clean_title(line: str) -> str:
    s = DATELINE_RE.sub("", line).strip()
    s = PAREN_RE.sub(lambda m: "" if TIME_RE.search(m.group(1)) and dates_in(fold(m.group(1))) else m.group(0), s)
    return s.strip().rstrip(".").strip()


def read_title(text: str) -> str | None:
    r"""Return the report's title, or None.

    The title is the heading line above the date stamp, else the first
    substantial line above the article's first paragraph that is not page furniture.

    Examples
    --------
    >>> read_title("các bài viết chuyên sâu\n\nKết quả công tác năm 2018 phường Cự Khối\n"
    ...            "Ngày đăng 09/01/2019 | 09:07  | Lượt xem: 8308\n\nNăm 2018, ...")
    'Kết quả công tác năm 2018 phường Cự Khối'
    >>> read_title("Thông kê truy cập\nTHANH XUÂN XANH SẠCH ĐẸP\n"
    ...            "QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021\nTrước tình hình ...")
    'QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021'
    >>> read_title("Thứ Hai, 12/08/2024 10:05 SA\nCẩm Xuyên: 9 xã hoàn thành chỉ tiêu giảm nghèo\n"
    ...            "Thứ Sáu, 11/02/2022 07:30 SA\n\nTheo Phòng Lao động huyện Cẩm Xuyên, năm qua ...")
    'Cẩm Xuyên: 9 xã hoàn thành chỉ tiêu giảm nghèo'
    """
    return title_of(normalize_text(text))


def title_of(text: str) -> str | None:
    """Return what :func:`read_title` gives, for text already normalised.

    Parameters
    ----------
    text : str
        Report text as :func:`analysis.text.normalize_text` gives it.

    Returns
    -------
    str or None
        The title.
    """
    lines = head_lines(text)
    stamps = [i for i, line in enumerate(lines) if line.strip() and line_stamp(line)]
    if stamps:
        for line in reversed(lines[:stamps[-1]]):
            s = _clean_title(line)
            if not s or line_is_furniture(s) or line_stamp(s):
                continue
            if len(s.split()) >= 3:
                return s
            break
    for i, line in enumerate(lines):
        s = _clean_title(line)
        if s and not line_is_furniture(s) and len(s.split()) >= 6 and i not in stamps:
            return s
    return None


def lead_of(text: str) -> str | None:
    """Return the first sentence of the article (what a news page opens with when it has no title)."""
    start, _ = split_dateline(text)
    for line in text[start:].split("\n", 40)[:40]:
        s = line.strip()
        if len(s.split()) < 6 or line_is_furniture(s):
            continue
        for m in SENTENCE_STOP_RE.finditer(s):
            if m.start() >= 60:
                return s[:m.end()]
        return s[:BODY_LINE]
    return None
