"""Short reports of other places, written for this test, read end to end.

Each excerpt below was written for the test (the places exist, the figures and
sentences are made up): a ward of a southern city, a commune's plan, a district
news item with a dateline and a stamp, a provincial town, a commune after the
reform of 1 July 2025, ... None of them is one of the bundled reports, so they
check that the metadata reader and the indicator rules hold for the language of
such reports, not for five texts. Each gives the metadata a reader would write
down and the indicator of a few of its figures (None where the figure is a
sub-unit's, a part's or not what any indicator measures).
"""
import pytest

from analysis.extract import extract_facts
from analysis.indicators import assign_indicators
from analysis.metadata import read_metadata
from analysis.text import normalize_text

HCM = "Thành phố Hồ Chí Minh"

REPORTS = [
    # a ward of a southern city, half-year results, a portal stamp
    ("Phường Võ Thị Sáu sơ kết công tác 6 tháng đầu năm 2023\n\n"
     "Cập nhật ngày 12/07/2023\n\n"
     "Sáng 11-7, UBND phường Võ Thị Sáu, Quận 3 tổ chức hội nghị sơ kết công tác 6 tháng đầu năm 2023. "
     "Trong 6 tháng, phường thu ngân sách đạt 18,4 tỷ đồng, bằng 61% dự toán; tỷ lệ người dân tham gia "
     "BHYT đạt 91,2%. Phường đã giải quyết việc làm cho 320 lao động. Trong 6 tháng cuối năm, phường tiếp "
     "tục đẩy mạnh cải cách hành chính.",
     dict(unit_name="Võ Thị Sáu", unit_level="ward", parent="Quận 3", city=HCM, period="2023-H1",
          published="2023-07-12", doc_kind="results"),
     [("18,4 tỷ đồng", "budget_revenue_vnd"), ("61%", "budget_revenue_target_achievement"),
      ("91,2%", "health_insurance_coverage_rate"), ("320", "jobs_created")]),
    # a commune's plan for the next year, in a district of two communes of that name
    ("Xã Thạch Đài xây dựng kế hoạch phát triển kinh tế - xã hội năm 2024\n\n"
     "Ngày đăng: 20/12/2023\n\n"
     "Năm 2024, xã Thạch Đài (huyện Thạch Hà) phấn đấu tổng giá trị sản xuất đạt 420 tỷ đồng; thu nhập "
     "bình quân đầu người đạt 62 triệu đồng; tỷ lệ hộ nghèo giảm còn 1,5%. Xã sẽ tập trung xây dựng "
     "nông thôn mới nâng cao, phấn đấu có thêm 2 thôn đạt danh hiệu thôn văn hóa.",
     dict(unit_name="Thạch Đài", unit_level="commune", parent="Thạch Hà", city="Hà Tĩnh", period="2024-FY",
          published="2023-12-20", doc_kind="plan"),
     # a plan's targets are not results: they take no indicator
     [("420 tỷ đồng", None), ("62 triệu đồng", None), ("1,5%", None)]),
    # a district news item: a dateline, a weekday stamp, a headline without a unit word
    (" date 2022-10-18 Yên Thành: 9 tháng đầu năm kết nạp 180 đảng viên mới\n\n"
     "Thứ Ba, 18/10/2022 08:30\n\n"
     "9 tháng đầu năm 2022, Đảng bộ huyện Yên Thành kết nạp 180 đảng viên mới, đạt 75% kế hoạch năm. "
     "Toàn Đảng bộ hiện có 12.400 đảng viên sinh hoạt tại 95 chi, đảng bộ cơ sở. Huyện ủy Yên Thành "
     "đã tổ chức 14 cuộc kiểm tra đối với tổ chức đảng.",
     dict(unit_name="Yên Thành", unit_level="district", parent=None, city="Nghệ An", period="2022-9M",
          published="2022-10-18", doc_kind="results"),
     [("180", "new_party_members"), ("12.400", "party_members_total")]),
    # a provincial town (thị xã) of the same name as a district of its province
    ("Thị xã Kỳ Anh tổng kết công tác năm 2021\n\n"
     "Năm 2021, thị xã Kỳ Anh có 215 doanh nghiệp thành lập mới; tổng thu ngân sách nhà nước trên địa "
     "bàn đạt 1.250 tỷ đồng, bằng 112% dự toán; tỷ lệ hộ nghèo còn 2,1%. Thị xã Kỳ Anh tiếp tục giữ "
     "vững an ninh chính trị, trật tự an toàn xã hội.",
     dict(unit_name="Kỳ Anh", unit_level="district", parent=None, city="Hà Tĩnh", period="2021-FY",
          published=None, doc_kind="results"),
     [("215", "new_businesses"), ("1.250 tỷ đồng", "budget_revenue_vnd"),
      ("112%", "budget_revenue_target_achievement"), ("2,1%", "poverty_rate")]),
    # a commune after the reform of 1 July 2025: no district, a commune named like a former district
    ("Xã Hậu Lộc tổng kết năm 2025\n\n"
     "Thứ Sáu, 26/12/2025 15:10\n\n"
     "Năm 2025, xã Hậu Lộc hoàn thành 18/20 chỉ tiêu chủ yếu; thu ngân sách đạt 45 tỷ đồng; tỷ lệ "
     "người dân tham gia BHYT đạt 94,5%. UBND xã Hậu Lộc đã cấp 310 giấy chứng nhận quyền sử dụng đất.",
     dict(unit_name="Hậu Lộc", unit_level="commune", parent=None, city="Thanh Hóa", period="2025-FY",
          published="2025-12-26", doc_kind="results"),
     [("45 tỷ đồng", "budget_revenue_vnd"), ("94,5%", "health_insurance_coverage_rate"),
      ("310", "land_certificates_issued")]),
    # a ward of a central city, one quarter
    ("Phường Hòa Khánh Bắc: kết quả quý III năm 2024\n\n"
     "Trong quý III năm 2024, UBND phường Hòa Khánh Bắc, quận Liên Chiểu đã kiểm tra an toàn thực phẩm "
     "42 cơ sở, xử phạt 5 cơ sở vi phạm; tổ chức giao 35 thanh niên nhập ngũ. Phường tiếp nhận và giải "
     "quyết 1.120 hồ sơ hành chính.",
     dict(unit_name="Hòa Khánh Bắc", unit_level="ward", parent="Liên Chiểu", city="Đà Nẵng", period="2024-Q3",
          published=None, doc_kind="results"),
     [("42", "food_safety_inspections"), ("5", "food_safety_violations")]),
    # a district report that gives two of its communes' rates: theirs get no id
    ("Tiên Du: tỷ lệ tham gia BHYT đạt 93%\n\n"
     "Năm 2023, tỷ lệ người dân huyện Tiên Du tham gia BHYT đạt 93%, vượt chỉ tiêu tỉnh giao. Xã Liên "
     "Bão có tỷ lệ tham gia BHYT cao nhất với 96%; xã Phật Tích đạt 91%. Huyện Tiên Du có 12/13 xã đạt "
     "chuẩn nông thôn mới nâng cao.",
     dict(unit_name="Tiên Du", unit_level="district", parent=None, city="Bắc Ninh", period="2023-FY",
          published=None, doc_kind="results"),
     [("93%", "health_insurance_coverage_rate"), ("96%", None), ("91%", None)]),
    # figures up to the end of September of a ward in a provincial city
    ("Phường Quang Trung đẩy mạnh công tác giảm nghèo\n\n"
     "Tính đến tháng 9/2022, phường Quang Trung (thành phố Vinh) còn 14 hộ nghèo và 37 hộ cận nghèo. "
     "Phường đã trao 60 suất quà cho hộ khó khăn, mỗi suất trị giá 500.000 đồng.",
     dict(unit_name="Quang Trung", unit_level="ward", parent="Vinh", city="Nghệ An", period="2022-9M",
          published=None, doc_kind="results"),
     [("14", "poor_households"), ("37", "near_poor_households"), ("60", "gifts_given"),
      ("500.000 đồng", None)]),
    # a commune of the Mekong delta, its hamlets (ấp) and a yearly income per head
    ("Xã Long Hựu Đông đạt chuẩn nông thôn mới nâng cao\n\n"
     "Năm 2022, xã Long Hựu Đông, huyện Cần Đước có 8/8 ấp đạt danh hiệu ấp văn hóa; 97% hộ gia đình "
     "đạt danh hiệu gia đình văn hóa; thu nhập bình quân đầu người đạt 68 triệu đồng/người/năm.",
     dict(unit_name="Long Hựu Đông", unit_level="commune", parent="Cần Đước", city="Long An", period="2022-FY",
          published=None, doc_kind="results"),
     [("8/8", "cultural_group_rate"), ("97%", "cultural_family_rate"),
      ("68 triệu đồng", "income_per_capita_vnd")]),
]

FIELDS = ("unit_name", "unit_level", "parent", "city", "period", "published", "doc_kind")


@pytest.mark.parametrize("text,expected,_ids", REPORTS, ids=[r[1]["unit_name"] for r in REPORTS])
def test_metadata_of_a_report_of_another_place(text, expected, _ids):
    got = read_metadata(text)
    assert {k: got[k] for k in FIELDS} == expected


@pytest.mark.parametrize("text,_meta,ids", REPORTS, ids=[r[1]["unit_name"] for r in REPORTS])
def test_indicators_of_a_report_of_another_place(text, _meta, ids):
    text = normalize_text(text)
    facts = assign_indicators(extract_facts(text, "t"), text)
    got, pos = [], 0
    for raw, _ in ids:
        fact = next(f for f in facts if f["raw"] == raw and f["start"] >= pos)
        pos = fact["end"]
        got.append((raw, fact["indicator_id"]))
    assert got == ids
