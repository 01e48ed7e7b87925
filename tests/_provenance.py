"""The provenance check shared by the unit and gold tests of the extractor."""
from __future__ import annotations

from analysis.extract import extract_facts
from analysis.numbers import load_number_words
from analysis.text import split_sentences


def check_provenance(doc: str, text: str) -> None:
    """Assert that offsets, quote and sentence of every fact of ``text`` point into it, in text order."""
    sentences = {(x.start, x.text, x.section) for x in split_sentences(text)}
    prev = -1
    for f in extract_facts(text, doc):
        s, e = f["start"], f["end"]
        assert text[s:e] == f["raw"], f
        assert f["raw"][0].isdigit() or f["raw"].split()[0] in load_number_words(), f
        assert s > prev, "facts come in text order"
        prev = s
        quote = f["quote"]
        starts = [i for i in range(max(0, s - len(quote)), s + 1) if text.startswith(quote, i)]
        assert any(i + len(quote) >= e for i in starts), (quote, f["raw"])
        ss = f["sentence_start"]
        assert text[ss:ss + len(f["sentence"])] == f["sentence"]
        assert ss <= s and e <= ss + len(f["sentence"]), "the sentence holds the number"
        # the number's sentence is one of the text's sentences, under its heading
        assert (ss, f["sentence"], f["section"]) in sentences
