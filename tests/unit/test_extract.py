"""The fact extractor (analysis.extract) on small texts of its own.

(The five bundled reports against the hand-checked facts are in
tests/gold/test_extract_gold.py.)

* A table of phrasings the seed reports do not use, as other wards, districts
  and provinces write them, non-facts included.
* The provenance of every fact: offsets, quote, sentence and section.
"""
from decimal import Decimal

import pandas as pd
import pytest

from _provenance import check_provenance
from analysis.evaluate import match_facts, score
from analysis.extract import extract_facts, load_rules
from analysis.numbers import parse_decimal
from analysis.rules import read_rules
from analysis.text import normalize_text, split_sentences

# --------------------------------------------------------------------------
# Beyond the seeds: how other units write their numbers
# --------------------------------------------------------------------------

# text → facts as (raw, value, unit, kind, qualifier), in text order
PHRASINGS = [
    ("Doanh thu dịch vụ đạt 102,5% kế hoạch năm.",
     [("102,5%", 102.5, "percent", "target_achievement", "exact")]),
    ("Số vụ phạm pháp hình sự tăng 12% so với cùng kỳ năm 2022.",
     [("12%", 12, "percent", "change", "exact")]),
    ("Tổng kinh phí thực hiện khoảng 1,2 tỷ đồng.",
     [("1,2 tỷ đồng", 1.2e9, "vnd", "amount", "approx")]),
    ("Thu hút trên 500 lượt người tham gia.",
     [("500", 500, "count", "count", "at_least")]),
    ("Diện tích chuyển đổi từ 3 đến 5 ha.",
     [("3", 3, "ha", "measure", "at_least"), ("5 ha", 5, "ha", "measure", "at_most")]),
    ("Toàn phường có 1.234 hộ gia đình.",
     [("1.234", 1234, "count", "count", "exact")]),
    ("Tỷ lệ hộ nghèo giảm 0,5% so với đầu năm.",
     [("0,5%", 0.5, "percent", "change", "exact")]),
    # a per-person amount is an amount in đồng; "/người" says what it is per
    ("Mức hỗ trợ 2,5 triệu đồng/người.",
     [("2,5 triệu đồng", 2.5e6, "vnd", "amount", "exact")]),
    ("Thu gom 15 tấn rác thải.", [("15 tấn", 15, "ton", "measure", "exact")]),
    ("Xây dựng 300 m2 nhà văn hóa.", [("300 m2", 300, "m2", "measure", "exact")]),
    ("Dân số cơ học tăng từ 3 – 5%.",
     [("3", 3, "percent", "change", "at_least"), ("5%", 5, "percent", "change", "at_most")]),
    ("Diện tích mặt nước 1-1,3km2.",
     [("1", 1, "km2", "measure", "at_least"), ("1,3km2", 1.3, "km2", "measure", "at_most")]),
    ("Mỗi lớp từ 08 đến 10 học viên.",
     [("08", 8, "count", "count", "at_least"), ("10", 10, "count", "count", "at_most")]),
    ("Ước đạt trên 5 tỷ đồng.", [("5 tỷ đồng", 5e9, "vnd", "amount", "at_least")]),
    ("Dự kiến tổ chức 05 lớp tập huấn.", [("05", 5, "count", "count", "approx")]),
    ("Có gần 2/3 số hộ tham gia.", [("2/3", 2, "count", "fraction", "approx")]),
    ("Kết nạp 15 đảng viên mới, đạt 150% chỉ tiêu.",
     [("15", 15, "count", "count", "exact"),
      ("150%", 150, "percent", "target_achievement", "exact")]),
    ("Thu ngân sách ước đạt 45,6 tỷ đồng, bằng 110% dự toán, tăng 8,2% so với cùng kỳ.",
     [("45,6 tỷ đồng", 45.6e9, "vnd", "amount", "approx"),
      ("110%", 110, "percent", "target_achievement", "exact"),
      ("8,2%", 8.2, "percent", "change", "exact")]),
    ("Tỷ lệ tham gia BHYT đạt 92,3%, chỉ tiêu là 95%.",
     [("92,3%", 92.3, "percent", "rate", "exact"), ("95%", 95, "percent", "target", "exact")]),
    ("Đã giải quyết 125/130 hồ sơ (96,15%).",
     [("125/130", 125, "count", "fraction", "exact"), ("96,15%", 96.15, "percent", "rate", "exact")]),
    ("Tỷ suất sinh thô 15,2‰, giảm 0,3‰.",
     [("15,2‰", 15.2, "per_mille", "rate", "exact"), ("0,3‰", 0.3, "per_mille", "change", "exact")]),
    ("Tổng kinh phí 2 tỷ 500 triệu đồng.",
     [("2 tỷ 500 triệu đồng", 2.5e9, "vnd", "amount", "exact")]),
    ("Thu phí vệ sinh 1.250.000.000 VNĐ.",
     [("1.250.000.000 VNĐ", 1.25e9, "vnd", "amount", "exact")]),
    ("Trồng mới 1.000 cây xanh; đón 2 triệu lượt khách.",
     [("1.000", 1000, "count", "count", "exact"), ("2 triệu", 2e6, "count", "count", "exact")]),
    ("Hỗ trợ 50 nghìn đồng mỗi suất.", [("50 nghìn đồng", 50_000, "vnd", "amount", "exact")]),
    ("Có 05 đ/c được kết nạp, 03 đồng chí được khen thưởng.",
     [("05", 5, "count", "count", "exact"), ("03", 3, "count", "count", "exact")]),
    ("Có 50% số hộ trở lên có việc làm ổn định.",
     [("50%", 50, "percent", "rate", "at_least")]),
    ("Tốc độ tăng trưởng kinh tế đạt 7,5%.", [("7,5%", 7.5, "percent", "change", "exact")]),
    ("Phấn đấu đến năm 2025 có 95% hộ gia đình văn hóa.",
     [("95%", 95, "percent", "target", "exact")]),
    ("Giảm 3 vụ so với cùng kỳ; bắt 12 đối tượng.",
     [("3", 3, "count", "change", "exact"), ("12", 12, "count", "count", "exact")]),
    ("Hoàn thành 6/6 tiêu chí; 12/12 TDP đạt chuẩn.",
     [("6/6", 6, "count", "fraction", "exact"), ("12/12", 12, "count", "fraction", "exact")]),
    ("Đạt 9/10 điểm.", [("9/10", 9, "count", "fraction", "exact")]),
    ("Chỉ tiêu giao 1.200 người; đã tuyển 1.150 người.",
     [("1.200", 1200, "count", "target", "exact"), ("1.150", 1150, "count", "count", "exact")]),
    # non-facts: identifiers, dates, times, ordinals, names, slogans, page furniture
    ("Thực hiện Quyết định số 217,218 của Bộ Chính trị.", []),
    ("Nhân ngày 1/6, phường tặng quà cho các cháu.", []),
    ("Lúc 09:14 ngày 16/07/2021.", []),
    ("Phục vụ SEA Games 31 thành công.", []),
    ("Căn cứ Nghị quyết số 15/2021/NQ-HĐND ngày 20/7/2021 của HĐND thành phố.", []),
    ("Theo Kế hoạch 125/KH-UBND về phòng chống dịch Covid-19.", []),
    ("Điện thoại: 024.3872.1234", []),
    ("Cập nhật lúc 10h30 ngày 12/3/2022.", []),
    ("Trong 9 tháng đầu năm và quý I/2022, quý 2/2022.", []),
    ("Hội nghị lần thứ 5 Ban Chấp hành khóa XIII.", []),
    ("Các tuyến phố ngõ 12/3 Khuất Duy Tiến, đường 19/5 được cải tạo.", []),
    ("Phường 12, Quận 3 tổ chức kỷ niệm 30 năm thành lập.", []),
    ("Tiêm vắc xin mũi 3 cho trẻ từ 5 đến 11 tuổi.", []),
    ("Kế hoạch giai đoạn 2021 - 2025, tầm nhìn đến năm 2030.", []),
    ("Quy hoạch chi tiết tỷ lệ 1/2000 khu đô thị.", []),
    ("Thực hiện phương châm 4 tại chỗ và mô hình “3 không”.", []),
    ("Lượt xem: 1.234 | Bình luận (0)", []),
    ("Tổ dân phố số 5, khu phố 3, tổ 12 và TDP 7 đã họp.", []),
    ("Triển khai mạng 5G, xếp thứ 3/12 phường.", []),
    ("Tết Nhâm Dần 2022 trên địa bàn, sinh con thứ 3 trở lên.", []),
    ("(1) Về phát triển kinh tế", []),
    ("Tài trợ 5.000 USD cho chương trình.", []),
    ("Trong vòng 14 ngày, 3 tháng cuối năm.", []),
    ("Ngày 30/4 và 1/5 tổ chức trực 24/24 giờ.", []),

    # --- plans: a plan's figures are targets whatever their unit (annotation
    # guide, settled cases); the same figures stated as achieved are not
    ("Năm 2025, phường phấn đấu giảm 25 hộ nghèo, thu ngân sách tăng 6%.",
     [("25", 25, "count", "target", "exact"), ("6%", 6, "percent", "target", "exact")]),
    ("Tỷ lệ hộ dùng nước sạch đến năm 2030 đạt 100%.", [("100%", 100, "percent", "target", "exact")]),
    # the direction of an economy's structure is said of results too: no plan cue
    ("Cơ cấu kinh tế tiếp tục chuyển dịch đúng hướng: dịch vụ chiếm 61,5%, nông nghiệp 4,2%.",
     [("61,5%", 61.5, "percent", "rate", "exact"), ("4,2%", 4.2, "percent", "rate", "exact")]),
    ("Chỉ tiêu năm 2025: thu ngân sách 12 tỷ đồng.", [("12 tỷ đồng", 12e9, "vnd", "target", "exact")]),
    ("Chỉ tiêu 2025: 100% thôn đạt chuẩn văn hóa.", [("100%", 100, "percent", "target", "exact")]),
    ("B. MỤC TIÊU CỤ THỂ NĂM 2026\n1. Thu nhập bình quân đầu người tăng 8% mỗi năm.\n"
     "2. Xây mới 3 nhà văn hóa (1,2 km đường).",
     [("8%", 8, "percent", "target", "exact"), ("3", 3, "count", "target", "exact"),
      ("1,2 km", 1.2, "km", "target", "exact")]),
    ("Phường sẽ nâng cấp từ 05 đến 07 tuyến đường, phấn đấu hoàn thành trong năm.",
     [("05", 5, "count", "count", "at_least"), ("07", 7, "count", "count", "at_most")]),
    ("Phấn đấu nâng cấp từ 05 đến 07 tuyến đường.",
     [("05", 5, "count", "target", "at_least"), ("07", 7, "count", "target", "at_most")]),
    ("Thu ngân sách đạt 5 tỷ đồng, kế hoạch năm 2024 giao 4,5 tỷ đồng.",
     [("5 tỷ đồng", 5e9, "vnd", "amount", "exact"), ("4,5 tỷ đồng", 4.5e9, "vnd", "target", "exact")]),
    # a cut-off of results or the end of a span is no horizon
    ("Đến cuối năm 2023, toàn huyện còn 1.204 hộ nghèo, chiếm 4,2%.",
     [("1.204", 1204, "count", "count", "exact"), ("4,2%", 4.2, "percent", "rate", "exact")]),
    ("Tính đến năm 2023, có 15 tổ dân phố đạt chuẩn.", [("15", 15, "count", "count", "exact")]),
    ("Từ năm 2016 đến năm 2020, phường kết nạp 48 đảng viên.", [("48", 48, "count", "count", "exact")]),
    ("Đến năm 2020, phường đã có 12 tổ dân phố văn hóa.", [("12", 12, "count", "count", "exact")]),
    ("Thực hiện đạt 15/18 chỉ tiêu năm 2023, trong đó có 12 chỉ tiêu vượt kế hoạch.",
     [("15/18", 15, "count", "fraction", "exact"), ("12", 12, "count", "count", "exact")]),
    ("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐẾN NĂM 2020\n1. Có 12 trường đạt chuẩn.",
     [("12", 12, "count", "count", "exact")]),
    ("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU NĂM 2023\n1. Có 12 trường đạt chuẩn.",
     [("12", 12, "count", "count", "exact")]),
    ("II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024\n1. Kết nạp 15 đảng viên mới.",
     [("15", 15, "count", "target", "exact")]),
    ("Mục tiêu giai đoạn 2025 - 2030: 100% hộ dùng nước sạch.",
     [("100%", 100, "percent", "target", "exact")]),
    # excess over a plan, against a standard, a share of a number, a level
    ("Kết nạp 20 đảng viên, vượt 5 đảng viên so với chỉ tiêu.",
     [("20", 20, "count", "count", "exact"), ("5", 5, "count", "target_achievement", "exact")]),
    ("Doanh thu tăng 12% so với kế hoạch.", [("12%", 12, "percent", "target_achievement", "exact")]),
    ("Diện tích đạt 35% so với tiêu chuẩn.", [("35%", 35, "percent", "target_achievement", "exact")]),
    ("Có 640 hội viên tham gia, đạt 93% so với số hội viên đăng ký.",
     [("640", 640, "count", "count", "exact"), ("93%", 93, "percent", "rate", "exact")]),
    ("Tỷ lệ hộ nghèo giảm từ 4,5% xuống còn 3,2%.",
     [("4,5%", 4.5, "percent", "rate", "exact"), ("3,2%", 3.2, "percent", "rate", "exact")]),
    ("Đạt 85% so tiêu chuẩn, 92% so với quy định; chiếm 12% so với tổng số hộ, 95% so số hộ đăng ký.",
     [("85%", 85, "percent", "target_achievement", "exact"), ("92%", 92, "percent", "target_achievement", "exact"),
      ("12%", 12, "percent", "rate", "exact"), ("95%", 95, "percent", "rate", "exact")]),
    ("Vượt 15 hộ so chỉ tiêu; 95% số hộ có nước sạch.",
     [("15", 15, "count", "target_achievement", "exact"), ("95%", 95, "percent", "rate", "exact")]),
    ("Tỷ lệ hộ dùng nước sạch tăng từ 72% lên 80%.",
     [("72%", 72, "percent", "rate", "exact"), ("80%", 80, "percent", "rate", "exact")]),
    ("Với quy mô dân số 12.500 người, toàn phường 1.234 hộ đã đăng ký.",
     [("12.500", 12500, "count", "count", "exact"), ("1.234", 1234, "count", "count", "exact")]),
    ("Ước tính cả năm, thu ngân sách 5 tỷ đồng, chi 4 tỷ đồng.",
     [("5 tỷ đồng", 5e9, "vnd", "amount", "approx"), ("4 tỷ đồng", 4e9, "vnd", "amount", "approx")]),
    ("MỤC TIÊU ĐẾN NĂM 2030\n- Có 95% hộ dùng nước sạch;\n- Xây mới 2 trường học;",
     [("95%", 95, "percent", "target", "exact"), ("2", 2, "count", "target", "exact")]),
    ("Phường hoàn thành 100% khối lượng công việc; đã hoàn thành 100% các chỉ tiêu.",
     [("100%", 100, "percent", "target_achievement", "exact"), ("100%", 100, "percent", "rate", "exact")]),
    # an estimate opening a sentence or a list heading governs its figures;
    # in a clause it stops at the first figure it qualifies
    ("Dự kiến cuối năm, số hộ nghèo còn 42 hộ, chiếm 1,3%.",
     [("42", 42, "count", "count", "approx"), ("1,3%", 1.3, "percent", "rate", "approx")]),
    ("* Ước cả năm:\n- Thu ngân sách 8 tỷ đồng;\n- Chi ngân sách 6 tỷ đồng;",
     [("8 tỷ đồng", 8e9, "vnd", "amount", "approx"), ("6 tỷ đồng", 6e9, "vnd", "amount", "approx")]),
    ("Thu ngân sách ước đạt 9,5 tỷ đồng đạt 112% dự toán.",
     [("9,5 tỷ đồng", 9.5e9, "vnd", "amount", "approx"),
      ("112%", 112, "percent", "target_achievement", "exact")]),
    # lists, parentheses, clauses ending in a number, populations, units in fractions
    # "label: N" in a list is a count, even where the label ends in a word
    # that names things by number (đội 3, bản 5); those need the number right
    # after them, and times, parts and scores after a colon stay no facts
    ("Giao quân 7 người (Công an: 4, Quân đội: 3).",
     [("7", 7, "count", "count", "exact"), ("4", 4, "count", "count", "exact"),
      ("3", 3, "count", "count", "exact")]),
    ("Đơn vị hành chính (Xã: 12, thị trấn: 1).",
     [("12", 12, "count", "count", "exact"), ("1", 1, "count", "count", "exact")]),
    ("Đoàn viên mới 25 người (nam: 14, nữ: 11).",
     [("25", 25, "count", "count", "exact"), ("14", 14, "count", "count", "exact"),
      ("11", 11, "count", "count", "exact")]),
    ("Thôn 3, bản 5 và đội 2 đã họp.", []),
    ("Khai mạc lúc: 9, bế mạc lúc: 11.", []),
    # the number closing a clause that opens with "số" and a noun; not an identifier
    ("Số hội viên cuối năm 1.150; số ca chuyển tuyến 85.",
     [("1.150", 1150, "count", "count", "exact"), ("85", 85, "count", "count", "exact")]),
    ("Số nhà 12, số tài khoản 1023456789, số hiệu 15, Số 7; số liệu 2023.", []),
    # the last cell of a tab-separated row; not a year heading a column, nor a row's number
    ("Chỉ tiêu\t2024\n1\tSố hộ được hỗ trợ\t167\n", [("167", 167, "count", "count", "exact")]),
    ("Phần: 2\nMục: 3\nTỷ số: 2, Điểm: 8,", []),
    ("Số xã đạt chuẩn nông thôn mới là 12.", [("12", 12, "count", "count", "exact")]),
    ("Sáp nhập hai phường (dân số 5.120 người, diện tích 0,4 km2).",
     [("hai", 2, "count", "count", "exact"), ("5.120", 5120, "count", "count", "exact"),
      ("0,4 km2", 0.4, "km2", "measure", "exact")]),
    # thành phố is one word, not the street word phố before a number
    ("Toàn thành phố đã cấp giấy chứng nhận 412,5ha/430 ha.",
     [("412,5ha/430 ha", 412.5, "ha", "fraction", "exact")]),
    ("Toàn thành phố 1.250 hộ nghèo đã được hỗ trợ; phố 8 được lát đá.",
     [("1.250", 1250, "count", "count", "exact")]),
    ("Lao động được tạo việc làm mới trong năm 1.320 người.", [("1.320", 1320, "count", "count", "exact")]),
    ("Khu phố 2 tỷ lệ hộ dùng nước sạch là 98%.", [("98%", 98, "percent", "rate", "exact")]),
    ("UBND 12 xã đã rà soát hộ nghèo.", [("12", 12, "count", "count", "exact")]),
    ("Trong 5 năm từ 2019 đến 2023 chỉ có 2 vụ cháy.", [("2", 2, "count", "count", "exact")]),
    # numbers opening a line: a quantity by the noun after it, a list marker
    # by the dot, bracket or heading after it (issue 15)
    ("5209 hộ được công nhận gia đình văn hóa.\n1.250 lao động được giải quyết việc làm.",
     [("5209", 5209, "count", "count", "exact"), ("1.250", 1250, "count", "count", "exact")]),
    ("1. Kết quả\n2) Về kinh tế\nII. Văn hóa\n3 Về xã hội\n(4) Quốc phòng", []),
    ("１２０ hộ được hỗ trợ.", [("120", 120, "count", "count", "exact")]),
    # page furniture and other non-facts of news sites
    ("date 2024-03-15 Phường tổ chức hội nghị. Cập nhật 2023-11", []),
    ("Văn phòng đặt tại 25 Nguyễn Trãi, quận 5.", []),
    ("Trụ sở: 12 Trần Hưng Đạo, phường 3, TP Sóc Trăng", []),
    ("Bản quyền 2010 thuộc Cổng thông tin phường. © 2019 Báo Điện tử", []),
    ("Lượt thích: 25 | Đang online: 12 | Mã xác nhận: 4821", []),
    ("Tel: 02433825642\nViews: 120\nSTT: 1", []),
    ("Bài viết: 12 | Ý kiến: 3\nPhản hồi: 2", []),
    ("Copyright 2021 Cổng thông tin. Tòa soạn: 8 Lý Thường Kiệt. Địa chỉ: 7 Lý Tự Trọng. "
     "Từ số nhà 9 đến số nhà 47.", []),
    ("Đang truy cập: 15\nTrực tuyến: 12\nTổng lượt truy cập: 1.234.567\nHôm nay: 120\nLượt chia sẻ: 3\n"
     "Lượt đọc: 1.024\nLượt tải: 35\nBình chọn: 12\nBình luận (0)\nẢnh 2", []),
    ("SĐT: 0912345678\nDi động: 0987654321\nZalo: 0912345678\nSố hiệu: 125\nKý hiệu: 12", []),
    ("Phường tiếp nhận 25 ý kiến của cử tri.", [("25", 25, "count", "count", "exact")]),
    # a page counter stands alone: a noun after the number makes it a count
    ("Hôm nay 15 hộ nhận quà; tiếp nhận trực tuyến 1.250 hồ sơ; bình chọn 10 gương điển hình.",
     [("15", 15, "count", "count", "exact"), ("1.250", 1250, "count", "count", "exact"),
      ("10", 10, "count", "count", "exact")]),
    ("Hội đồng nhân dân khóa XII nhiệm kỳ 2020 2025 đề ra.", []),
    ("UBND Q.3 và P.7 đã tiếp nhận hồ sơ.", []),
    ("Có 3 khu phố đạt chuẩn, gồm: 1, 5 và 8.", [("3", 3, "count", "count", "exact")]),
    # number words are facts when they count; not in names, ordinals or idioms
    ("Toàn quận có bốn phường đạt chuẩn, sáu tiêu chí hoàn thành.",
     [("bốn", 4, "count", "count", "exact"), ("sáu", 6, "count", "count", "exact")]),
    ("Hỗ trợ mười hai hộ nghèo và hai mươi mốt người cao tuổi.",
     [("mười hai", 12, "count", "count", "exact"), ("hai mươi mốt", 21, "count", "count", "exact")]),
    ("Phấn đấu có thêm ba trường đạt chuẩn.", [("ba", 3, "count", "target", "exact")]),
    ("Xã Ba họp ngày thứ hai; mười năm qua chính quyền hai cấp có một hộ tái nghèo.", []),
    # malformed numbers and digits of other scripts are not read (issue 15)
    ("Có 12,,5% hộ và 12..5 người.", []),
    ("٥٢٠٩ hộ đạt danh hiệu; 5٥ hộ.", []),
]


@pytest.mark.parametrize("text, expected", PHRASINGS, ids=[p[0][:40] for p in PHRASINGS])
def test_phrasings_beyond_the_seeds(text, expected):
    got = [(f["raw"], f["value"], f["unit"], f["kind"], f["qualifier"])
           for f in extract_facts(normalize_text(text), "x")]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        assert g[0] == e[0] and g[2:] == e[2:], (g, e)
        assert g[1] == pytest.approx(e[1], rel=1e-9), (g, e)


# Short excerpts in the styles of other sites' pages, written for this test:
# each gives every fact it states (raw, value, unit, kind, qualifier) and no
# other, page furniture included.
EXCERPTS = [
    # a southern ward's results: dot decimals, a ward and district by number
    ("Phường Tân Định (Quận 3): kết quả 6 tháng đầu năm 2024. Tỷ lệ hộ gia đình văn hóa đạt 96.5%, "
     "tỷ lệ tham gia BHYT 92.15%. Thu ngân sách được 18.600 triệu đồng, đạt 54.2% dự toán.",
     [("96.5%", 96.5, "percent", "rate", "exact"), ("92.15%", 92.15, "percent", "rate", "exact"),
      ("18.600 triệu đồng", 18.6e9, "vnd", "amount", "exact"),
      ("54.2%", 54.2, "percent", "target_achievement", "exact")]),
    # a commune's plan: targets listed under a heading, whatever their unit
    ("III. CHỈ TIÊU CHỦ YẾU NĂM 2025\n- Tổng giá trị sản xuất tăng 9% trở lên;\n"
     "- Thu nhập bình quân đầu người đạt 68 triệu đồng;\n- Giảm 15 hộ nghèo;\n"
     "- Tỷ lệ lao động đã qua đào tạo nghề đạt 72%.",
     [("9%", 9, "percent", "target", "at_least"), ("68 triệu đồng", 68e6, "vnd", "target", "exact"),
      ("15", 15, "count", "target", "exact"), ("72%", 72, "percent", "target", "exact")]),
    # a district news item: dateline, place tag, photo credit, view counter
    ("Thứ Ba, 12/03/2024 - 15:20\nHuyện Krông Pắc tổng kết công tác dân số\n(Krông Pắc) - Năm 2023, "
     "toàn huyện có 1.845 trẻ được sinh ra, tỷ suất sinh thô 14,6‰, giảm 0,4‰ so với năm 2022.\n"
     "Ảnh: Hoàng Hà\nLượt xem: 1.532",
     [("1.845", 1845, "count", "count", "exact"), ("14,6‰", 14.6, "per_mille", "rate", "exact"),
      ("0,4‰", 0.4, "per_mille", "change", "exact")]),
    # a table flattened into tab-separated lines: row numbers are no facts
    ("1\tSố hộ nghèo\t37 hộ\n2\tTỷ lệ hộ nghèo\t1,12%\n3\tThu ngân sách\t4.250 triệu đồng\n"
     "4\tSố trẻ được tiêm chủng đầy đủ\t412",
     [("37", 37, "count", "count", "exact"), ("1,12%", 1.12, "percent", "rate", "exact"),
      ("4.250 triệu đồng", 4.25e9, "vnd", "amount", "exact"), ("412", 412, "count", "count", "exact")]),
    # numbers in words that count
    ("Toàn xã có hai mươi lăm tổ tự quản; bảy hộ được hỗ trợ xây nhà, ba trường đạt chuẩn quốc gia.",
     [("hai mươi lăm", 25, "count", "count", "exact"), ("bảy", 7, "count", "count", "exact"),
      ("ba", 3, "count", "count", "exact")]),
    # transitions, ranges in a plan sentence and in a measure, money from and to
    ("Tỷ lệ hộ nghèo giảm từ 2,8% xuống 1,9%; phấn đấu mỗi năm giảm từ 0,5 đến 0,7%. "
     "Diện tích lúa 120–125 ha. Thu nhập bình quân tăng từ 52 triệu đồng lên 61 triệu đồng/người/năm.",
     [("2,8%", 2.8, "percent", "rate", "exact"), ("1,9%", 1.9, "percent", "rate", "exact"),
      ("0,5", 0.5, "percent", "target", "at_least"), ("0,7%", 0.7, "percent", "target", "at_most"),
      ("120", 120, "ha", "measure", "at_least"), ("125 ha", 125, "ha", "measure", "at_most"),
      ("52 triệu đồng", 52e6, "vnd", "amount", "exact"), ("61 triệu đồng", 61e6, "vnd", "amount", "exact")]),
    # an excess over the plan keeps its unit; nearly and more than
    ("Kết nạp được 32 đảng viên, vượt 7 đảng viên so với kế hoạch; thu quỹ đạt gần 1,2 tỷ đồng, "
     "hơn 300 hộ đóng góp.",
     [("32", 32, "count", "count", "exact"), ("7", 7, "count", "target_achievement", "exact"),
      ("1,2 tỷ đồng", 1.2e9, "vnd", "amount", "approx"), ("300", 300, "count", "count", "at_least")]),
    # an estimate, a level against the same period, a count closing a "số ..." clause
    ("Tổng vốn đầu tư toàn xã hội ước đạt 1.520 tỷ đồng, bằng 108,3% so với cùng kỳ; "
     "số doanh nghiệp thành lập mới 46, tăng 9 doanh nghiệp.",
     [("1.520 tỷ đồng", 1.52e12, "vnd", "amount", "approx"), ("108,3%", 108.3, "percent", "change", "exact"),
      ("46", 46, "count", "count", "exact"), ("9", 9, "count", "change", "exact")]),
    # a southern portal: city dateline, a ward by number, a fraction with its rate
    ("TP.HCM - Ngày 5/9, UBND Phường 7 (Quận 8) tổng kết phong trào. Có 3.126/3.200 hộ đạt chuẩn "
     "văn hóa (97.69%); 100% khu phố đạt chuẩn.",
     [("3.126/3.200", 3126, "count", "fraction", "exact"), ("97.69%", 97.69, "percent", "rate", "exact"),
      ("100%", 100, "percent", "rate", "exact")]),
    # money written every way a commune's report does
    ("Tổng thu ngân sách xã 12.345.678.000 đồng, chi 9,8 tỷ đồng; hỗ trợ 45 suất quà, mỗi suất 600.000đ.",
     [("12.345.678.000 đồng", 12345678000, "vnd", "amount", "exact"),
      ("9,8 tỷ đồng", 9.8e9, "vnd", "amount", "exact"), ("45", 45, "count", "count", "exact"),
      ("600.000đ", 600000, "vnd", "amount", "exact")]),
]


@pytest.mark.parametrize("text, expected", EXCERPTS, ids=[e[0][:40] for e in EXCERPTS])
def test_excerpts_in_other_sites_styles(text, expected):
    got = [(f["raw"], f["value"], f["unit"], f["kind"], f["qualifier"])
           for f in extract_facts(normalize_text(text), "x")]
    assert [g[0] for g in got] == [e[0] for e in expected], got
    for g, e in zip(got, expected):
        assert g[2:] == e[2:], (g, e)
        assert g[1] == pytest.approx(e[1], rel=1e-9), (g, e)


# --------------------------------------------------------------------------
# Provenance: offsets, quote, sentence, section; the schema
# --------------------------------------------------------------------------


@pytest.mark.parametrize("i", range(len(PHRASINGS)))
def test_offsets_quotes_and_sentences_point_into_the_text_of_each_phrasing(i):
    check_provenance(f"p{i}", normalize_text(PHRASINGS[i][0]))


# --------------------------------------------------------------------------
# The matching rule (analysis.evaluate), as the gold test applies it
# --------------------------------------------------------------------------

def _fact(raw, value, unit="count", num=None, den=None, start=0, kind="count", qualifier="exact"):
    return {"doc_id": "d", "raw": raw, "value": value, "unit": unit, "numerator": num,
            "denominator": den, "start": start, "end": start + len(raw), "kind": kind,
            "qualifier": qualifier, "sentence": "", "quote": raw}


def _gold(quote, value, unit="count", num=None, den=None, optional=False, kind="count"):
    return {"doc": "d", "quote": quote, "value": value, "unit": unit, "numerator": num,
            "denominator": den, "optional": optional, "kind": kind, "qualifier": "exact"}


def test_matching_rule_units_values_fractions_and_optional_gold():
    text = "có 16/16 tổ, 6 quy chế dân chủ, 36 tin và 36 tin nữa, 12.877.755.000 đồng"
    ext = [
        _fact("16/16", 16, num=16, den=16, start=3),
        _fact("6", 6, start=13),                                   # optional in gold: ignored
        _fact("36", 36, start=32),
        _fact("36", 36, start=42),                                 # gold has it once: a false positive
        _fact("12.877.755.000 đồng", 12877755000.000002, unit="vnd", start=54, kind="amount"),
    ]
    gold = [
        _gold("16/16 tổ", 16, num=16, den=16, kind="fraction"),   # kind differs
        _gold("6 quy chế dân chủ", 6, optional=True),
        _gold("36 tin và", 36),
        _gold("12.877.755.000 đồng", 12877755000, unit="vnd", kind="amount"),
        _gold("36 tin", 36, unit="percent"),                       # unit differs: missed
    ]
    s = score(ext, gold, {"d": text})
    assert (s.n_matched, s.n_false_positives, s.n_missed) == (3, 1, 1)
    assert [e["start"] for e in s.false_positives] == [42]         # the nearest occurrence matched
    assert s.misses[0]["unit"] == "percent"
    assert s.kind_agreement == pytest.approx(2 / 3)
    assert s.precision == pytest.approx(3 / 4) and s.recall == pytest.approx(3 / 4)
    assert [g["quote"] for _, g in match_facts(pd.DataFrame(ext), gold, {"d": text}).optional_pairs] \
        == ["6 quy chế dân chủ"]


# --------------------------------------------------------------------------
# The rules tables
# --------------------------------------------------------------------------

RULE_TABLES = ["units", "multipliers", "count_words", "nonfacts", "qualifiers", "kinds", "connectors",
               "transparent", "counted_words", "plan_cues", "number_words", "number_word_nouns"]


@pytest.mark.parametrize("name", RULE_TABLES)
def test_every_rule_says_where_it_is_seen(name):
    rows = read_rules(name)
    assert rows and all(r["note"] for r in rows)


def test_rules_compile_and_a_broken_table_is_named(tmp_path):
    assert load_rules().scan.pattern
    (tmp_path / "units.csv").write_text("surface,unit,factor,not_before,note\nkg,kg,1,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"units\.csv:2: rule without a note"):
        read_rules("units", folder=tmp_path)
    (tmp_path / "units.csv").write_text("surface,unit,factor,not_before,note\nkg,kg,1,,a,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"units\.csv:2: 6 field\(s\) where the header has 5"):
        read_rules("units", folder=tmp_path)


def test_the_same_words_after_a_count_and_after_a_percentage_are_read_for_each():
    # after a count the words name what is counted; after a percentage "kế
    # hoạch" names the plan, and what is measured stands before the number,
    # in whichever order the two appear
    count = "phường đã xây dựng 12 kế hoạch phòng chống dịch"
    percent = "tỷ lệ tiêm chủng đạt 95% kế hoạch phòng chống dịch"
    count_first = f"{count.capitalize()}; {percent}."
    percent_first = f"{percent.capitalize()}; {count}."
    for text in (count_first, percent_first):
        counted = {f["raw"]: f["counted"] for f in extract_facts(text, "d")}
        assert counted == {"12": "kế hoạch phòng chống dịch", "95%": "tiêm chủng"}


# --------------------------------------------------------------------------
# Values and sentences as the fast paths read them
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, numeral, factor", [
    ("97,95%", "97,95", 1),
    ("120.14%", "120.14", 1),
    ("0.553 ha", "0.553", 1),
    ("0,35 tỷ đồng", "0,35", 10**9),
    ("2,5 triệu đồng", "2,5", 10**6),
    ("1,25 nghìn tỷ đồng", "1,25", 10**12),
    ("3,5 tạ", "3,5", 100),
    ("12.877.755,5 đồng", "12.877.755,5", 1),
    ("1.553 triệu đồng", "1.553", 10**6),
    ("0,1234567890123456789012345678 tỷ đồng", "0,1234567890123456789012345678", 10**9),
])
def test_a_decimal_is_read_as_its_exact_value_times_its_unit(raw, numeral, factor):
    # one rounding, from the exact decimal to the nearest float, whatever the
    # decimal mark, the grouping or the multiplier
    facts = extract_facts(f"Kết quả đạt {raw} trong năm.", "d")
    assert [f["raw"] for f in facts] == [raw]
    assert facts[0]["value"] == float(parse_decimal(numeral) * Decimal(factor))


def test_a_year_is_told_from_a_count_of_the_same_digits():
    facts = extract_facts("Năm 2023 phường có 2023 hộ gia đình, tăng 15 hộ so với năm 2022.", "d")
    assert [(f["raw"], f["value"]) for f in facts] == [("2023", 2023.0), ("15", 15.0)]


@pytest.mark.parametrize("text, sentences", [
    ("Có 36 tin. Đạt 97,95%.", ["Có 36 tin.", "Đạt 97,95%."]),
    ("Có 36 tin.  Đạt 97,95%.", ["Có 36 tin.", "Đạt 97,95%."]),
    ("Có 36 tin.\tĐạt 97,95%.", ["Có 36 tin.", "Đạt 97,95%."]),
    ("Có 36 tin. \t“Đạt” 97,95%.", ["Có 36 tin.", "“Đạt” 97,95%."]),
    ("Có 36 tin. 12 tin mới.", ["Có 36 tin.", "12 tin mới."]),
    ("Có 36 tin. tăng 5%.", ["Có 36 tin. tăng 5%."]),  # a lower-case (ASCII) letter goes on
    ("Có 36 tin. ", ["Có 36 tin."]),
    ("Có 36 tin! (Đạt) 5%… Ước 7%? Xong", ["Có 36 tin!", "(Đạt) 5%…", "Ước 7%?", "Xong"]),
])
def test_a_sentence_ends_at_a_mark_before_spaces_and_a_capital_digit_quote_or_bracket(text, sentences):
    assert [s.text for s in split_sentences(text)] == sentences
    facts = extract_facts(text, "d")
    assert all(f["sentence"] in sentences for f in facts)
