"""Report metadata read from the text: each phrasing the readers know, on short texts of our own.

The five bundled reports against gold are ``tests/gold/test_metadata_gold.py``;
period codes are ``tests/unit/test_periods.py``.
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.metadata import (
    RuleTableError,
    parse_period,
    read_doc_kind,
    read_metadata,
    read_period,
    read_programs,
    read_published,
    read_title,
    read_unit,
    report_period,
)
from analysis.rules import read_rules

# --------------------------------------------------------------------------- periods of a text

@pytest.mark.parametrize("title,body,published,expected", [
    ("Kết quả 6 tháng đầu năm 2021 của phường Thạch Bàn", "", None, "2021-H1"),
    ("Sơ kết 06 tháng đầu năm 2022", "", None, "2022-H1"),
    ("Kết quả sáu tháng đầu năm 2023", "", None, "2023-H1"),
    ("Sơ kết 6 tháng năm 2022", "", None, "2022-H1"),
    ("Nhìn lại nửa đầu năm 2023", "", None, "2023-H1"),
    ("Phương hướng 6 tháng cuối năm 2019", "", None, "2019-H2"),
    ("Kết quả 9 tháng năm 2019", "", None, "2019-9M"),
    ("Kết quả chín tháng đầu năm 2018", "", None, "2018-9M"),
    ("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021", "", None, "2021-Q4"),
    ("Kết quả công tác quý I/2022", "", None, "2022-Q1"),
    ("Kết quả Quý IV năm 2021", "", None, "2021-Q4"),
    ("Sơ kết quý 3/2020", "", None, "2020-Q3"),
    ("Kết quả quý II năm 2023", "", None, "2023-Q2"),
    ("Kết quả 3 tháng đầu năm 2024", "", None, "2024-Q1"),
    ("Kết quả công tác xây dựng Đảng phường Cự Khối năm 2018", "", None, "2018-FY"),
    ("Tổng kết cả năm 2019", "", None, "2019-FY"),
    # the title speaks before the body
    ("Kết quả 6 tháng đầu năm 2021", "Trong 6 tháng cuối năm 2021 sẽ tập trung ...", None, "2021-H1"),
    # no period in the title: the body's sub-year phrase, its year from the text
    ("Phường Phúc Đồng quyết tâm về đích", "Năm 2020 là năm quan trọng. Năm 2020, thu ngân sách "
     "9 tháng đầu năm đã đạt 208%.", None, "2020-9M"),
    # ... or from the publication stamp when the text names no year
    (None, "Thu ngân sách 9 tháng đầu năm đã đạt 208%.", "2020-09-13", "2020-9M"),
    (None, "Kết quả 6 tháng cuối năm đạt nhiều chỉ tiêu.", "2020-01-10", "2019-H2"),
    # years that are not the period: comparisons, what is left, school years
    (None, "Năm 2018 đạt 91,4%, tăng 0,9% so với năm 2017; so với cùng kỳ năm 2017 ... so với năm 2017",
     None, "2018-FY"),
    (None, "Năm 2020 đạt nhiều kết quả; trong 3 tháng còn lại của năm 2020 cần ...", None, "2020-FY"),
    (None, "Năm học 2021-2022 đạt kết quả tốt. Kết quả năm 2022.", None, "2022-FY"),
    (None, "Phường tổ chức hội nghị.", None, None),
    ("Báo cáo kết quả 9 tháng", "Trong 9 tháng, thu ngân sách đạt 80% dự toán.", "2021-10-12", "2021-9M"),
    (None, "Trong 6 tháng, phường đã tổ chức 12 đợt ra quân.", "2022-07-08", "2022-H1"),
    (None, "Thời hạn thi công 6 tháng kể từ ngày khởi công.", "2022-07-08", None),
    # a news page with no title: its first sentence is the headline
    (None, "date 2020-03 Trong năm 2019, UBND Q.3 giải quyết 12.400 hồ sơ. Năm 2017 chỉ có 9.000.", None, "2019-FY"),
    (None, "Trong 9 tháng đầu năm 2016, UBND phường thu ngân sách được 7 tỷ đồng.", None, "2016-9M"),
    # the results of a year named once in the body
    ("Phong trào văn hóa ở khu dân cư", "Kết quả bình xét năm 2022, toàn phường có 3.100 hộ văn hóa.", None, "2022-FY"),
    # one year named once in passing is not the period; said again, or as 'cuối năm', it is
    ("Ngành y tế huyện khá toàn diện", "Năm 2021, dịch bệnh ảnh hưởng nhiều mặt. Huyện có 20 trạm y tế.", None, None),
    # ... but a news lead that opens with the year and states a figure gives the year's results
    ("Xã Đông Hòa giữ vững chuẩn nông thôn mới", "Thứ Hai, 09/01/2023 10:20\n\nNăm 2022, xã Đông Hòa có "
     "96% hộ đạt danh hiệu gia đình văn hóa. Xã tiếp tục ...", None, "2022-FY"),
    ("Xã An Bình trao quà Tết", "Năm 2019, xã đã trao 200 suất quà cho hộ nghèo.", "2019-01-20", None),
    ("Huyện phấn đấu giảm hộ nghèo", "Năm 2022, huyện phấn đấu giảm 300 hộ nghèo. Đến cuối năm, tỷ lệ còn 3%.",
     None, "2022-FY"),
    # next year's tasks in the title, the summing-up of the past year in the body
    ("Xã Tân Hòa triển khai nhiệm vụ năm 2024", "Hội nghị tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024.",
     None, "2023-FY"),
    ("Phường Hòa Bình triển khai nhiệm vụ năm 2024", "Phường giao chỉ tiêu cho các khu phố.", None, "2024-FY"),
    ("Phương hướng nhiệm vụ năm 2024 của phường An Lạc", "Năm 2023, phường đạt nhiều kết quả. Năm 2024 tiếp tục ...",
     None, "2024-FY"),
    # a half without its year takes the year of the other half the headline names
    ("Sơ kết 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2023", "Phường đạt 60% dự toán.", None, "2023-H1"),
    # a plan's headline over the half-year results it starts from
    ("Phương hướng, nhiệm vụ năm 2019 của phường Yên Hòa", "Trong 6 tháng đầu năm 2018, phường đã ...", None,
     "2019-FY"),
    # 'năm qua' with the publication date
    ("Huyện ủy kết nạp đảng viên mới", "Năm qua, Huyện ủy chỉ đạo sát sao.", "2023-01-08", "2022-FY"),
    ("Huyện ủy kết nạp đảng viên mới", "Năm qua, Huyện ủy chỉ đạo sát sao.", "2022-12-20", "2022-FY"),
    ("Huyện ủy kết nạp đảng viên mới", "Những năm qua, Huyện ủy chỉ đạo sát sao.", "2023-01-08", None),
    # odd cut-offs, odd month counts, horizons, spans and joined periods: no period
    ("Kỳ họp HĐND phường", "Năm 2022, phường hoàn thành chỉ tiêu. Tính đến ngày 15-11, thu ngân sách đạt 30 tỷ đồng.",
     None, None),
    ("Sơ kết 6 tháng đầu năm 2022", "Trong 4 tháng đầu năm 2022, phường đã kiểm tra 200 cơ sở.", None, None),
    # a cut-off far down a long report qualifies one figure, not the report's period
    ("Báo cáo kết quả năm 2022 của xã Hòa Phong", "Năm 2022, xã hoàn thành 15/16 chỉ tiêu. "
     + "Công tác xây dựng Đảng được chú trọng, các đoàn thể hoạt động hiệu quả. " * 20
     + "Riêng trong 4 tháng đầu năm 2022, xã đã tiêm 3.000 liều vắc xin.", None, "2022-FY"),
    ("Kết quả 6 tháng đầu năm 2022", "Tính đến ngày 30/6, thu ngân sách đạt 60%.", None, "2022-H1"),
    (None, "Tính đến tháng 6/2018, toàn quận có 1.200 hộ kinh doanh.", None, "2018-H1"),
    (None, "Tính đến tháng 5/2018, toàn quận có 1.200 hộ kinh doanh.", None, None),
    ("Các chỉ tiêu chủ yếu", "Phấn đấu đến năm 2030 tỷ lệ hộ nghèo dưới 1%; đến năm 2030 đạt 100%.", None, None),
    (None, "Từ đầu năm 2022 đến nay, Công an thành phố triệt phá 30 vụ án.", None, None),
    (None, "Từ cuối năm 2018 đến tháng 8-2021, qua kiểm tra 900 cơ sở.", None, None),
    ("Kết luận thanh tra năm 2019 và 06 tháng đầu năm 2020 tại phường An Lạc", "", None, None),
    ("Kết quả 5 năm 2016-2020 thực hiện Nghị quyết của phường Hòa Bình", "", None, None),
    # dates, seasons, rounds and years in parentheses are not the period
    (None, "Sáng ngày 12 tháng 6 năm 2019, huyện tổ chức ngày hội hiến máu đợt 2 năm 2019 mùa hè năm 2019.",
     None, None),
    ("Giảm nghèo bền vững", "Tỷ lệ hộ nghèo giảm từ 4,1% (năm 2017) xuống 2,2% (năm 2020).", None, None),
    ("Công tác giảm nghèo", "Hộ nghèo năm 2021 là 120 hộ, giảm 40 hộ so với hộ nghèo năm 2020. Trong năm 2021 ...",
     None, "2021-FY"),
])
def test_read_period(title, body, published, expected):
    text = "\n".join(x for x in (title, body) if x)
    assert read_period(text, title, published) == expected


def test_period_of_a_whole_report_without_title():
    assert read_metadata("Nội dung: năm 2019 đã thực hiện ...")["period"] == "2019-FY"
    assert read_metadata("Không có kỳ báo cáo")["period"] is None


# --------------------------------------------------------------------------- stamp and title

@pytest.mark.parametrize("text,expected", [
    ("Kết quả ...\nNgày đăng 16/07/2021 | 09:14  | Lượt xem: 643", "2021-07-16"),
    ("Ngày đăng: 9/1/2019", "2019-01-09"),
    ("Đăng ngày: 05-08-2022 14:31", "2022-08-05"),
    ("Ngày xuất bản 13.09.2020", "2020-09-13"),
    ("Ngày cập nhật: ngày 5 tháng 8 năm 2022", "2022-08-05"),
    ("QUẬN THANH XUÂN QUYẾT TÂM ... 3 THÁNG CUỐI NĂM 2021", None),
    ("Ngày 16/07/2021 phường tổ chức hội nghị", None),          # a date, but no stamp
    ("Ngày đăng 31/02/2021 | 09:14", None),                      # no such day
    # the forms news sites use
    (" date 2021-03-05 Năm 2020, phường đạt nhiều kết quả", "2021-03-05"),
    (" date 2021-03 Năm 2020, phường đạt nhiều kết quả", None),   # a month is not a date
    ("Quận tổ chức hội nghị (08:15 03/04/2020)\n\nSáng nay, quận tổ chức ...", "2020-04-03"),
    ("Phường đạt chuẩn văn minh đô thị\n15/09/2021, 10:30\n\nSáng nay ...", "2021-09-15"),
    ("Huyện hoàn thành chỉ tiêu\nThứ năm, 25/12/2025 08:15\n\nHuyện đã ...", "2025-12-25"),
    ("Huyện hoàn thành chỉ tiêu\nMinh Anh 14:05, 03/02/2022\n\nHuyện đã ...", "2022-02-03"),
    ("Huyện hoàn thành chỉ tiêu\nCập nhật, 07:40, Thứ Hai, 10/05/2021 (GMT+7)\n\nHuyện đã ...", "2021-05-10"),
    ("Thông báo 12 Tháng Tám 2019 9:05:00 SA\nKết luận thanh tra tại phường", "2019-08-12"),
    # the page's own date above the title, the article's stamp below it: the earlier
    ("Thứ Ba, 01/10/2024 10:00 SA\nXã đạt chuẩn nông thôn mới\nThứ Sáu, 07/05/2021 07:00 SA\n\nXã ...",
     "2021-05-07"),
    ("Phường đạt chuẩn văn minh đô thị\nCập nhật ngày 15/09/2022\n\nSáng nay ...", "2022-09-15"),
    ("Phường đạt chuẩn văn minh đô thị\n15/09/2022 | 10:30 | Lượt xem: 120\n\nSáng nay ...", "2022-09-15"),
    ("Phường đạt chuẩn văn minh đô thị\n2021-09-15 10:30\n\nSáng nay ...", "2021-09-15"),
    # a date in running text is not a stamp
    ("Phường giao chỉ tiêu năm 2024\n\nSáng ngày 03/01/2024, UBND phường tổ chức hội nghị giao chỉ tiêu.", None),
])
def test_read_published(text, expected):
    assert read_published(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("các bài viết chuyên sâu\n\nKết quả công tác năm 2018 phường Cự Khối\nNgày đăng 09/01/2019 | 09:07",
     "Kết quả công tác năm 2018 phường Cự Khối"),
    ("CÔNG TÁC ĐẢNG\n\nĐánh giá kết quả 6 tháng đầu năm 2022 của Quận ủy Cầu Giấy\nNgày đăng 05/08/2022",
     "Đánh giá kết quả 6 tháng đầu năm 2022 của Quận ủy Cầu Giấy"),
    ("Thông kê truy cập\nTHANH XUÂN XANH SẠCH ĐẸP\nQUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ NĂM 2021\n"
     "Trước tình hình ...", "QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ NĂM 2021"),
    ("Trang chủ\nPhường Phúc Đồng quyết tâm hoàn thành chỉ tiêu về đích.\nNgày đăng 13/09/2020",
     "Phường Phúc Đồng quyết tâm hoàn thành chỉ tiêu về đích"),
    ("", None),
    # the site's banner is never the title
    ("Cổng thông tin điện tử huyện Đông Anh\nXã Uy Nỗ đạt chuẩn nông thôn mới kiểu mẫu\n\nNgày 5/9, UBND huyện ...",
     "Xã Uy Nỗ đạt chuẩn nông thôn mới kiểu mẫu"),
    # a stamp in parentheses at the end of the headline is not part of it; nor is a dateline
    ("Phương án nhập xã của huyện Kiến Xương (09:56 12/11/2019)\n\nHĐND huyện ...",
     "Phương án nhập xã của huyện Kiến Xương"),
    (" date 2023-02 Năm 2022, phường Lam Sơn cấp mới 400 thẻ bảo hiểm y tế\n\nChiều 10-2, ...",
     "Năm 2022, phường Lam Sơn cấp mới 400 thẻ bảo hiểm y tế"),
])
def test_read_title(text, expected):
    assert read_title(text) == expected


# --------------------------------------------------------------------------- plan or results

@pytest.mark.parametrize("title,body,period,published,expected", [
    ("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021",
     "Phấn đấu thu ngân sách năm 2021 đạt kế hoạch. Tập trung thực hiện ... Tiếp tục triển khai ...",
     "2021-Q4", None, "plan"),
    ("Kế hoạch thực hiện nhiệm vụ năm 2023", "Phường sẽ tổ chức ... dự kiến ... phấn đấu ...",
     "2023-FY", None, "plan"),
    ("Phương hướng nhiệm vụ 6 tháng cuối năm 2022", "Tiếp tục đẩy mạnh ... tăng cường ...", "2022-H2",
     None, "plan"),
    ("Kết quả công tác năm 2018", "Đã kết nạp 11 đảng viên mới. Kết quả có 193 đảng viên học tập, đạt 93%.",
     "2018-FY", "2019-01-09", "results"),
    ("Sơ kết 6 tháng đầu năm 2022", "Đã khám chữa bệnh cho 12.747 lượt người, đạt 57,9% kế hoạch.",
     "2022-H1", "2022-08-05", "results"),
    (None, "Phường đã hoàn thành 8/8 chỉ tiêu, thu ngân sách đạt 120%.", None, None, "results"),
    # published before the period begins: a plan, whatever its words
    ("Kết quả dự kiến năm 2023", "Đã đạt ...", "2023-FY", "2022-12-20", "plan"),
    # what comes after the period (the report's outlook) does not make it a plan
    ("Năm 2022, huyện Yên Dũng giải quyết việc làm cho 2.500 lao động",
     "Năm 2022 huyện đã tạo việc làm cho 2.500 lao động, đạt 104% kế hoạch. Năm 2023, huyện phấn đấu "
     "giải quyết việc làm cho 2.600 lao động, tiếp tục đẩy mạnh đào tạo nghề.", "2022-FY", None, "results"),
    ("Huyện Thanh Trì: 6 tháng đầu năm 2022 phạt 35 cơ sở vi phạm",
     "Trong 6 tháng đầu năm 2022, huyện đã kiểm tra 410 cơ sở. 6 tháng cuối năm, huyện tiếp tục tăng cường kiểm tra, "
     "phấn đấu ...", "2022-H1", None, "results"),
    # told after its period ended: results, whatever its words
    ("Phường X tiếp tục phấn đấu", "Phấn đấu ... tiếp tục ... sẽ ...", "2021-FY", "2022-01-10", "results"),
    # plans and resolutions that set targets
    ("Xã An Phú giao chỉ tiêu kế hoạch năm 2025 cho các thôn", "Năm 2024 xã đã hoàn thành 12/20 chỉ tiêu.",
     None, None, "plan"),
    (None, "Mục tiêu tổng quát: xây dựng xã giàu đẹp. Chỉ tiêu chủ yếu đến năm 2030: tỷ lệ hộ nghèo dưới 1%; "
     "100% đường thôn được cứng hóa.", None, None, "plan"),
    ("Phương án sắp xếp đơn vị hành chính cấp xã của huyện Đông Hưng", "Cử tri đồng thuận với chủ trương nhập xã; "
     "sau khi sắp xếp huyện còn 20 xã.", None, None, "plan"),
    # a report on the units after a reorganisation is results; the reorganisation to come is a plan
    ("Kết quả một năm sau sắp xếp đơn vị hành chính cấp xã", "Sau sắp xếp, huyện còn 14 xã. Các xã mới đã "
     "ổn định tổ chức, thu ngân sách đạt 120% dự toán, kết nạp 40 đảng viên.", None, None, "results"),
    ("Xã Tân Phong tổng kết năm 2025", "Năm 2025 là năm đầu tiên sau khi sắp xếp, xã đã hoàn thành 15/16 chỉ "
     "tiêu, thu ngân sách đạt 30 tỷ đồng.", None, None, "results"),
    ("Phương án sắp xếp đơn vị hành chính cấp xã", "Sau khi sắp xếp, huyện sẽ còn 12 xã.", None, None, "plan"),
    # 'đạt 110% kế hoạch' in a title is a result, not a plan
    ("Huyện Yên Lạc kết nạp đảng viên đạt 110% kế hoạch", "Huyện đã kết nạp 300 đảng viên, đạt 110% kế hoạch.",
     None, None, "results"),
])
def test_read_doc_kind(title, body, period, published, expected):
    text = "\n".join(x for x in (title, body) if x)
    assert read_doc_kind(text, title, period, published) == expected


# --------------------------------------------------------------------------- units

@pytest.mark.parametrize("title,body,expected", [
    # a ward named in the title wins over the district committee it also names
    ("Kết quả thực hiện Chương trình số 02-CTr/QU của Quận ủy Long Biên 6 tháng đầu năm 2021 "
     "trên địa bàn phường Thạch Bàn", "",
     ("Thạch Bàn", "ward", "Long Biên", "Hà Nội")),
    # a district in capitals
    ("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021",
     "Chỉ đạo 03 phường: Nhân Chính, Thanh Xuân Bắc ... phường Thanh Xuân Nam",
     ("Thanh Xuân", "district", None, "Hà Nội")),
    ("QUẬN HAI BÀ TRƯNG TỔ CHỨC HỘI NGHỊ", "", ("Hai Bà Trưng", "district", None, "Hà Nội")),
    # the district committee names the district
    ("Đánh giá kết quả 6 tháng đầu năm 2022 thực hiện Chương trình số 04-CTr/QU của Quận ủy Cầu Giấy",
     "phường Nghĩa Đô, phường Nghĩa Tân, quận Cầu Giấy", ("Cầu Giấy", "district", None, "Hà Nội")),
    # a ward in capitals, its district from the table of Hà Nội wards
    ("PHƯỜNG NGỌC THỤY ĐẨY MẠNH PHONG TRÀO THI ĐUA", "", ("Ngọc Thụy", "ward", "Long Biên", "Hà Nội")),
    # a ward name two provinces share (Hà Nội, Hà Giang), the text naming neither: no parent, no city
    ("Phường Ngọc Hà tổ chức hội nghị tổng kết", "", ("Ngọc Hà", "ward", None, None)),
    ("Phường Ngọc Hà tổ chức hội nghị tổng kết", "phường Ngọc Hà, quận Ba Đình",
     ("Ngọc Hà", "ward", "Ba Đình", "Hà Nội")),
    # a ward name two districts share: the text decides, else no parent
    ("Kết quả của phường Minh Khai", "UBND quận Hai Bà Trưng chỉ đạo phường Minh Khai",
     ("Minh Khai", "ward", "Hai Bà Trưng", "Hà Nội")),
    ("Kết quả của phường Minh Khai", "Quận ủy Bắc Từ Liêm chỉ đạo", ("Minh Khai", "ward", "Bắc Từ Liêm", "Hà Nội")),
    ("Kết quả của phường Minh Khai", "", ("Minh Khai", "ward", None, None)),
    # a ward the table does not know: its district from the text
    ("Phường Hồng Hà ra mắt mô hình mới", "quận Hoàn Kiếm ... quận Hoàn Kiếm",
     ("Hồng Hà", "ward", "Hoàn Kiếm", "Hà Nội")),
    # communes and towns
    ("UBND xã Đông Dư tổng kết năm 2019", "Xã Đông Dư thuộc huyện Gia Lâm",
     ("Đông Dư", "commune", "Gia Lâm", "Hà Nội")),
    ("Đảng ủy thị trấn Trâu Quỳ sơ kết 6 tháng", "thị trấn Trâu Quỳ, huyện Gia Lâm",
     ("Trâu Quỳ", "commune", "Gia Lâm", "Hà Nội")),
    # no title: the unit the body names most ('xã hội' is not a commune)
    (None, "Kinh tế - xã hội của phường Phúc Lợi tiếp tục phát triển. Phường Phúc Lợi đã ... quận Long Biên",
     ("Phúc Lợi", "ward", "Long Biên", "Hà Nội")),
    (None, "Báo cáo không nêu đơn vị nào.", (None, None, None, None)),
    # the province of a unit whose name is unique in the country, never a default
    ("Huyện Chư Prông kết nạp 300 đảng viên", "", ("Chư Prông", "district", None, "Gia Lai")),
    ("Xã Đông Dư tổng kết năm 2019", "", ("Đông Dư", "commune", "Gia Lâm", "Hà Nội")),
    ("Kết quả của phường Quang Trung", "", ("Quang Trung", "ward", None, None)),
    # ... unless the text writes the name of one of the provinces that have it
    ("Kết quả của phường Quang Trung", "Sở Văn hóa Hà Nội công nhận phường Quang Trung đạt chuẩn.",
     ("Quang Trung", "ward", None, "Hà Nội")),
    # a district or city a headline names without a unit word; its level from the body
    ("Tam Đảo: 95% hộ dân tham gia bảo hiểm y tế", "UBND huyện Tam Đảo cho biết ...",
     ("Tam Đảo", "district", None, "Vĩnh Phúc")),
    ("Mộc Châu kết nạp đảng viên đạt kế hoạch", "Huyện ủy Mộc Châu chỉ đạo ...",
     ("Mộc Châu", "district", None, "Sơn La")),
    ("Quảng Trị phấn đấu giảm hộ nghèo", "thị xã Quảng Trị có 300 hộ nghèo; thị xã Quảng Trị ...",
     ("Quảng Trị", "district", None, "Quảng Trị")),
    ("TP.HCM: Kiểm tra 2.000 cơ sở thực phẩm", "", ("Hồ Chí Minh", "city", None, "Thành phố Hồ Chí Minh")),
    # provincial cities and towns are district level; their province from the gazetteer
    (None, "UBND thị xã Hương Thủy tổ chức hội nghị. Thị xã Hương Thủy đạt ...",
     ("Hương Thủy", "district", None, "Thừa Thiên Huế")),          # the province before 2025
    (None, "Năm 2025, UBND phường Thủy Xuân tổ chức hội nghị; năm 2025 phường ...", ("Thủy Xuân", "ward", None, "Huế")),
    (None, "UBND TX.Bình Long trao 60 suất học bổng", ("Bình Long", "district", None, "Bình Phước")),
    # the same letters before an office are titles, not places: acting (Q.), deputy (P.), head of office (TP.)
    ("Xã Tân Lập tổng kết năm 2022", "Đồng chí Lê Văn An, Q. Chủ tịch UBND huyện dự hội nghị. "
     "P. Chủ tịch UBND xã Tân Lập báo cáo.", ("Tân Lập", "commune", None, None)),
    (None, "Ông Nguyễn Văn Bình, Q.Chủ tịch UBND phường trình bày; P.Giám đốc Sở Nội vụ dự. "
     "Bà Lê T. Hoa, TP. Tổ chức - Hành chính. UBND phường đạt 9 chỉ tiêu.", (None, "ward", None, None)),
    (None, "Năm 2018, UBND Q.5 tiếp nhận 1.000 hồ sơ. Công an Q.5 ...", ("Quận 5", "district", None,
                                                                         "Thành phố Hồ Chí Minh")),
    # the unit word tells two district-level units of one name apart (a thị xã in Hà Nội, a huyện elsewhere)
    (None, "Sáu tháng đầu năm 2024, thị xã Sơn Tây có 120 doanh nghiệp mới", ("Sơn Tây", "district", None, "Hà Nội")),
    (None, "Sáu tháng đầu năm 2024, huyện Sơn Tây có 12 doanh nghiệp mới", ("Sơn Tây", "district", None, "Quảng Ngãi")),
    # the district written beside the ward is its parent
    ("Kết luận thanh tra tại phường Tân Thuận Đông, Quận 7", "phường Tân Thuận Đông, Quận 7",
     ("Tân Thuận Đông", "ward", "Quận 7", "Thành phố Hồ Chí Minh")),
    ("Năm 2022, thu ngân sách phường Trần Hưng Đạo đạt 6 tỷ đồng",
     "Đảng ủy phường Trần Hưng Đạo (thành phố Thái Bình) tổng kết năm 2022",
     ("Trần Hưng Đạo", "ward", "Thái Bình", "Thái Bình")),
    # two units named as often, no title naming one: no name, their level
    (None, "* UBND huyện Đức Trọng cấp 300 giấy chứng nhận.\n* Huyện Lâm Hà còn 900 hộ nghèo.",
     (None, "district", None, "Lâm Đồng")),
    # a district that names two of its communes as often as itself is the report's unit
    (None, "UBND huyện Lâm Hà chỉ đạo xã Đạ Đờn và xã Phúc Thọ thực hiện chương trình.",
     ("Lâm Hà", "district", None, "Lâm Đồng")),
    # a city that names many of its wards once each
    (None, "Sau sắp xếp, TPHCM có 168 phường, xã. Phường Bến Thành mới rộng 2km2; phường Sài Gòn mới ... ở TPHCM",
     ("Hồ Chí Minh", "city", None, "Thành phố Hồ Chí Minh")),
    # numbered wards and districts: in lower case only as the subject ('UBND phường 5') or beside a ward
    (None, "Năm 2019, UBND phường 5, quận 3 giải quyết 3.000 hồ sơ. UBND phường 5 ...",
     ("Phường 5", "ward", "Quận 3", "Thành phố Hồ Chí Minh")),
    (None, "Phường mới được lập từ phường 5 và phường 7; TPHCM có 168 phường, xã. TPHCM ...",
     ("Hồ Chí Minh", "city", None, "Thành phố Hồ Chí Minh")),
    # a report that never names its unit still gives its level
    (None, "Trong 9 tháng đầu năm, UBND phường thu ngân sách đạt 91%; UBND phường đã tổ chức 8 đợt ra quân.",
     (None, "ward", None, None)),
    (None, "Công an thành phố triệt phá 40 vụ án; các xã, phường phối hợp với Công an thành phố.",
     (None, "district", None, None)),
    # photo captions and the site's address are not the report's units
    ("Xã Tân Lập đạt chuẩn nông thôn mới", "Toàn cảnh hội nghị xã Tân Lập. Ảnh: Huyện Đoan Hùng\n"
     "Tòa soạn: 15 Nguyễn Huệ, phường 2, TP Vĩnh Yên, tỉnh Vĩnh Phúc", ("Tân Lập", "commune", None, None)),
])
def test_read_unit(title, body, expected):
    text = "\n".join(x for x in (title, body) if x)
    got = read_unit(text, title)
    assert (got["unit_name"], got["unit_level"], got["parent"], got["city"]) == expected


@pytest.mark.parametrize("text,expected", [
    # after the reform of 1 July 2025 wards and communes have no parent district
    (" date 2025-12-20 Năm 2025, phường Thanh Miếu hoàn thành chỉ tiêu", ("Thanh Miếu", "ward", None, "Phú Thọ")),
    ("Năm 2024, phường Thanh Miếu hoàn thành chỉ tiêu", ("Thanh Miếu", "ward", "Việt Trì", "Phú Thọ")),
    (" date 2025-12-20 Năm 2025, phường Bến Thành (TPHCM) đạt nhiều kết quả",
     ("Bến Thành", "ward", None, "Thành phố Hồ Chí Minh")),
    # the units are those of the period: a first half of 2025 still had districts
    (" date 2025-07-20 Sáu tháng đầu năm 2025, phường Thanh Miếu hoàn thành chỉ tiêu",
     ("Thanh Miếu", "ward", "Việt Trì", "Phú Thọ")),
    # a province merged in 2025 is named as the one it became part of
    (" date 2026-01-05 Năm 2025, phường Tứ Minh đạt nhiều kết quả; năm 2025 phường ...",
     ("Tứ Minh", "ward", None, "Hải Phòng")),
    ("Năm 2024, phường Tứ Minh đạt nhiều kết quả", ("Tứ Minh", "ward", "Hải Dương", "Hải Dương")),
])
def test_units_after_the_2025_reform_have_no_parent_district(text, expected):
    got = read_metadata(text)
    assert (got["unit_name"], got["unit_level"], got["parent"], got["city"]) == expected


def test_unit_of_a_report_in_another_city():
    got = read_unit("Phường Bến Nghé tổng kết năm 2022\nphường Bến Nghé, Thành phố Hồ Chí Minh")
    assert (got["unit_name"], got["unit_level"], got["city"]) == ("Bến Nghé", "ward", "Thành phố Hồ Chí Minh")


# --------------------------------------------------------------------------- programmes

@pytest.mark.parametrize("text,expected", [
    ("thực hiện Chương trình số 02-CTr/QU của Quận ủy ... Chương trình 02-CTr/QU", ["02-CTr/QU"]),
    ("Chương trình số 01-CTr/QU, 03-CTr/QU và 02-CTr/QU", ["01-CTr/QU", "02-CTr/QU", "03-CTr/QU"]),
    ("Chương trình 3-ctr/qu; Chương trình số 04 - CTr/QU", ["03-CTr/QU", "04-CTr/QU"]),
    ("Chương trình số 06-CTr/TU của Thành ủy", ["06-CTr/TU"]),
    ("Kế hoạch số 12-KH/QU; Đề án số 02-ĐA/QU; Chỉ thị 05-CT/TW; NQ 04/NQ-HĐND", []),
    ("", []),
])
def test_read_programs(text, expected):
    assert read_programs(text) == expected


# --------------------------------------------------------------------------- tables

def _rows(name):
    return read_rules(name, notes=False)


def test_hanoi_tables_are_consistent():
    wards, districts = _rows("hanoi_wards"), _rows("hanoi_districts")
    names = {d["district"] for d in districts}
    assert len(wards) >= 150 and len(districts) == 30
    assert {w["district"] for w in wards} <= names
    assert len({(w["ward"], w["district"]) for w in wards}) == len(wards)
    for unit in ("Thạch Bàn", "Phúc Đồng", "Cự Khối"):
        assert any(w["ward"] == unit and w["district"] == "Long Biên" for w in wards)
    assert sum(w["district"] == "Thanh Xuân" for w in wards) == 11  # 'tại 11 phường' (Thanh Xuân 2021)
    assert sum(w["district"] == "Cầu Giấy" for w in wards) == 8     # '8/8 phường' (Cầu Giấy 2022)


def test_period_phrases_table_is_well_formed():
    rows = _rows("metadata_periods")
    codes = {r["code"] for r in rows}
    assert codes <= {"-", "FY", "FY+", "FY-", "H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M",
                     "odd", "cutoff", "cutoff-month", "same", "past"}
    assert {"FY", "H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M"} <= codes
    assert all(r["note"] for r in rows)


def test_a_malformed_period_phrase_is_named_by_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "metadata_periods.csv").write_text(
        "pattern,code,note\n# the halves\n6 tháng đầu năm,H1,first half\nquý (I,Q1,an unclosed group\n",
        encoding="utf-8")
    monkeypatch.setattr(report_period, "read_rules",
                        lambda name, columns=(), **kw: read_rules(name, columns, folder=tmp_path, **kw))
    report_period.period_rules.cache_clear()
    try:
        with pytest.raises(RuleTableError, match=r"metadata_periods\.csv:4: bad pattern 'quý \(I' .* — fix the"):
            report_period.period_rules()
    finally:
        report_period.period_rules.cache_clear()


# --------------------------------------------------------------------------- any text

_WORDS = st.sampled_from([
    "phường", "Phường", "quận", "QUẬN", "Quận ủy", "xã", "huyện", "Thạch", "Bàn", "THANH", "XUÂN",
    "6 tháng đầu năm", "9 tháng đầu năm", "quý", "IV", "I/", "năm", "2021", "2018", "3 tháng cuối năm",
    "Ngày đăng", "16/07/2021", "31/02/2021", "|", ":", ",", ".", "\n", "đã", "đạt", "phấn đấu", "sẽ",
    "02-CTr/QU", "12-KH/QU", "-", "/", "(", ")", "so với năm", "Lượt xem", "9", "ủy", "Cự Khối",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, max_size=40).map(" ".join))
def test_any_text_gives_well_formed_metadata(text):
    got = read_metadata(text, "x")
    assert got["doc_kind"] in ("plan", "results")
    assert got["unit_level"] in (None, "ward", "commune", "district", "city")
    if got["period"] is not None:
        assert parse_period(got["period"])[2] == got["period_months"]
    if got["published"] is not None:
        date.fromisoformat(got["published"])
    assert got["programs"] == sorted(set(got["programs"]))
