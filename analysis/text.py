"""Vietnamese text normalisation, sentences and section headings.

Every stage that matches on report text works on the text returned by
:func:`normalize_text`; character offsets in the processed tables point into it.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

__all__ = [
    "normalize_text", "fold", "Sentence", "split_sentences", "section_headings",
    "TextIndex",
]

# Tone marks as combining characters (NFD).
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# Syllable-final vowel pairs whose tone sits on the first vowel in the
# traditional placement ("hóa", "thủy", "khỏe") and on the second in the
# newer one ("hoá", "thuỷ", "khoẻ"). We normalise to the traditional placement,
# which the seed reports and the gold annotations mostly use.
_PAIR_RE = re.compile(
    r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONES + r"])(?![\u0300-\u036f]|[^\W\d_])"
)


def _move_tone(nfd: str) -> str:
    return _PAIR_RE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), nfd)


# What the tone rule would change, read on composed text: a tone on the second
# vowel of oa/oe/uy closing a syllable is, in NFC, one of these 30 letters right
# after o/u (not qu-) and before neither a letter nor a combining mark. Text
# that is NFC and has none of them is left as it is by the full normalisation.
_MOVABLE_NFC = re.compile(
    "[oOuU](?<![qQ][oOuU])["
    + "".join(unicodedata.normalize("NFC", v + t) for v in "aAeEyY" for t in _TONES)
    + r"](?![\u0300-\u036f]|[^\W\d_])")
_NOT_KEPT = ("\ufeff", "\r", "\u00a0", "\u202f")
# Full-width digits and number signs (typed with an East Asian input method or
# pasted from such a page) are the ASCII ones: "５２０９ hộ" is 5209 households.
# One character each way, so offsets keep.
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_FULL_WIDTH.update({0xFF05: ord("%"), 0xFF0C: ord(","), 0xFF0E: ord("."), 0xFF0F: ord("/")})
_FULL_WIDTH_CHARS = tuple(chr(c) for c in _FULL_WIDTH)
_FULL_WIDTH_RE = re.compile("[" + "".join(_FULL_WIDTH_CHARS) + "]")


def _normalize_fully(text: str) -> str:
    """Normalise step by step (what :func:`normalize_text` gives for any text)."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if any(c in text for c in _FULL_WIDTH_CHARS):
        text = _FULL_WIDTH_RE.sub(lambda m: chr(_FULL_WIDTH[ord(m.group())]), text)
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _move_tone(nfd))


def _is_normal(text: str) -> bool:
    """Whether :func:`normalize_text` would return the text unchanged.

    Checking is much cheaper than normalising: reports as the portals serve
    them are normal already, and so is every text the loader hands on.
    """
    return (not any(c in text for c in _NOT_KEPT) and unicodedata.is_normalized("NFC", text)
            and _MOVABLE_NFC.search(text) is None
            and not any(c in text for c in _FULL_WIDTH_CHARS))


def normalize_text(text: str) -> str:
    """Return report text in the one form every stage matches on.

    NFC composition, traditional tone placement on ``oa``/``oe``/``uy`` at the end
    of a syllable, Unix line endings, no byte-order mark, no non-breaking spaces,
    ASCII digits for full-width ones (``５２０９`` → ``5209``; digits of other
    scripts, such as ``٥٢٠٩``, are left as they are and are no numbers).
    The operation is idempotent, and text already in this form comes back as
    it is (the same object), without the work of normalising it again.

    Examples
    --------
    >>> normalize_text("văn hoá, thuỷ lợi, khoẻ") == "văn hóa, thủy lợi, khỏe"
    True
    >>> normalize_text("Quận uỷ; quý; hoán đổi")  # qu- and closed syllables keep their mark
    'Quận ủy; quý; hoán đổi'
    >>> normalize_text("hoặc luật thuận, thuế, khuya")  # vowels with their own marks are left alone
    'hoặc luật thuận, thuế, khuya'
    >>> normalize_text(unicodedata.normalize("NFD", "Cự Khối")) == "Cự Khối"
    True
    >>> normalize_text("５２０９ hộ, ９７，９５％")
    '5209 hộ, 97,95%'

    >>> text = "Kết quả thực hiện nhiệm vụ năm 2018 của phường Cự Khối"
    >>> normalize_text(text) is text
    True
    """
    if _is_normal(text):
        return text
    return _normalize_fully(text)


def fold(text: str) -> str:
    """Lower-case and normalise text for matching cue phrases.

    Examples
    --------
    >>> fold("Văn Hoá") == fold("văn hóa")
    True
    """
    return normalize_text(text).lower()


@dataclass(frozen=True)
class Sentence:
    """A sentence of a report: its character span and the heading above it."""

    start: int
    end: int
    text: str
    section: str | None


# A sentence ends at a line break, or at . ! ? … followed by spaces and a
# capital letter, digit, quote or bracket. Dots inside numbers never end one.
# Boundaries are found with str.find, far cheaper than a regex scan of the text.
_SENT_MARKS = (".", "!", "?", "…")
_MARK_GAP = {mark + gap: re.compile(re.escape(mark + gap)) for mark in _SENT_MARKS for gap in " \t"}
_SENT_NEXT = re.compile(r"[ \t]+(?=[\"“'(\[A-ZÀ-ỸĐ0-9])")


def _opens_sentence(ch: str) -> bool:
    """Tell whether a character may open a sentence (the look-ahead of ``_SENT_NEXT``)."""
    return "A" <= ch <= "Z" or "À" <= ch <= "Ỹ" or "0" <= ch <= "9" or (ch != "" and ch in "\"“'([")


_HEADING_RE = re.compile(
    r"^\s*(?:"
    r"[IVXLC]+[.)/-]\s|"              # I. II. III.
    r"\d{1,2}[.)/]\s*(?!\d)|"         # 1. 2) 3/
    r"\(\d{1,2}\)\s|"                 # (1)
    r"[a-zđ][.)]\s|"                  # a) b.
    r"[-–•+*]\s|"                     # list bullets
    r"(?:Về|Đối với|Trên lĩnh vực|Lĩnh vực|Công tác)\s"
    r")",
    re.UNICODE,
)


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 160:
        return False
    if s.endswith(":") and len(s) <= 120:
        return True
    letters = "".join(filter(str.isalpha, s))  # C-level filter and count: one per line of text
    if len(letters) >= 8 and sum(map(str.isupper, letters)) / len(letters) > 0.8:
        return True
    if _HEADING_RE.match(s) and not s.endswith((".", ";", ",")) and len(s) <= 120:
        return True
    return False


def section_headings(text: str) -> list[tuple[int, str]]:
    r"""Return the start offset and text of each line that reads as a section heading.

    Examples
    --------
    >>> section_headings("Mở đầu.\n(1) Về phát triển kinh tế\nThu ngân sách đạt 120%.")
    [(8, '(1) Về phát triển kinh tế')]
    """
    out = []
    pos = 0
    for line in text.split("\n"):
        if _is_heading(line):
            out.append((pos, line.strip().rstrip(":").strip()))
        pos += len(line) + 1
    return out


def _sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of the raw sentences (not yet trimmed of spaces)."""
    cuts = []
    n = len(text)
    i = text.find("\n")
    while i != -1:
        j = i + 1
        while j < n and text[j] == "\n":
            j += 1
        cuts.append((i, j))
        i = text.find("\n", j)
    # a two-character str.find is far slower than a one-character one, and a
    # literal regex faster still: look for a mark or a tab only where the text
    # holds it at all
    gaps = (" ", "\t") if "\t" in text else (" ",)
    for mark in _SENT_MARKS:
        if mark not in text:
            continue
        for gap in gaps:
            for m in _MARK_GAP[mark + gap].finditer(text):
                i = m.start()
                nxt = text[i + 2:i + 3]
                if _opens_sentence(nxt):  # most often: one space, then the next sentence
                    cuts.append((i + 1, i + 2))
                elif nxt == " " or nxt == "\t":
                    spaces = _SENT_NEXT.match(text, i + 1)
                    if spaces is not None:
                        cuts.append((i + 1, spaces.end()))
    cuts.sort()
    starts, ends, last = [0], [], -1
    for b, e in cuts:
        if b < last:  # inside a boundary already taken
            continue
        ends.append(b)
        starts.append(e)
        last = e
    ends.append(n)
    return starts, ends


class TextIndex:
    """The sentences of a text, built only when asked for.

    Examples
    --------
    >>> idx = TextIndex("Có 36 tin. Đạt 97,95%.")
    >>> idx.sentence_at(15).text
    'Đạt 97,95%.'
    """

    def __init__(self, text: str):
        self.text = text
        self._starts, self._ends = _sentence_bounds(text)
        heads = section_headings(text)
        self._heads = heads
        self._head_starts = [h[0] for h in heads]
        self._cache: dict[int, Sentence] = {}

    def _sentence(self, i: int) -> Sentence:
        hit = self._cache.get(i)
        if hit is not None:
            return hit
        text = self.text
        start, end = self._starts[i], self._ends[i]
        # trim surrounding white space but keep offsets exact
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        sentence = text[start:end]
        j = bisect_right(self._head_starts, start) - 1
        section = None
        if j >= 0:
            h_start, h_text = self._heads[j]
            # a heading is not its own section
            if h_start == start or sentence == h_text:
                section = self._heads[j - 1][1] if j > 0 else None
            else:
                section = h_text
        hit = self._cache[i] = Sentence(start, end, sentence, section)
        return hit

    @property
    def sentences(self) -> list[Sentence]:
        """Every non-blank sentence, in order."""
        all_ = (self._sentence(i) for i in range(len(self._starts)))
        return [s for s in all_ if s.start < s.end]

    def sentence_at(self, offset: int) -> Sentence:
        """Return the sentence that holds ``offset`` (empty where the text is blank)."""
        return self._sentence(max(bisect_right(self._starts, offset) - 1, 0))


def split_sentences(text: str) -> list[Sentence]:
    r"""Split text into sentences, each with the section heading it sits under.

    Examples
    --------
    >>> [s.text for s in split_sentences("Có 36 tin. Đạt 97,95%.\nKết nạp 5 đảng viên")]
    ['Có 36 tin.', 'Đạt 97,95%.', 'Kết nạp 5 đảng viên']
    """
    return TextIndex(text).sentences
