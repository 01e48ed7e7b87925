"""Numbers the Vietnamese way (and the English way), in Python labels and in chart specs."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis.i18n import LABELS, indicator_name, period_name, t
from analysis.theme import apply_theme, format_number, import_altair, vega_locale

alt = import_altair()   # as the package does: without the slow optional import


@pytest.mark.parametrize("value, unit, lang, expected", [
    (97.95, "percent", "vi", "97,95%"),
    (97.95, "percent", "en", "97.95%"),
    (12877755000, "vnd", "vi", "12.877.755.000 đ"),
    (12877755000, "vnd", "en", "12,877,755,000 VND"),
    (18.93, "per_mille", "vi", "18,93‰"),
    (18.93, "per_mille", "en", "18.93‰"),
    (5209, "count", "vi", "5.209"),
    (5209, "count", "en", "5,209"),
    (1553, None, "vi", "1.553"),
    (140.0, "percent", "vi", "140%"),          # trailing zeros dropped
    (92.30769, "percent", "vi", "92,31%"),     # two decimals at most
    (57.85, "percent", "vi", "57,85%"),
    (0.5, "percent", "vi", "0,5%"),
    (-6.55, "percent", "vi", "-6,55%"),
    (-0.001, "percent", "vi", "0%"),           # no "-0"
    (144500000, "vnd", "vi", "144.500.000 đ"),
    (5.2, "ha", "vi", "5,2 ha"),
    (0.37, "km2", "en", "0.37 km²"),
    (1800, "kg", "vi", "1.800 kg"),
    (999, "count", "vi", "999"),
    (1000, "count", "vi", "1.000"),
    (1234567.891, "count", "vi", "1.234.567,89"),
    (None, "percent", "vi", "—"),
    (float("nan"), "vnd", "vi", "—"),
])
def test_format_number_table(value, unit, lang, expected):
    assert format_number(value, unit, lang) == expected


def test_format_number_reads_back_the_vietnamese_way():
    # Whatever the value, the Vietnamese text is the English text with the marks swapped.
    for x in (0.01, 3.5, 97.95, 1234.5, 12877755000, 91.4044):
        vi, en = format_number(x, "count", "vi"), format_number(x, "count", "en")
        swapped = en.replace(",", "\0").replace(".", ",").replace("\0", ".")
        assert vi == swapped
        assert math.isclose(float(en.replace(",", "")), round(x, 2))


def test_unknown_language_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="language 'fr' is not supported: use 'vi' or 'en'"):
        format_number(1, "count", "fr")


def test_vega_locale_vi_and_en():
    vi = vega_locale("vi").to_dict()["number"]
    en = vega_locale("en").to_dict()["number"]
    assert (vi["decimal"], vi["thousands"], vi["grouping"]) == (",", ".", [3])
    assert vi["currency"] == ["", " ₫"]
    assert (en["decimal"], en["thousands"]) == (".", ",")


def test_theme_sets_fonts_and_locale_in_the_spec():
    chart = alt.Chart(pd.DataFrame({"v": [1]})).mark_point().encode(x=alt.X("v:Q"))
    config = apply_theme(chart, "vi").to_dict()["config"]
    assert config["locale"]["number"]["decimal"] == ","
    assert "Noto Sans" in config["font"]
    assert config["axis"]["labelFontSize"] >= 12




def test_every_label_has_both_languages_and_the_same_placeholders():
    for key, (vi, en) in LABELS.items():
        assert vi.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", vi)) == set(re.findall(r"{(\w+)}", en)), key


def test_labels_switch_language():
    assert t("empty.no_report") == "Chưa có báo cáo cho kỳ này"
    assert t("empty.no_report", "en") == "No report for this period yet"
    assert period_name("2021-H1") == "6 tháng đầu năm 2021"
    assert period_name("2018-FY") == "Năm 2018"
    assert period_name("2021-H1", "en") != period_name("2021-H1", "vi")
    assert indicator_name("cultural_family_rate", "vi") != indicator_name("cultural_family_rate", "en")


def test_every_label_the_code_asks_for_exists():
    from analysis import paths

    used = set()
    for path in (paths.ROOT / "analysis").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_0-9]+)\"", text))
        # keys built from a value: t(f"status.{s}") for every status, etc.
        for prefix in re.findall(r"\bt\(\s*f\"([a-z_]+)\.\{", text):
            assert any(k.startswith(prefix + ".") for k in LABELS), prefix
    assert used, "no label found: the pattern is wrong"
    assert sorted(used - set(LABELS)) == []
    for status in ("exceeded", "met", "missed", "plan", "unknown"):
        assert f"status.{status}" in LABELS
    for level in ("ward", "district", "commune", "city"):
        assert f"level.{level}" in LABELS
