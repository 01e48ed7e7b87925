"""The indicator catalogue and the assignment of facts to indicators, on texts of their own.

(The bar on the five bundled reports and their hand-checked facts is in
tests/gold/test_indicators_gold.py.)
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalog import CatalogError, core_ids, indicator_info, load_catalog
from analysis.evaluate import match_facts, score_indicators
from analysis.indicators import assign_indicators, unmatched_cues
from analysis.numbers import parse_number
from analysis.paths import CATALOG, ROOT
from analysis.schema import KINDS, UNITS
from analysis.text import TextIndex, normalize_text

CORE_IDS = core_ids()


# --------------------------------------------------------------------------- phrasings beyond the seeds

def _facts_in(text: str, specs) -> list[dict]:
    facts, pos = [], 0
    for raw, kind, unit, _ in specs:
        i = text.index(raw, pos)
        pos = i + len(raw)
        fact = {"doc_id": "t", "start": i, "end": i + len(raw), "kind": kind, "unit": unit, "raw": raw}
        if kind == "fraction":
            num, den = raw.split("/")
            fact.update(numerator=parse_number(num), denominator=parse_number(den),
                        value=parse_number(num))
        elif kind == "rate":
            fact["value"] = parse_number(raw.rstrip("%‰ "))
        facts.append(fact)
    return facts


R, P, C, F, A, T, CH = "rate", "percent", "count", "fraction", "amount", "target_achievement", "change"
PHRASINGS = [
    ("Tỷ lệ hộ gia đình đạt danh hiệu Gia đình văn hóa năm 2022 đạt 92,5%.",
     [("92,5%", R, P, "cultural_family_rate")]),
    ("Có 2.150/2.300 hộ đăng ký xây dựng gia đình văn hóa (đạt 93,5%).",
     [("2.150/2.300", F, C, "cultural_family_registration_rate"),
      ("93,5%", R, P, "cultural_family_registration_rate")]),
    ("Năm 2023, phường có 3.120/3.350 hộ được công nhận Gia đình văn hóa, đạt 93,1%; "
     "3.300/3.350 hộ đăng ký gia đình văn hóa, đạt 98,5%.",
     [("3.120/3.350", F, C, "cultural_family_rate"), ("93,1%", R, P, "cultural_family_rate"),
      ("3.300/3.350", F, C, "cultural_family_registration_rate"),
      ("98,5%", R, P, "cultural_family_registration_rate")]),
    ("Số tổ dân phố được công nhận danh hiệu Tổ dân phố văn hóa: 18/20 TDP, đạt 90%.",
     [("18/20", F, C, "cultural_group_rate"), ("90%", R, P, "cultural_group_rate")]),
    ("Có 45/47 khu dân cư đăng ký danh hiệu khu dân cư văn hóa.",
     [("45/47", F, C, "cultural_group_registration_rate")]),
    ("Có 16/16 tổ dân phố đăng ký thi đua xây dựng tổ dân phố Xanh - Sạch - Đẹp, đạt tỷ lệ 100%.",
     [("16/16", F, C, None), ("100%", R, P, None)]),
    ("Tỷ lệ dân số tham gia luyện tập thể dục thể thao thường xuyên đạt 38%.",
     [("38%", R, P, "regular_exercise_rate")]),
    ("Tỷ lệ người dân tham gia BHYT đạt 92,1%.", [("92,1%", R, P, "health_insurance_coverage_rate")]),
    ("Tỷ lệ bao phủ BHYT đạt 93,2% dân số, đạt 101,5% chỉ tiêu thành phố giao.",
     [("93,2%", R, P, "health_insurance_coverage_rate"),
      ("101,5%", T, P, "health_insurance_target_achievement")]),
    ("Phát triển BHYT hộ gia đình đạt 105% kế hoạch.", [("105%", T, P, "health_insurance_target_achievement")]),
    ("Tổ chức 3 đợt hiến máu tình nguyện, thu được 412 đơn vị máu, đạt 103% kế hoạch.",
     [("3", C, C, None), ("412", C, C, "blood_donation_units"),
      ("103%", T, P, "blood_donation_target_achievement")]),
    ("Khám sức khỏe cho 1.200 lượt người cao tuổi.", [("1.200", C, C, "medical_visits")]),
    ("Khám chữa bệnh cho 2.500 lượt người, trong đó khám BHYT 1.800 lượt.",
     [("2.500", C, C, "medical_visits"), ("1.800", C, C, None)]),
    ("Kiểm tra 45 cơ sở kinh doanh thực phẩm, phát hiện và xử phạt 6 cơ sở vi phạm với tổng số tiền "
     "18,5 triệu đồng.",
     [("45", C, C, "food_safety_inspections"), ("6", C, C, "food_safety_violations"),
      ("18,5 triệu đồng", A, "vnd", "food_safety_fines_vnd")]),
    ("Xử phạt vi phạm hành chính 12 trường hợp vi phạm trật tự xây dựng, số tiền 85 triệu đồng.",
     [("12", C, C, None), ("85 triệu đồng", A, "vnd", None)]),
    ("Tỷ suất sinh thô 12,5‰.", [("12,5‰", R, "per_mille", "crude_birth_rate")]),
    ("Tỷ lệ sinh con thứ 3 trở lên là 4,1%, giảm 0,5% so với năm trước.",
     [("4,1%", R, P, "third_child_rate"), ("0,5%", CH, P, None)]),
    ("Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân còn 5,2%; thể thấp còi 7,1%.",
     [("5,2%", R, P, "child_underweight_rate"), ("7,1%", R, P, "child_stunting_rate")]),
    ("Tỷ lệ học sinh lớp 9 thi đỗ vào lớp 10 THPT công lập đạt 78,3%.",
     [("78,3%", R, P, "high_school_admission_rate")]),
    ("Tỷ lệ trường đạt chuẩn quốc gia đạt 85,7% (6/7 trường).",
     [("85,7%", R, P, "national_standard_school_rate"), ("6/7", F, C, "national_standard_school_rate")]),
    ("Tổng thu ngân sách nhà nước trên địa bàn đạt 25,6 tỷ đồng, bằng 112% dự toán.",
     [("25,6 tỷ đồng", A, "vnd", "budget_revenue_vnd"), ("112%", T, P, "budget_revenue_target_achievement")]),
    ("Thu hồi 120 triệu đồng nợ thuế; tổng thu ngân sách đạt 15 tỷ đồng.",
     [("120 triệu đồng", A, "vnd", None), ("15 tỷ đồng", A, "vnd", "budget_revenue_vnd")]),
    ("Chi ngân sách đạt 98,5% dự toán.", [("98,5%", T, P, "budget_spending_target_achievement")]),
    ("Giải quyết việc làm cho 215 lao động, đạt 107% kế hoạch.",
     [("215", C, C, "jobs_created"), ("107%", T, P, "jobs_target_achievement")]),
    ("Giúp 12 hộ thoát nghèo, đạt 120% kế hoạch; 8 hộ thoát cận nghèo.",
     [("12", C, C, "households_escaped_poverty"), ("120%", T, P, "poverty_reduction_target_achievement"),
      ("8", C, C, "households_escaped_near_poverty")]),
    ("Chi trả trợ cấp thường xuyên cho 320 đối tượng bảo trợ xã hội với số tiền 1,2 tỷ đồng.",
     [("320", C, C, "social_beneficiaries"), ("1,2 tỷ đồng", A, "vnd", "social_payments_vnd")]),
    ("Tặng 850 suất quà cho người có công và hộ nghèo nhân dịp Tết, trị giá 425 triệu đồng.",
     [("850", C, C, "gifts_given"), ("425 triệu đồng", A, "vnd", "gifts_value_vnd")]),
    ("Hội Cựu chiến binh thăm hỏi, tặng quà cho hội viên với số tiền 3.200.000 đ.",
     [("3.200.000 đ", A, "vnd", None)]),
    ("Tỷ lệ cai nghiện bắt buộc đạt 85% (17/20 người).",
     [("85%", R, P, "compulsory_rehab_rate"), ("17/20", F, C, "compulsory_rehab_rate")]),
    ("Phát hiện, bắt giữ 4 vụ, 6 đối tượng mua bán trái phép chất ma túy.",
     [("4", C, C, "drug_cases"), ("6", C, C, None)]),
    ("Xét đề nghị kết nạp 5 quần chúng ưu tú vào Đảng.", [("5", C, C, "new_party_members")]),
    ("Đã kết nạp được 7 đảng viên mới, đạt 140% chỉ tiêu.",
     [("7", C, C, "new_party_members"), ("140%", T, P, None)]),
    ("Ủy ban kiểm tra Đảng ủy tiến hành 4 cuộc kiểm tra đối với 6 tổ chức đảng.",
     [("4", C, C, "party_inspections"), ("6", C, C, None)]),
    ("100% hồ sơ TTHC được giải quyết đúng và trước hạn.", [("100%", R, P, "records_on_time_rate")]),
    ("Tỷ lệ hồ sơ giải quyết trước hạn đạt 75%, đúng hạn đạt 25%.",
     [("75%", R, P, "records_early_rate"), ("25%", R, P, "records_on_time_rate")]),
    ("Cấp 152 giấy chứng nhận quyền sử dụng đất lần đầu, đạt 101% kế hoạch.",
     [("152", C, C, "land_certificates_issued"), ("101%", T, P, "land_certificates_target_achievement")]),
    ("Có 95% số công trình xây dựng có giấy phép.", [("95%", R, P, "construction_permit_rate")]),
    ("Đã cấp 45 giấy phép xây dựng.", [("45", C, C, None)]),
    ("Hoàn thành 15/16 chỉ tiêu kinh tế - xã hội.", [("15/16", F, C, "targets_met")]),
    ("Tỷ lệ hỏa táng đạt 95,2%.", [("95,2%", R, P, "cremation_rate")]),
    ("Ủng hộ quỹ Vì người nghèo được 65 triệu đồng; quỹ đền ơn đáp nghĩa được 20 triệu đồng.",
     [("65 triệu đồng", A, "vnd", "poor_fund_vnd"), ("20 triệu đồng", A, "vnd", None)]),
    ("Tổ chức 12 buổi tuyên truyền cho 1.500 lượt người.", [("12", C, C, None), ("1.500", C, C, None)]),
    ("Tỷ lệ hộ dân sử dụng nước sạch đạt 100%.", [("100%", R, P, None)]),
]


M, TG = "measure", "target"
# one row per rule of analysis/rules/indicator_markers.csv and per extended entry: the
# figure the reporting unit states gets its id; a part, a sub-unit, a per-item value,
# another list item or a plan's target gets none (or the extended id of what it is)
RULE_PHRASINGS = [
    # a cue does not reach across ';' into the next item of a list ...
    ("Thu ngân sách đạt 12 tỷ đồng; sửa chữa nhà cho 3 hộ với kinh phí 90 triệu đồng.",
     [("12 tỷ đồng", A, "vnd", "budget_revenue_vnd"), ("90 triệu đồng", A, "vnd", None)]),
    ("Tặng quà cho 120 người có công; tuyên truyền 320 lượt về phòng cháy.",
     [("120", C, C, "gifts_given"), ("320", C, C, None)]),
    # ... unless it heads that list
    ("Tặng quà Tết: 120 suất cho người có công; 80 suất cho hộ nghèo.",
     [("120", C, C, "gifts_given"), ("80", C, C, "gifts_given")]),
    # a share or count of sub-units is not the unit's own figure
    ("Huyện có 100% số xã đạt tiêu chí tỷ lệ người dân tham gia BHYT.", [("100%", R, P, None)]),
    ("Có 7/9 phường có tỷ lệ tham gia BHYT trên 90%.", [("7/9", F, C, None)]),
    ("Có 12/12 tổ dân phố đạt danh hiệu tổ dân phố văn hóa.", [("12/12", F, C, "cultural_group_rate")]),
    # hamlets of the south (ấp) and villages of the north (xóm) are residential groups too
    ("Xã có 7/8 ấp đạt danh hiệu ấp văn hóa.", [("7/8", F, C, "cultural_group_rate")]),
    ("Có 10/11 xóm được công nhận xóm văn hóa.", [("10/11", F, C, "cultural_group_rate")]),
    ("Cả 9/9 phường có tỷ lệ người dân tham gia BHYT trên 92%, đạt tỷ lệ 100%.",
     [("9/9", F, C, None), ("100%", R, P, None)]),
    # a clause about one named sub-unit: a part below a ward, or one of the wards a
    # district report names; the report's own unit (named most often) keeps its id
    ("Tổ dân phố số 5 có tỷ lệ hộ gia đình văn hóa 98%.", [("98%", R, P, None)]),
    ("Quận Hải An có tỷ lệ bao phủ BHYT 94%. Phường Đông Hải có tỷ lệ bao phủ BHYT 95%, "
     "phường Tràng Cát có tỷ lệ bao phủ BHYT 93%. Quận Hải An vượt chỉ tiêu.",
     [("94%", R, P, "health_insurance_coverage_rate"), ("95%", R, P, None), ("93%", R, P, None)]),
    ("Phường Thạch Bàn có 5.200 hộ. Phường Thạch Bàn có tỷ lệ bao phủ BHYT đạt 92%, cao hơn quận Long Biên.",
     [("92%", R, P, "health_insurance_coverage_rate")]),
    # the best or worst sub-unit, or one part set apart
    ("Tỷ lệ hộ đạt danh hiệu Gia đình văn hóa cao nhất là tổ dân phố số 3 với 98%.", [("98%", R, P, None)]),
    ("Riêng quý IV, thu ngân sách đạt 3 tỷ đồng.", [("3 tỷ đồng", A, "vnd", None)]),
    # ... but a unit ranked among its peers states its own figure
    ("Phường Tân Mai có tỷ lệ tham gia BHYT cao nhất quận với 97%.",
     [("97%", R, P, "health_insurance_coverage_rate")]),
    ("Tỷ lệ hộ nghèo của xã là 0,9%, thấp nhất trong toàn huyện.", [("0,9%", R, P, "poverty_rate")]),
    # the value of one item
    ("Trao 50 suất quà cho hộ nghèo, mỗi suất trị giá 500.000 đồng.",
     [("50", C, C, "gifts_given"), ("500.000 đồng", A, "vnd", None)]),
    ("Tặng 40 suất quà cho người có công, trị giá 300.000 đồng/suất.",
     [("40", C, C, "gifts_given"), ("300.000 đồng", A, "vnd", None)]),
    ("Bình quân mỗi năm giải quyết việc làm cho 1.200 lao động.", [("1.200", C, C, "jobs_created")]),
    # parts after 'gồm' / 'trong đó', in the sentence or opening the next one
    ("Trao tặng 200 phần quà cho gia đình chính sách, gồm 120 phần của thành phố và 80 phần của quận.",
     [("200", C, C, "gifts_given"), ("120", C, C, None), ("80", C, C, None)]),
    ("Kết nạp 25 đảng viên mới. Trong đó, có 10 đảng viên mới kết nạp là nữ.",
     [("25", C, C, "new_party_members"), ("10", C, C, None)]),
    # one thing counted twice in a clause
    ("Cấp 300 giấy chứng nhận quyền sử dụng đất cho 300 thửa đất.",
     [("300", C, C, "land_certificates_issued"), ("300", C, C, None)]),
    # the base of a ratio names the denominator, not what is counted
    ("Có 1.250 hộ đạt danh hiệu gia đình văn hóa, đạt 95% so với số hộ đăng ký.",
     [("95%", R, P, "cultural_family_rate")]),
    # the topic named in the sentence before
    ("Kiểm tra an toàn thực phẩm 120 cơ sở. Kết quả xử phạt 9 cơ sở vi phạm.",
     [("120", C, C, "food_safety_inspections"), ("9", C, C, "food_safety_violations")]),
    # a cue after the number stops at another number and at a breakdown
    ("Phường còn 15 hộ nghèo và 22 hộ cận nghèo.",
     [("15", C, C, "poor_households"), ("22", C, C, "near_poor_households")]),
    ("Toàn phường có 3.400 hộ, trong đó 45 hộ cận nghèo.",
     [("3.400", C, C, None), ("45", C, C, "near_poor_households")]),
    ("Số lao động làm việc tại địa phương 450 người, đi xuất khẩu lao động 15 người.",
     [("450", C, C, None), ("15", C, C, "labour_export")]),
    # a rate right after its fraction says what the fraction says
    ("Có 9/12 thôn xây mới nhà văn hóa, chiếm 75%, hoàn thành tiêu chí hộ nghèo.",
     [("9/12", F, C, None), ("75%", R, P, None)]),
    ("Có 45/50 trường đạt chuẩn quốc gia, chiếm 90%.",
     [("45/50", F, C, "national_standard_school_rate"), ("90%", R, P, "national_standard_school_rate")]),
    # a plan's target is not a result (kind target)
    ("Phấn đấu giải quyết việc làm cho 500 lao động, tỷ lệ bao phủ BHYT đạt 95%.",
     [("500", TG, C, None), ("95%", TG, P, None)]),
    # what is counted is not what the core indicator measures: the extended catalogue
    ("Kết nạp 30 đảng viên; đến nay Đảng bộ xã có 1.250 đảng viên.",
     [("30", C, C, "new_party_members"), ("1.250", C, C, "party_members_total")]),
    ("Tổng thu ngân sách đạt 45 tỷ đồng; vốn đầu tư phát triển toàn xã hội ước 900 tỷ đồng, bằng 102% kế hoạch.",
     [("45 tỷ đồng", A, "vnd", "budget_revenue_vnd"), ("900 tỷ đồng", A, "vnd", "total_social_investment_vnd"),
      ("102%", T, P, "total_social_investment_target_achievement")]),
    ("Mở lớp đào tạo nghề cho 320 lao động, đạt 105% chỉ tiêu; tạo việc làm mới cho 900 lao động.",
     [("320", C, C, "vocational_training"), ("105%", T, P, "vocational_training_target_achievement"),
      ("900", C, C, "jobs_created")]),
    ("Giao 25 thanh niên nhập ngũ, đạt 100% chỉ tiêu.",
     [("25", C, C, "military_recruits"), ("100%", T, P, "military_recruitment_target_achievement")]),
    ("Qua kiểm tra 300 cơ sở thực phẩm, phát hiện 25 cơ sở vi phạm, xử phạt 20 cơ sở.",
     [("300", C, C, "food_safety_inspections"), ("25", C, C, "food_safety_violations_found"),
      ("20", C, C, "food_safety_violations")]),
    ("Tỷ lệ học sinh tham gia BHYT đạt 98,5%.", [("98,5%", R, P, "student_health_insurance_rate")]),
    ("Cấp mầm non có 10/12 trường đạt chuẩn quốc gia.", [("10/12", F, C, "national_standard_preschools")]),
    ("Cấp tiểu học có 8/8 trường đạt chuẩn quốc gia; cấp THCS có 5/6 trường đạt chuẩn quốc gia.",
     [("8/8", F, C, "national_standard_primary_schools"), ("5/6", F, C, "national_standard_lower_secondary_schools")]),
    ("Phường có diện tích tự nhiên 2,4 km2, dân số 35.600 người.",
     [("2,4 km2", M, "km2", "natural_area_km2"), ("35.600", C, C, "population")]),
    ("Tổng diện tích tự nhiên 1.250 ha.", [("1.250 ha", M, "ha", "natural_area_ha")]),
    ("Giá trị sản xuất ước đạt 1.850 tỷ đồng, tăng 11,5% so với cùng kỳ.",
     [("1.850 tỷ đồng", A, "vnd", "production_value_vnd"), ("11,5%", CH, P, "production_value_growth_rate")]),
    ("Tốc độ tăng trưởng kinh tế bình quân đạt 9,2%.", [("9,2%", R, P, "economic_growth_rate")]),
    ("Cơ cấu kinh tế: công nghiệp - xây dựng chiếm 42%, thương mại - dịch vụ chiếm 50%, nông nghiệp chiếm 8%.",
     [("42%", R, P, "industry_construction_share"), ("50%", R, P, "services_share"),
      ("8%", R, P, "agriculture_share")]),
    ("Tỷ lệ hộ nghèo còn 1,2% với 96 hộ; tỷ lệ hộ cận nghèo 2,5%.",
     [("1,2%", R, P, "poverty_rate"), ("96", C, C, "poor_households"), ("2,5%", R, P, "near_poverty_rate")]),
    ("Có 40 hộ thoát nghèo; hộ nghèo phát sinh mới 6 hộ.",
     [("40", C, C, "households_escaped_poverty"), ("6", C, C, "new_poor_households")]),
    ("Tỷ lệ lao động qua đào tạo đạt 72%.", [("72%", R, P, "trained_labour_rate")]),
    # a share of the economy needs the economy's structure named; a labour structure or a
    # share of files or households is not one
    ("Trong cơ cấu kinh tế, dịch vụ chiếm 60%.", [("60%", R, P, "services_share")]),
    ("Lao động nông nghiệp chiếm 40% tổng số lao động.", [("40%", R, P, None)]),
    ("Hồ sơ dịch vụ công trực tuyến chiếm 80% tổng số hồ sơ.", [("80%", R, P, None)]),
    ("Cơ cấu lao động: nông nghiệp 35%, dịch vụ 40%.", [("35%", R, P, None), ("40%", R, P, None)]),
    # a gift cue does not make a count of delegations, awards or shops a count of gifts
    ("Tổ chức 5 đoàn đi thăm, tặng quà các gia đình chính sách.", [("5", C, C, None)]),
    ("Trao tặng 3 bằng khen cho tập thể.", [("3", C, C, None)]),
    ("Xã có 12 cửa hàng bán quà lưu niệm.", [("12", C, C, None)]),
    # a campaign about population is no population count
    ("Tuyên truyền cho 500 lượt người về dân số.", [("500", C, C, None)]),
    # new members of other bodies are not new party members
    ("Hội Nông dân phát triển được 50 hội viên mới.", [("50", C, C, None)]),
    # the household scheme of health insurance is a group's, not the population's coverage
    ("Tỷ lệ hộ gia đình tham gia BHYT hộ gia đình đạt 70%.", [("70%", R, P, None)]),
    ("Tỷ lệ tăng dân số tự nhiên 1,1%.", [("1,1%", R, P, "natural_population_growth_rate")]),
    ("Xã đạt 19/19 tiêu chí nông thôn mới.", [("19/19", F, C, "new_rural_criteria_met")]),
    ("Huyện có 12/15 xã đạt chuẩn nông thôn mới.", [("12/15", F, C, "new_rural_communes")]),
    ("Có 40 cơ quan, đơn vị đạt chuẩn văn hóa, tỷ lệ 90%.", [("90%", R, P, "cultural_standard_agencies_rate")]),
    ("Huyện có 5/9 xã được công nhận đạt chuẩn văn hóa nông thôn mới, chiếm 55,6%.",
     [("5/9", F, C, "cultural_standard_communes_rate"), ("55,6%", R, P, "cultural_standard_communes_rate")]),
    ("Thu nhập bình quân đầu người đạt 62 triệu đồng.", [("62 triệu đồng", A, "vnd", "income_per_capita_vnd")]),
    ("Tổng chi ngân sách ước đạt 20 tỷ đồng.", [("20 tỷ đồng", A, "vnd", "budget_spending_vnd")]),
    ("Có 35 doanh nghiệp thành lập mới.", [("35", C, C, "new_businesses")]),
    ("Xảy ra 6 vụ tai nạn giao thông, 12 vụ phạm pháp hình sự.",
     [("6", C, C, "traffic_accidents"), ("12", C, C, "crime_cases")]),
    ("Số hộ thoát cận nghèo trong năm là 25 hộ.", [("25", C, C, "households_escaped_near_poverty")]),
    ("Tiêm chủng đầy đủ cho 150 trẻ em dưới 1 tuổi, đạt 98,7%.",
     [("150", C, C, "children_immunised"), ("98,7%", R, P, "full_immunization_rate")]),
    # an indicator that is an average is per head by itself
    ("Thu nhập bình quân đầu người đạt 48 triệu đồng/người/năm.",
     [("48 triệu đồng", A, "vnd", "income_per_capita_vnd")]),
    # a veto in another item of a list does not reach the number
    ("Xảy ra 2 vụ tai nạn giao thông; bắt giữ 3 vụ, 5 đối tượng tàng trữ trái phép chất ma túy.",
     [("2", C, C, "traffic_accidents"), ("3", C, C, "drug_cases"), ("5", C, C, None)]),
    # the number's own clause names another activity than the cue's earlier clause
    ("Kiểm tra an toàn thực phẩm 48 cơ sở, nhắc nhở 9 cơ sở, xử phạt 3 cơ sở.",
     [("48", C, C, "food_safety_inspections"), ("9", C, C, None), ("3", C, C, "food_safety_violations")]),
    ("Chi trả trợ cấp xã hội hàng tháng cho 1.320 lượt người với số tiền 980 triệu đồng.",
     [("1.320", C, C, "social_beneficiaries"), ("980 triệu đồng", A, "vnd", "social_payments_vnd")]),
    ("Phát triển được 18 đảng viên mới; cấp 65 giấy CNQSDĐ cho hộ gia đình, cá nhân.",
     [("18", C, C, "new_party_members"), ("65", C, C, "land_certificates_issued")]),
    ("Xã Phú An có tỷ lệ hộ nghèo thấp nhất với 0,8%.", [("0,8%", R, P, None)]),
    ("Mở lớp bồi dưỡng lý luận chính trị cho 32 đảng viên mới.", [("32", C, C, None)]),
    # a group's health insurance is a part of the population's
    ("Có 100% cán bộ, công chức tham gia BHYT; cấp thẻ BHYT cho 100% trẻ em dưới 6 tuổi.",
     [("100%", R, P, None), ("100%", R, P, None)]),
    # a recipient the winner expects beside it is no rival topic
    ("Tặng 320 suất quà Tết cho các đối tượng chính sách, hộ nghèo với tổng trị giá 160 triệu đồng.",
     [("320", C, C, "gifts_given"), ("160 triệu đồng", A, "vnd", "gifts_value_vnd")]),
]


@pytest.mark.parametrize("text,specs", PHRASINGS + RULE_PHRASINGS,
                         ids=[t[:48] for t, _ in PHRASINGS + RULE_PHRASINGS])
def test_phrasings_get_their_indicator(text, specs):
    text = normalize_text(text)
    got = [f["indicator_id"] for f in assign_indicators(_facts_in(text, specs), text)]
    assert got == [s[3] for s in specs]


def test_each_id_says_which_cue_gave_it_and_where():
    text = normalize_text("Năm 2023, tổng thu ngân sách nhà nước đạt 25,6 tỷ đồng. Tổ chức 3 buổi tuyên truyền.")
    facts = _facts_in(text, [("25,6 tỷ đồng", A, "vnd", None), ("3", C, C, None)])
    got, none = assign_indicators(facts, text)
    assert got["indicator_id"] == "budget_revenue_vnd"
    phrase, where = got["indicator_cue"].split(" @ ")
    start, end = map(int, where.split("-"))
    assert phrase == '"tổng thu ngân sách nhà nước"' and text[start:end] == "tổng thu ngân sách nhà nước"
    assert none["indicator_id"] is None and none["indicator_cue"] is None


def test_core_ids_come_from_the_catalogue_column():
    cat = load_catalog()
    assert len(CORE_IDS) == 42 and CORE_IDS == tuple(cat.loc[cat["is_core"], "indicator_id"])
    assert {"population", "party_members_total", "total_social_investment_vnd"} <= set(cat["indicator_id"])
    assert not {"population", "party_members_total"} & set(CORE_IDS)


def test_an_extended_id_is_no_core_id_for_the_evaluation():
    gold = [{"doc": "d", "quote": "1.250 đảng viên", "value": 1250, "unit": "count", "indicator_id": None},
            {"doc": "d", "quote": "kết nạp 30", "value": 30, "unit": "count", "indicator_id": "new_party_members"}]
    ext = [{"doc_id": "d", "value": 1250, "unit": "count", "indicator_id": "party_members_total"},
           {"doc_id": "d", "value": 30, "unit": "count", "indicator_id": "new_party_members"}]
    s = score_indicators(match_facts(ext, gold), gold)
    assert (s.precision, s.recall, s.n_assigned) == (1.0, 1.0, 1)
    assert [e["indicator_id"] for e in s.extended] == ["party_members_total"]


def test_phrasing_table_covers_every_core_indicator():
    named = {s[3] for _, specs in PHRASINGS for s in specs if s[3]}
    assert set(CORE_IDS) <= named, sorted(set(CORE_IDS) - named)


def test_assignment_reads_the_text_not_the_quote_and_keeps_order():
    text = normalize_text("Tỷ lệ hỏa táng đạt 95,2%. Tổ chức 3 buổi tuyên truyền.")
    facts = [{"start": 19, "end": 24, "kind": "rate", "unit": "percent", "quote": "không liên quan"},
             {"start": 35, "end": 36, "kind": "count", "unit": "count"}]
    out = assign_indicators(facts, text)
    assert [f["indicator_id"] for f in out] == ["cremation_rate", None]
    assert [f["start"] for f in out] == [19, 35]
    assert "indicator_id" not in facts[0]  # the input is not changed


def test_assignment_accepts_a_frame_and_a_catalogue_path(tmp_path):
    text = normalize_text("Tỷ lệ hỏa táng đạt 95,2%.")
    frame = pd.DataFrame([{"start": 19, "end": 24, "kind": "rate", "unit": "percent"}])
    catalog = load_catalog()
    catalog = catalog[catalog.indicator_id.isin(CORE_IDS)]
    path = tmp_path / "indicators.csv"
    _write_catalog(catalog, path)
    assert assign_indicators(frame, text, catalog=path)[0]["indicator_id"] == "cremation_rate"


def _with_sentences(facts: list[dict], text: str) -> list[dict]:
    """The facts as the extractor gives them: each with its sentence, where it starts and its section."""
    index = TextIndex(text)
    out = []
    for f in facts:
        snt = index.sentence_at(f["start"])
        out.append({**f, "sentence": snt.text, "sentence_start": snt.start, "section": snt.section})
    return out


def test_facts_that_carry_their_sentence_get_what_facts_without_it_get():
    for text, specs in PHRASINGS + RULE_PHRASINGS:
        text = normalize_text(text)
        facts = _facts_in(text, specs)
        alone = [(f["indicator_id"], f["indicator_cue"]) for f in assign_indicators(facts, text)]
        carried = assign_indicators(_with_sentences(facts, text), text)
        assert [(f["indicator_id"], f["indicator_cue"]) for f in carried] == alone, text


@pytest.mark.parametrize("text,expected", [
    # the section's heading names the topic the sentence leaves out
    ("II. An toàn thực phẩm\nKết quả xử phạt 9 cơ sở vi phạm.", "food_safety_violations"),
    ("II. Văn hóa\nKết quả xử phạt 9 cơ sở vi phạm.", None),
    # so does the sentence before it, in the same paragraph only
    ("Kiểm tra an toàn thực phẩm 120 cơ sở. Kết quả xử phạt 9 cơ sở vi phạm.", "food_safety_violations"),
    ("Kiểm tra an toàn thực phẩm 120 cơ sở.\nKết quả xử phạt 9 cơ sở vi phạm.", None),
])
def test_the_heading_or_the_sentence_before_gives_the_topic(text, expected):
    text = normalize_text(text)
    i = text.index("9 cơ sở")
    facts = [{"start": i, "end": i + 1, "kind": "count", "unit": "count"}]
    assert assign_indicators(facts, text)[0]["indicator_id"] == expected
    assert assign_indicators(_with_sentences(facts, text), text)[0]["indicator_id"] == expected


@pytest.mark.parametrize("text,expected", [
    ("Kết nạp 12 đảng viên mới.", "new_party_members"),
    # a count no counted noun of an indicator follows gets none, whatever cue stands before it
    ("Kết nạp 12 hội viên mới.", None),
    # the noun may stand after a quote or an opening parenthesis
    ("Kết nạp 12 (đảng viên mới).", "new_party_members"),
])
def test_a_count_needs_the_noun_its_indicator_counts_right_after_it(text, expected):
    text = normalize_text(text)
    facts = [{"start": 8, "end": 10, "kind": "count", "unit": "count"}]
    assert assign_indicators(facts, text)[0]["indicator_id"] == expected


# --------------------------------------------------------------------------- catalogue

def test_catalogue_keeps_every_core_id_of_the_documentation():
    documented = re.findall(r"^\| ([a-z_0-9]+) \|", (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8"),
                            re.M)
    documented = [d for d in documented if d != "id"]
    assert sorted(documented) == sorted(CORE_IDS)
    assert set(CORE_IDS) <= set(load_catalog()["indicator_id"])


def test_catalogue_keeps_documented_directions_and_kinds():
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    cat = load_catalog().set_index("indicator_id")
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] not in CORE_IDS:
            continue
        iid, kinds, direction = cells[0], [k.strip() for k in cells[4].split(",")], cells[5]
        assert cat.loc[iid, "direction"] == direction, iid
        assert set(kinds) <= set(cat.loc[iid, "kinds"]), iid


def test_every_catalogue_entry_is_well_formed():
    cat = load_catalog()
    assert cat["indicator_id"].is_unique
    for _, r in cat.iterrows():
        assert r["direction"] in ("up", "down", "none")
        assert r["aggregation"] in ("stock", "flow")
        assert r["unit"] in UNITS
        assert r["kinds"] and set(r["kinds"]) <= set(KINDS)
        assert r["cues"] and all(c == c.lower() and c.strip() for c in r["cues"])
        assert r["name_vi"] and r["name_en"] and r["topic"]
        # a core count or amount grows with the period; rates and achievements do not
        # (the extended catalogue has levels counted in units: population, party members)
        if r["is_core"] and r["unit"] in ("count", "vnd") and set(r["kinds"]) <= {"count", "amount"}:
            assert r["aggregation"] == "flow", r["indicator_id"]
        if r["unit"] in ("percent", "per_mille"):
            assert r["aggregation"] == "stock", r["indicator_id"]
        if r["indicator_id"].endswith("_vnd"):
            assert r["unit"] == "vnd" and r["kinds"] == ("amount",)


def test_every_catalogue_topic_has_a_label_in_the_app():
    from analysis.i18n import LABELS
    topics = set(load_catalog()["topic"])
    assert {t for t in topics if f"topic.{t}" not in LABELS} == set()


def test_catalogue_file_is_the_default():
    assert (Path(CATALOG) / "indicators.csv").is_file()
    assert len(load_catalog(Path(CATALOG) / "indicators.csv")) == len(load_catalog())


def _write_catalog(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for c in ("kinds", "cues", "context", "exclude", "counted"):
        out[c] = out[c].map(";".join)
    out.to_csv(path, index=False)


@pytest.mark.parametrize("change,message", [
    (lambda f: f[f.indicator_id != "cremation_rate"], "core indicator(s) cremation_rate missing"),
    (lambda f: f.assign(direction=f.direction.where(f.indicator_id != "drug_cases", "sideways")),
     "drug_cases: direction 'sideways' must be one of up, down, none"),
    (lambda f: f.assign(aggregation=f.aggregation.where(f.indicator_id != "drug_cases", "sum")),
     "drug_cases: aggregation 'sum'"),
    (lambda f: f.assign(cues=f.cues.where(f.indicator_id != "drug_cases", pd.Series([()] * len(f)))),
     "drug_cases: no cues"),
    (lambda f: f.assign(cues=f.cues.where(f.indicator_id != "drug_cases", pd.Series([("Ma túy",)] * len(f)))),
     "drug_cases: cues phrase 'Ma túy' has capitals"),
    (lambda f: f.assign(kinds=f.kinds.where(f.indicator_id != "drug_cases", pd.Series([("counts",)] * len(f)))),
     "drug_cases: kinds counts must be"),
    (lambda f: pd.concat([f, f[f.indicator_id == "drug_cases"]]), "'drug_cases' appears twice"),
    (lambda f: f.assign(is_core=f.is_core & (f.indicator_id != "drug_cases")), "core indicator(s) drug_cases missing"),
    (lambda f: f.assign(is_core="maybe"), "is_core 'maybe' must be 'true'"),
])
def test_a_bad_catalogue_is_refused_with_a_clear_message(tmp_path, change, message):
    path = tmp_path / "indicators.csv"
    _write_catalog(change(load_catalog()), path)
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_catalogue_names_the_file(tmp_path):
    with pytest.raises(CatalogError, match="indicator catalogue missing"):
        load_catalog(tmp_path / "nothing.csv")


def test_indicator_info_gives_the_catalogue_row():
    info = indicator_info("cultural_family_rate")
    assert info["name_en"] == "Households recognised as Cultural Families"
    assert info["direction"] == "up" and info["aggregation"] == "stock"
    with pytest.raises(KeyError, match="not in the catalogue"):
        indicator_info("households")


# --------------------------------------------------------------------------- loud reporting


def test_review_of_a_new_phrasing():
    text = normalize_text("Tỷ lệ hộ dân sử dụng nước sạch đạt 98%. Tỷ lệ hỏa táng đạt 90%.")
    facts = assign_indicators([{"doc_id": "d", "start": 35, "end": 38, "kind": "rate", "unit": "percent",
                                "raw": "98%"},
                               {"doc_id": "d", "start": 59, "end": 62, "kind": "rate", "unit": "percent",
                                "raw": "90%"}], text)
    review = unmatched_cues(facts, {"d": text})
    unmapped = review[review.problem == "fact_unmapped"]
    assert unmapped["raw"].tolist() == ["98%"]
    assert "tỷ lệ" in unmapped["words"].iloc[0]
    assert "cremation_rate" not in set(review["indicator_id"].dropna())


# --------------------------------------------------------------------------- any text


_PIECES = st.sampled_from([
    "tỷ lệ", "hộ", "đăng ký", "gia đình văn hóa", "tổ dân phố văn hóa", "đạt", "trong đó", "kiểm tra",
    "ATTP", "xử phạt", "cơ sở", "ma túy", "vụ", "(", ")", ",", ";", ":", ".", "/", " - ", "\n", "97,95%",
    "5209/5318", "12 tỷ đồng", "06", "chỉ tiêu", "hỏa táng", "thu ngân sách", "tặng quà", "“", "”",
])


@lru_cache(maxsize=1)
def _catalogue_ids() -> frozenset:
    return frozenset(load_catalog()["indicator_id"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40).map(" ".join), st.data())
def test_any_text_and_offsets_give_known_ids_or_none(text, data):
    text = normalize_text(text)
    n = data.draw(st.integers(0, 6))
    facts = []
    for _ in range(n):
        s = data.draw(st.integers(0, len(text)))
        e = data.draw(st.integers(s, len(text)))
        facts.append({"start": s, "end": e, "kind": data.draw(st.sampled_from(KINDS)),
                      "unit": data.draw(st.sampled_from(UNITS))})
    ids = _catalogue_ids()
    out = assign_indicators(facts, text)
    assert len(out) == len(facts)
    assert all(f["indicator_id"] is None or f["indicator_id"] in ids for f in out)
    unmatched_cues([dict(f, doc_id="d") for f in out], {"d": text})
