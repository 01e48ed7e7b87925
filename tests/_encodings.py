"""Encoders for the tests of the loader: Vietnamese text as Windows-1258 and TCVN3 bytes.

Python has a Windows-1258 codec that cannot write a toned letter as the
portals' files do (base letter, then the tone as a combining mark), and no
TCVN3 codec; these write test inputs the way those files hold them.
"""
from __future__ import annotations

import unicodedata

from analysis.rules import read_rules
from analysis.text import normalize_text

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode text the way Windows-1258 stores Vietnamese: base letters, combining tones."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        # the base keeps its vowel mark (â, ơ, ư…), the tone follows as a combining mark
        tones = [m for m in marks if m in TONE_MARKS]
        head = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONE_MARKS))
        out += head.encode("cp1258") + "".join(tones).encode("cp1258")
    return bytes(out)


def tcvn3_encoder() -> dict[str, int]:
    """Return letter → byte of the TCVN3 table the loader decodes with."""
    return {r["char"]: int(r["byte"], 16) for r in read_rules("tcvn3", ["byte", "char"])}


def to_tcvn3(text: str) -> bytes:
    """Encode as TCVN3: capitals with tone marks have no code and take the small letter's."""
    enc = tcvn3_encoder()
    out = bytearray()
    for ch in normalize_text(text):
        if ch in enc:
            out.append(enc[ch])
        elif ch.lower() in enc and not ch.isascii():
            out.append(enc[ch.lower()])
        elif ch.isascii():
            out += ch.encode("ascii")
        else:
            out += ch.encode("cp1252", errors="replace")
    return bytes(out)
