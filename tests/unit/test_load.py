"""Reading one input: every encoding and form the build accepts, and a clear message for the rest.

Each test writes its input into a temporary folder and checks the text read,
how it was read or the one-line message given, and that the file was left
exactly as it was. Loading whole folders is tested in
``tests/integration/test_load_folder.py``.
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _encodings import to_cp1258, to_tcvn3
from analysis import paths
from analysis.load import InputProblem, decode_bytes, html_to_text, open_document, read_document, read_manifest
from analysis.load.intake import words_joined
from analysis.text import normalize_text

SEED = paths.RAW / "thach-ban-2021-h1.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
HEADING_SEED = paths.RAW / "thanh-xuan-2021-q4.txt"


# ---------------------------------------------------------------- encodings

def test_utf8_with_and_without_bom_read_the_same(tmp_path):
    plain, bom = tmp_path / "a.txt", tmp_path / "b.txt"
    plain.write_bytes(SEED_TEXT.encode("utf-8"))
    bom.write_bytes(b"\xef\xbb\xbf" + SEED_TEXT.encode("utf-8"))
    assert read_document(bom) == read_document(plain) == normalize_text(SEED_TEXT)
    assert not read_document(bom).startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_or_without_bom(tmp_path, codec):
    p = tmp_path / "r.txt"
    data = SEED_TEXT.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    p.write_bytes(data)           # utf-16-le: no BOM, told by its zero bytes
    assert read_document(p) == normalize_text(SEED_TEXT)


def test_windows_1258_with_combining_tones_is_composed(tmp_path):
    p = tmp_path / "r.txt"
    data = to_cp1258(SEED_TEXT)
    assert b"\xcc" in data or b"\xec" in data  # tones really are separate bytes
    p.write_bytes(data)
    doc = open_document(p)
    assert doc.encoding == "Windows-1258"
    assert doc.text == normalize_text(SEED_TEXT)
    assert unicodedata.is_normalized("NFC", doc.text)


def test_tcvn3_sample_from_the_standard(tmp_path):
    # How TCVN3 bytes look when opened without the font: a well-known line.
    p = tmp_path / "quoc-hieu.txt"
    p.write_bytes("Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n"
                  "Ph­êng Th¹ch Bµn ®¹t 97,95% hé gia ®×nh v¨n ho¸".encode("cp1252"))
    doc = open_document(p)
    assert doc.encoding == "TCVN3 (ABC)"
    assert doc.text == ("Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\n"
                        "Phường Thạch Bàn đạt 97,95% hộ gia đình văn hóa")


def test_tcvn3_whole_report_is_recognised(tmp_path):
    p = tmp_path / "r.txt"
    original = HEADING_SEED.read_text(encoding="utf-8")
    p.write_bytes(to_tcvn3(original))
    doc = open_document(p)
    assert doc.encoding == "TCVN3 (ABC)"
    assert doc.text.casefold() == normalize_text(original).casefold()
    # headings typed in capitals get their capitals back
    assert "QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ" in doc.text


def test_legacy_encodings_are_told_apart_on_the_same_report(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(to_cp1258(SEED_TEXT))
    b.write_bytes(to_tcvn3(SEED_TEXT))
    assert open_document(a).encoding == "Windows-1258"
    assert open_document(b).encoding == "TCVN3 (ABC)"
    assert open_document(a).text.casefold() == open_document(b).text.casefold()


def test_decomposed_unicode_is_composed_and_offsets_kept(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(unicodedata.normalize("NFD", SEED_TEXT), encoding="utf-8")
    text = read_document(p)
    assert text == normalize_text(SEED_TEXT)
    assert len(text) == len(normalize_text(SEED_TEXT))


def test_newer_tone_placement_compares_equal(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("Gia đình văn hoá; thuỷ lợi; sức khoẻ", encoding="utf-8")
    assert read_document(p) == "Gia đình văn hóa; thủy lợi; sức khỏe"


def test_utf8_encoded_twice_is_repaired(tmp_path):
    # UTF-8 opened as Windows-1252 and saved again as UTF-8: "PhÆ°á»\x9dng"
    twice = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                    for b in SEED_TEXT.encode("utf-8"))
    p = tmp_path / "r.txt"
    p.write_text(twice, encoding="utf-8")
    doc = open_document(p)
    assert doc.encoding == "UTF-8 (encoded twice, repaired)"
    assert doc.text == normalize_text(SEED_TEXT)


def test_utf8_with_a_few_broken_bytes_is_read_with_a_warning(tmp_path):
    p = tmp_path / "r.txt"
    data = SEED_TEXT.encode("utf-8")
    p.write_bytes(data[:500] + b"\xff" + data[500:])
    doc = open_document(p)
    assert doc.encoding == "UTF-8"
    assert "\ufffd" in doc.text and len(doc.warnings) == 1
    assert "1 byte(s) are not valid UTF-8" in doc.warnings[0]


# ---------------------------------------------------------------- HTML and Word

PORTAL_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} - Cổng thông tin điện tử quận Long Biên</title>
<style>body {{ font-size: 14px; }} .x {{ width: 100%; }}</style>
<script>var luotXem = 643; var ads = "Giảm 50% phí dịch vụ";</script>
</head><body>
<header class="site-header"><div class="logo">UBND QUẬN LONG BIÊN</div>
  <nav class="main-menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin tức (120 bài)</a></li></ul></nav>
</header>
<div class="breadcrumb">Trang chủ &gt; {crumb}</div>
<div id="page"><div class="row">
 <div class="col-main">
  <h1 class="article-title">{title}</h1>
  <div class="article-meta">{stamp}</div>
  <div class="share-tools"><a href="#">Chia sẻ 25 lượt</a></div>
  <div class="article-content">{paragraphs}</div>
  <div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>
    <li><a href="#">Phường Việt Hưng đạt 99% hộ gia đình văn hóa</a></li>
    <li><a href="#">Quận Long Biên thu ngân sách 2.000 tỷ đồng</a></li></ul></div>
 </div>
 <aside class="sidebar"><div class="thong-ke">Thống kê truy cập: 1.234.567 lượt</div></aside>
</div></div>
<footer><p>Địa chỉ: số 1 phố Vạn Hạnh; điện thoại 024 3872 1234</p><p>Bản quyền 2021</p></footer>
<script>document.write("<p>7 ngày qua: 3.456 lượt</p>");</script>
</body></html>"""


def portal_page(text: str) -> str:
    """The seed report as a portal saves it: crumb, title, stamp, then paragraphs."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    crumb, title, stamp, body = lines[0], lines[1], lines[2], lines[3:]
    paragraphs = "\n".join(f"<p>{ln}</p>" for ln in body)
    return PORTAL_PAGE.format(title=title, crumb=crumb, stamp=stamp, paragraphs=paragraphs)


def test_html_page_keeps_the_article_and_drops_the_portal(tmp_path):
    p = tmp_path / "thach-ban.html"
    p.write_text(portal_page(SEED_TEXT), encoding="utf-8")
    doc = open_document(p)
    lines = [" ".join(ln.split()) for ln in normalize_text(SEED_TEXT).split("\n") if ln.strip()]
    assert doc.form == "html"
    # title, stamp, every paragraph, in order (white space collapsed, as a browser shows it)
    assert doc.text == "\n".join(lines[1:])
    for junk in ("Trang chủ", "Tin liên quan", "Việt Hưng", "Thống kê", "Vạn Hạnh",
                 "luotXem", "font-size", "Chia sẻ", "7 ngày qua", "Bản quyền"):
        assert junk not in doc.text


@pytest.mark.parametrize("page, expected", [
    # paragraphs in <div>s, no h1: the page title without the portal's name
    ("""<html><head><title>Kết quả 9 tháng đầu năm 2020 | Cổng TTĐT quận Long Biên</title></head><body>
     <div id="menu"><a>Trang chủ</a><a>Giới thiệu</a></div>
     <div class="news-content"><div>Phường Phúc Đồng thu ngân sách đạt 208% kế hoạch.</div>
     <div>Có 82,9% hộ đạt gia đình văn hóa.</div></div>
     <div class="footer">Bản quyền thuộc UBND quận Long Biên. ĐT: 024 3827 1234</div></body></html>""",
     "Kết quả 9 tháng đầu năm 2020\nPhường Phúc Đồng thu ngân sách đạt 208% kế hoạch.\n"
     "Có 82,9% hộ đạt gia đình văn hóa."),
    # an old portal laid out in a table, lines broken with <br>
    ("""<html><body><table><tr><td class="left-menu">Tin tức<br>Thủ tục (12)</td><td>
     <h1>Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn</h1>Ngày đăng 16/07/2021<br>
     Trong 6 tháng đầu năm 2021, phường có 36 tin tuyên truyền.<br>Kết nạp 5 đảng viên mới.<br>
     </td></tr></table></body></html>""",
     "Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn\nNgày đăng 16/07/2021\n"
     "Trong 6 tháng đầu năm 2021, phường có 36 tin tuyên truyền.\nKết nạp 5 đảng viên mới."),
    # a table of figures inside the article: one line per row
    ("""<html><body><h1>Kết quả thu ngân sách phường Cự Khối năm 2018</h1><div class="content">
     <p>Kết quả như sau:</p><table><tr><th>Chỉ tiêu</th><th>Kết quả</th></tr>
     <tr><td>Thu ngân sách</td><td>17,8 tỷ đồng</td></tr><tr><td>So với kế hoạch</td><td>120,14%</td></tr>
     <tr><td>Thu thuế ngoài quốc doanh</td><td>3,2 tỷ đồng</td></tr></table></div>
     <aside>Xem nhiều: 1.234 lượt</aside></body></html>""",
     "Kết quả thu ngân sách phường Cự Khối năm 2018\nKết quả như sau:\nChỉ tiêu | Kết quả\n"
     "Thu ngân sách | 17,8 tỷ đồng\nSo với kế hoạch | 120,14%\nThu thuế ngoài quốc doanh | 3,2 tỷ đồng"),
])
def test_html_layouts_portals_use(tmp_path, page, expected):
    p = tmp_path / "trang.html"
    p.write_text(page, encoding="utf-8")
    assert read_document(p) == expected


def test_html_page_in_windows_1258_and_html_saved_as_txt(tmp_path):
    page = portal_page(SEED_TEXT).replace('charset="utf-8"', 'charset="windows-1258"')
    p = tmp_path / "page.htm"
    p.write_bytes(to_cp1258(page))
    as_txt = tmp_path / "page-saved-as.txt"
    as_txt.write_text(portal_page(SEED_TEXT), encoding="utf-8")
    assert open_document(p).text == open_document(as_txt).text
    assert open_document(as_txt).form == "html"
    assert "Ngày đăng 16/07/2021" in open_document(p).text


def test_a_page_deeper_than_the_limit_is_read_whole_without_its_menus():
    page = ("<html><body><nav>Trang chủ | Tin tức</nav>" + "<div>" * 30
            + "<h1>Kết quả 9 tháng đầu năm 2020 phường Phúc Đồng</h1>"
            + "<p>Thu ngân sách đạt 208% kế hoạch.</p><table><tr><td>Hộ nghèo</td><td>3 hộ</td></tr></table>"
            + "</div>" * 30 + "<footer>Bản quyền 2020</footer></body></html>")
    text, depth = html_to_text(page, max_depth=10)
    assert depth > 30                      # 30 nested <div>s, beyond the limit of 10
    # every line of the article kept, each cell on a line of its own; menus and footer dropped
    assert text == ("Kết quả 9 tháng đầu năm 2020 phường Phúc Đồng\nThu ngân sách đạt 208% kế hoạch.\n"
                    "Hộ nghèo\n3 hộ")
    # within the limit, the same page reads the row of figures as one line
    assert html_to_text(page, max_depth=256) == (
        "Kết quả 9 tháng đầu năm 2020 phường Phúc Đồng\nThu ngân sách đạt 208% kế hoạch.\nHộ nghèo | 3 hộ", None)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn")
    d.add_paragraph("Có 5209/5318 hộ đăng ký gia đình văn hóa, đạt 97,95%.")
    table = d.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ("Chỉ tiêu", "Kế hoạch", "Kết quả")):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ("Thu ngân sách", "17,8 tỷ đồng", "120,14%")):
        cell.text = value
    d.add_paragraph("Kết nạp 5 đảng viên mới.")
    p = tmp_path / "bao-cao.docx"
    d.save(p)
    assert read_document(p) == ("Kết quả 6 tháng đầu năm 2021 phường Thạch Bàn\n"
                                "Có 5209/5318 hộ đăng ký gia đình văn hóa, đạt 97,95%.\n"
                                "Chỉ tiêu | Kế hoạch | Kết quả\n"
                                "Thu ngân sách | 17,8 tỷ đồng | 120,14%\n"
                                "Kết nạp 5 đảng viên mới.")
    # a Word file saved under a .txt name is still read as Word
    renamed = tmp_path / "bao-cao.txt"
    renamed.write_bytes(p.read_bytes())
    assert open_document(renamed).form == "docx"


# ---------------------------------------------------------------- what cannot be read

@pytest.mark.parametrize("data, code, words", [
    (b"", "empty", "empty"),
    (b"  \r\n\t\n", "empty", "empty"),
    (bytes(range(256)) * 4, "binary", "not a text file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "doc", "old Word .doc"),
    ("Отчёт о работе района за первое полугодие".encode("koi8-r"), "encoding", "encoding"),
    ("区政府上半年工作报告，完成率百分之九十八".encode("gb2312"), "encoding", "encoding"),
])
def test_unreadable_files_get_one_line_naming_file_and_fix(tmp_path, data, code, words):
    p = tmp_path / "bao-cao.txt"
    p.write_bytes(data)
    with pytest.raises(InputProblem) as e:
        read_document(p)
    message = str(e.value)
    assert e.value.code == code
    assert "\n" not in message
    assert message.startswith(str(p) + ": ") or message.startswith("bao-cao.txt")
    assert words in message
    assert e.value.fix and e.value.fix in message
    assert p.read_bytes() == data


def test_broken_docx_and_zip(tmp_path):
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputProblem, match="save it again as .docx"):
        read_document(bad)
    archive = tmp_path / "nhieu-bao-cao.txt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "Có 36 tin")
    archive.write_bytes(buf.getvalue())
    with pytest.raises(InputProblem, match="ZIP archive"):
        read_document(archive)


def test_html_page_without_article_text(tmp_path):
    p = tmp_path / "menu.html"
    p.write_text("<html><body><nav>Trang chủ | Tin tức</nav><script>var a = 1;</script></body></html>",
                 encoding="utf-8")
    with pytest.raises(InputProblem, match="no article text"):
        read_document(p)


def test_decode_bytes_says_which_encoding():
    assert decode_bytes(to_cp1258("Phường Cự Khối có 12/13 tổ dân phố văn hóa"))[1] == "Windows-1258"
    assert decode_bytes("Phường Cự Khối".encode("utf-8"))[1] == "UTF-8"


def test_only_text_made_of_windows_1252_characters_is_taken_for_utf8_encoded_twice():
    # 'á' before a curly quote twice looks like "UTF-8 read as Windows-1252", but a
    # Vietnamese letter no Windows-1252 byte gives (ư) says the text was never through it
    text = "Món “cá” và “lá”, bữa cơm"
    assert decode_bytes(text.encode("utf-8")) == (text, "UTF-8", [])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    [chr(c) for c in range(0x3100) if chr(c).isspace()] + ["a", "ệ", "5", ".", "\u3000", "\U0001f600"])))
def test_a_files_words_are_compared_as_split_and_joined(text):
    assert words_joined(text) == " ".join(text.split())


def test_every_white_space_character_separates_words():
    for space in (chr(c) for c in range(0x110000) if chr(c).isspace()):
        assert words_joined(f" Thạch{space}{space} Bàn{space}") == "Thạch Bàn", repr(space)


# ---------------------------------------------------------------- manifest

def write_manifest(folder: Path, text: str) -> Path:
    p = folder / "reports.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_manifest_fields_and_blanks(tmp_path):
    m = write_manifest(tmp_path, "file,doc,unit_name,unit_level,period,published,programs\n"
                                 "a.txt,thach-ban-2021-h1,Thạch Bàn,Ward,2021-h1,16/07/2021,02-CTr/QU; 04-CTr/QU\n"
                                 "b.txt,,,,,,\n")
    frame = read_manifest(m)
    first, second = frame.to_dict("records")
    assert first == {"file": "a.txt", "doc": "thach-ban-2021-h1", "unit_name": "Thạch Bàn",
                     "unit_level": "ward", "period": "2021-H1", "published": "2021-07-16",
                     "programs": ["02-CTr/QU", "04-CTr/QU"], "line": 2}
    assert second["doc"] == "b" and second["period"] is None


def test_manifest_saved_by_excel_with_semicolons_and_bom(tmp_path):
    p = tmp_path / "reports.csv"
    p.write_bytes(b"\xef\xbb\xbf" + "file;doc;city\na.txt;a-1;Hà Nội\n".encode("utf-8"))
    assert read_manifest(p).to_dict("records") == [{"file": "a.txt", "doc": "a-1", "city": "Hà Nội", "line": 2}]


def test_missing_manifest_is_empty(tmp_path):
    assert read_manifest(tmp_path / "reports.csv").empty


@pytest.mark.parametrize("text, words", [
    ("file,doc,perod\na.txt,a,2021-H1\n", "unknown column 'perod'"),
    ("doc,period\na,2021-H1\n", "no 'file' column"),
    ("file,doc,period\na.txt,a,2021-H3\n", "line 2: period '2021-H3' is not a period code"),
    ("file,doc,unit_level\na.txt,a,village\n", "unit_level 'village' is not allowed"),
    ("file,doc,published\na.txt,a,mùng 5\n", "published 'mùng 5' is not a date"),
    ("file,doc\na.txt,x\nb.txt,x\n", "doc id 'x' appears on more than one line (2, 3)"),
    ("file,doc\na.txt,x\na.txt,y\n", "file 'a.txt' appears on more than one line"),
])
def test_bad_manifest_names_the_line_and_the_fix(tmp_path, text, words):
    m = write_manifest(tmp_path, text)
    with pytest.raises(InputProblem) as e:
        read_manifest(m)
    assert words in str(e.value)
    assert "reports.csv" in str(e.value) and "\n" not in str(e.value)
