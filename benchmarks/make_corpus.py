"""Generate a benchmark corpus: N ward reports recombined from the real ones.

Each generated report is a plain-text portal page like those in ``data/raw/``:
a title line naming the ward and the period the way reports do
("Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2021 của phường Cống Vị"), the
portal's "Ngày đăng dd/mm/yyyy" stamp, then paragraphs made of the sentences
of the real reports, shuffled, with

* every ward and district they name replaced by the report's own ward (drawn
  from the real Hà Nội wards in ``analysis/rules/hanoi_wards.csv``) and its
  district, so that the real metadata reader finds the report's unit;
* years moved to the report's year (dates and "giai đoạn 2020 - 2025" too);
* every other number redrawn with the same written shape (``97,95%`` →
  ``43,18%``, ``12.877.755.000`` → ``58.204.316.000``, fractions kept
  numerator ≤ denominator); document codes (``02-CTr/QU``) and month counts
  (``6 tháng``) are kept.

Periods are spread over 2016–2025: results for the first half, nine months,
the first quarter and the whole year, and plans for the second half, the last
quarter and the next year, each plan published before its period begins.
Report ``i`` depends only on ``(seed, i)``, so a corpus is deterministic for a
seed and a smaller corpus is the first reports of a larger one.

The corpus is written to ``benchmarks/corpus/n<N>-s<seed>/`` (git-ignored) or a
given folder, with a hidden ``.corpus.json`` that records the parameters and
the metadata each report was written with (the loader skips hidden files), so
a benchmark can check what the real loader reads back. Generated data never
goes into ``data/`` or ``tests/fixtures/``.

Usage::

    .venv/bin/python benchmarks/make_corpus.py --n 12000 [--seed 2024] [--out DIR] [--jobs 0]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "corpus"
#: Bumped when the generator changes, so that a cached corpus is made again.
VERSION = 5
YEARS = range(2016, 2026)
#: period codes that end by 30 June: in 2025 only these fall before the reform of 1 July
ENDS_BY_JUNE = frozenset({"H1", "Q1", "Q2"})
#: (period code, kind, [(month, first day, last day) of publication], year offset of publication)
SLOTS = (
    ("H1", "results", (7, 3, 28), 0),
    ("9M", "results", (10, 2, 28), 0),
    ("Q1", "results", (4, 2, 28), 0),
    ("FY", "results", (12, 16, 30), 0),
    ("H2", "plan", (6, 10, 28), 0),
    ("Q4", "plan", (9, 5, 28), 0),
    ("FY", "plan", (12, 5, 28), -1),
)
PERIOD_PHRASES = {
    "H1": ("6 tháng đầu năm {y}", "06 tháng đầu năm {y}"),
    "9M": ("9 tháng đầu năm {y}", "9 tháng năm {y}"),
    "Q1": ("quý I/{y}", "quý I năm {y}", "3 tháng đầu năm {y}"),
    "FY": ("năm {y}", "cả năm {y}"),
    "H2": ("6 tháng cuối năm {y}",),
    "Q4": ("3 tháng cuối năm {y}", "quý IV năm {y}"),
}
TITLES = {
    "results": (
        "Kết quả thực hiện nhiệm vụ {pp} của phường {w}",
        "Báo cáo kết quả {pp} trên địa bàn phường {w}",
        "Kết quả công tác {pp} phường {w}",
        "Kết quả triển khai thực hiện Chương trình số 02-CTr/QU của Quận ủy {d} {pp} trên địa bàn phường {w}",
        "Đánh giá kết quả {pp} của Đảng ủy, UBND phường {w}",
    ),
    "plan": (
        "Phương hướng, nhiệm vụ {pp} của phường {w}",
        "Kế hoạch thực hiện nhiệm vụ {pp} phường {w}",
        "Phường {w} phấn đấu hoàn thành nhiệm vụ {pp}",
    ),
}
OPENINGS = {
    "results": "Trong {pp}, Đảng ủy – UBND phường {w} ({dt} {d}) đã lãnh đạo, chỉ đạo triển khai "
               "thực hiện các nhiệm vụ chính trị đạt được nhiều kết quả quan trọng.",
    "plan": "Căn cứ kết quả đã đạt được, Đảng ủy – UBND phường {w} ({dt} {d}) xác định phương "
            "hướng, nhiệm vụ {pp} với các chỉ tiêu chủ yếu sau.",
}
FURNITURE = ("các bài viết chuyên sâu", "bài viết chuyên sâu", "CÔNG TÁC ĐẢNG", "")
#: The seed report each pool of sentences comes from, and its year.
SEED_YEARS = {"cau-giay-2022-h1": 2022, "cu-khoi-2018-fy": 2018, "phuc-dong-2020-9m": 2020,
              "thach-ban-2021-h1": 2021, "thanh-xuan-2021-q4": 2021}
PLAN_SEEDS = ("thanh-xuan-2021-q4",)
MIN_BYTES, MAX_BYTES = 10_000, 23_500

_WORD = r"[^\W\d_]"
_NUMBER_RE = re.compile(
    r"(?P<date>(?<!\d)\d{1,2}/\d{1,2}/(?:19|20)\d{2}(?!\d))"
    r"|(?P<code>(?<!\d)\d{1,3}\s*-\s*" + _WORD + r"+/" + _WORD + r"+)"
    r"|(?P<months>(?<![\d.,])\d{1,2}(?=\s+tháng))"
    r"|(?P<frac>(?<![\d.,/])\d+(?:\.\d{3})*/\d+(?:\.\d{3})*(?![\d/]))"
    r"|(?P<year>(?<![\d.,/])(?:19|20)\d{2}(?![\d]|[.,]\d))"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
)
_YEAR_IN_DATE = re.compile(r"(?:19|20)\d{2}$")
_UNIT_PREFIX = re.compile(r"(?<!\w)(?P<prefix>(?i:đảng ủy phường|quận ủy|huyện ủy|phường|quận|huyện))"
                          r"(?P<gap>[ \t]+)")
_TOKEN = re.compile(r"[^\W_]+")
_WARD_PREFIXES = ("phường", "đảng ủy phường")


# --------------------------------------------------------------------------- sources

@lru_cache(maxsize=1)
def wards() -> tuple[tuple[str, str, str], ...]:
    """(ward, district, district type) of every Hà Nội ward in the rule table."""
    sys.path.insert(0, str(ROOT))
    from analysis.text import normalize_text

    with open(ROOT / "analysis" / "rules" / "hanoi_districts.csv", encoding="utf-8") as f:
        kinds = {normalize_text(r["district"]): r["district_type"] for r in csv.DictReader(f)}
    with open(ROOT / "analysis" / "rules" / "hanoi_wards.csv", encoding="utf-8") as f:
        rows = [(normalize_text(r["ward"]), normalize_text(r["district"])) for r in csv.DictReader(f)]
    return tuple((w, d, kinds.get(d, "quận")) for w, d in rows)


@lru_cache(maxsize=1)
def sources() -> dict:
    """Sentences of each real report (after its date stamp), and section headings."""
    sys.path.insert(0, str(ROOT))
    from analysis.text import normalize_text, section_headings, split_sentences

    pools, headings = {}, []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        text = normalize_text(path.read_text(encoding="utf-8"))
        stamp = re.search(r"(?im)^.*(?:ngày đăng|view count|lượt xem).*$", text)
        body_start = stamp.end() if stamp else 0
        heads = {h for _, h in section_headings(text)}
        headings += [h for h in heads if re.match(r"^(?:\(\d\)\s*)?Về\s", h)]
        sentences = []
        for s in split_sentences(text):
            if s.start < body_start or s.text.strip().rstrip(":") in heads or len(s.text) < 25:
                continue
            sentences.append(s.text)
        pools[path.stem] = sentences
    return {"pools": pools, "headings": sorted(set(headings))}


# --------------------------------------------------------------------------- rewriting

def _slug(name: str) -> str:
    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def _replace_units(sentence: str, ward: str, district: str) -> str:
    """Every 'phường X' names the report's ward; every 'quận Y' / 'Quận ủy Y' its district.

    >>> _replace_units("Quận ủy Long Biên chỉ đạo phường Thạch Bàn", "Cống Vị", "Ba Đình")
    'Quận ủy Ba Đình chỉ đạo phường Cống Vị'
    """
    return "".join(_fill(_unit_parts(sentence), ward, district))


def _unit_parts(sentence: str) -> list:
    """Cut the sentence into literal pieces and ('ward'|'district', capitals) slots."""
    out, pos = [], 0
    for m in _UNIT_PREFIX.finditer(sentence):
        if m.start() < pos:
            continue
        i, toks = m.end(), []
        while len(toks) < 3:
            t = _TOKEN.match(sentence, i)
            if not t or not t.group(0)[0].isupper():
                break
            toks.append(t)
            gap = re.match(r"[ \t]+", sentence[t.end():])
            if not gap:
                break
            i = t.end() + gap.end()
        if not toks:
            continue
        level = "ward" if m.group("prefix").lower() in _WARD_PREFIXES else "district"
        out.append(sentence[pos:toks[0].start()])
        out.append((level, all(t.group(0).isupper() for t in toks)))
        pos = toks[-1].end()
    out.append(sentence[pos:])
    return out


def _fill(parts: list, ward: str, district: str) -> list[str]:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        else:
            name = ward if p[0] == "ward" else district
            out.append(name.upper() if p[1] else name)
    return out


def _redraw(rng: random.Random, digits: str, keep_first: bool = False) -> str:
    out = []
    n_digits = sum(c.isdigit() for c in digits)
    for i, ch in enumerate(digits):
        if not ch.isdigit():
            out.append(ch)
        elif i == 0 and keep_first:
            out.append(ch)
        elif i == 0 and n_digits > 1:
            out.append(str(rng.randint(1, 9)))
        else:
            out.append(str(rng.randint(0, 9)))
    return "".join(out)


def _value(written: str) -> float:
    return float(written.replace(".", "").replace(",", "."))


@lru_cache(maxsize=None)
def _template(sentence: str) -> tuple:
    """Cut a sentence into literal text, unit slots and numbers (kind, text), once."""
    parts: list = []
    for piece in _unit_parts(sentence):
        if not isinstance(piece, str):
            parts.append(piece)
            continue
        pos = 0
        for m in _NUMBER_RE.finditer(piece):
            parts.append(piece[pos:m.start()])
            if m.lastgroup in ("code", "months"):
                parts.append(m.group(0))
            else:
                parts.append(("#", m.lastgroup, m.group(0)))
            pos = m.end()
        parts.append(piece[pos:])
    return tuple(p for p in parts if p != "")


def _vary(kind: str, text: str, rng: random.Random, year_shift: int) -> str:
    if kind == "date":
        return _YEAR_IN_DATE.sub(lambda y: str(int(y.group(0)) + year_shift), text)
    if kind == "year":
        return str(int(text) + year_shift)
    if kind == "frac":
        num, den = text.split("/")
        num, den = _redraw(rng, num), _redraw(rng, den)
        if _value(num) > _value(den):
            num, den = den, num
        return f"{num}/{den}"
    if text.startswith("0") and len(text) > 1 and text.isdigit():   # '06', '02'
        return "0" + str(rng.randint(1, 9)) + _redraw(rng, text[2:], keep_first=False) \
            if len(text) > 2 else "0" + str(rng.randint(1, 9))
    return _redraw(rng, text)


def rewrite_sentence(sentence: str, rng: random.Random, ward: str, district: str,
                     year_shift: int) -> str:
    """Move a real sentence to another ward and year, its numbers redrawn.

    >>> s = rewrite_sentence("Phường Thạch Bàn có 5209/5318 hộ, năm 2021", random.Random(1),
    ...                      "Cống Vị", "Ba Đình", -3)
    >>> s
    'Phường Cống Vị có 2777/3914 hộ, năm 2018'
    """
    out = []
    for p in _template(sentence):
        if isinstance(p, str):
            out.append(p)
        elif p[0] == "#":
            out.append(_vary(p[1], p[2], rng, year_shift))
        else:
            name = ward if p[0] == "ward" else district
            out.append(name.upper() if p[1] else name)
    return "".join(out)


# --------------------------------------------------------------------------- reports

def slot_of(i: int, seed: int) -> tuple[int, int, int, int]:
    """(ward index, year, slot index, repeat) of report ``i``: every slot once, in a seeded order."""
    n_slots = len(wards()) * len(YEARS) * len(SLOTS)
    order = _slot_order(seed)
    k = order[i % n_slots]
    w, rest = divmod(k, len(YEARS) * len(SLOTS))
    y, s = divmod(rest, len(SLOTS))
    return w, YEARS[y], s, i // n_slots


@lru_cache(maxsize=4)
def _slot_order(seed: int) -> tuple[int, ...]:
    order = list(range(len(wards()) * len(YEARS) * len(SLOTS)))
    random.Random(f"slots:{seed}").shuffle(order)
    return tuple(order)


def make_report(i: int, seed: int) -> tuple[str, str, dict]:
    """Doc id, text and the metadata it was written with, for report ``i`` of a seed."""
    rng = random.Random(f"report:{seed}:{i}")
    w_i, year, s_i, repeat = slot_of(i, seed)
    ward, district, district_type = wards()[w_i]
    code, kind, (month, d0, d1), pub_offset = SLOTS[s_i]
    pub_year = year + pub_offset
    published = f"{pub_year:04d}-{month:02d}-{rng.randint(d0, d1):02d}"
    pp = rng.choice(PERIOD_PHRASES[code]).format(y=year)
    title = rng.choice(TITLES[kind]).format(pp=pp, w=ward, d=district)
    src = sources()
    pools = src["pools"]
    names = sorted(n for n in pools if kind == "plan" or n not in PLAN_SEEDS)
    weights = [3 if (kind == "plan" and n in PLAN_SEEDS) else 1 for n in names]
    target = rng.randint(MIN_BYTES, MAX_BYTES)

    y_, m_, d_ = published.split("-")
    head = [rng.choice(FURNITURE), "", title,
            f"Ngày đăng {d_}/{m_}/{y_} | {rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}  | "
            f"Lượt xem: {rng.randint(50, 9000)}", "",
            OPENINGS[kind].format(pp=pp, w=ward, d=district, dt=district_type)]
    text = "\n".join(head).lstrip("\n")
    size = len(text.encode("utf-8"))
    paragraphs = []
    while size < target:
        para = []
        if rng.random() < 0.15 and src["headings"]:
            h = rng.choice(src["headings"])
            paragraphs.append(h)
            size += len(h.encode("utf-8")) + 2
        for _ in range(rng.randint(2, 6)):
            seed_name = rng.choices(names, weights)[0]
            s = rng.choice(pools[seed_name])
            s = rewrite_sentence(s, rng, ward, district, year - SEED_YEARS.get(seed_name, year))
            para.append(s)
            size += len(s.encode("utf-8")) + 1
        paragraphs.append(" ".join(para))
        size += 1
    text = text + "\n\n" + "\n\n".join(paragraphs) + "\n"
    doc = f"g{i:05d}-{_slug(ward)}-{year}-{code.lower()}-{kind}" + (f"-r{repeat}" if repeat else "")
    # after the reform of 1 July 2025 wards have no parent district (annotation guide)
    parent = district if year < 2025 or code in ENDS_BY_JUNE else None
    expected = {"doc": doc, "unit_name": ward, "unit_level": "ward", "parent": parent,
                "city": "Hà Nội", "period": f"{year}-{code}", "doc_kind": kind,
                "published": published}
    return doc, text, expected


def _write_range(args) -> list[tuple[dict, int]]:
    start, stop, seed, folder = args
    out = []
    for i in range(start, stop):
        doc, text, expected = make_report(i, seed)
        data = text.encode("utf-8")
        (Path(folder) / f"{doc}.txt").write_bytes(data)
        out.append((expected, len(data)))
    return out


def default_folder(n: int, seed: int) -> Path:
    """Where a corpus of ``n`` reports for ``seed`` is kept (git-ignored)."""
    return CORPUS / f"n{n}-s{seed}"


def read_info(folder: Path) -> dict | None:
    """Return the parameters and expected metadata recorded beside a corpus, if any."""
    try:
        return json.loads((Path(folder) / ".corpus.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_corpus(n: int, seed: int = 2024, out: str | os.PathLike | None = None,
                 jobs: int = 0, force: bool = False, quiet: bool = False) -> Path:
    """Write ``n`` generated reports into ``out`` (reused if already made with the same parameters).

    Refuses to write inside ``data/`` or ``tests/``.
    """
    folder = Path(out) if out is not None else default_folder(n, seed)
    folder = folder.absolute()
    for guarded in (ROOT / "data", ROOT / "tests"):
        if folder == guarded or guarded in folder.parents:
            raise SystemExit(f"make_corpus: {folder} is inside {guarded}; generated reports never "
                             "go there — give a folder under benchmarks/corpus/ or /tmp")
    info = read_info(folder)
    if not force and info and (info.get("n"), info.get("seed"), info.get("version")) == (n, seed, VERSION):
        if not quiet:
            print(f"corpus of {n} reports (seed {seed}) already in {folder}", file=sys.stderr)
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sources(), wards()   # read once before forking
    t0 = time.perf_counter()
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    step = 200
    ranges = [(s, min(s + step, n), seed, str(folder)) for s in range(0, n, step)]
    results: list[tuple[dict, int]] = []
    if jobs == 1 or len(ranges) < 2:
        for r in ranges:
            results += _write_range(r)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            for part in pool.map(_write_range, ranges):
                results += part
    info = {"n": n, "seed": seed, "version": VERSION,
            "bytes": sum(b for _, b in results),
            "reports": [e for e, _ in results]}
    (folder / ".corpus.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    if not quiet:
        print(f"{n} reports, {info['bytes'] / 1e6:.1f} MB, written to {folder} "
              f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return folder


def main(argv: list[str] | None = None) -> int:
    """Write a corpus as the command line asks; the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=12000, help="number of reports (default 12000)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", default=None, help="folder (default benchmarks/corpus/n<N>-s<seed>)")
    ap.add_argument("--jobs", type=int, default=0, help="processes (0: one per core)")
    ap.add_argument("--force", action="store_true", help="write again even if already there")
    a = ap.parse_args(argv)
    print(write_corpus(a.n, a.seed, a.out, a.jobs, a.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
