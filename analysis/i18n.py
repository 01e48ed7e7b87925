"""Every label the charts, notebooks and dashboards show, in Vietnamese and English.

The table :data:`LABELS` maps a key to its Vietnamese and English text;
:func:`t` looks one up. Vietnamese is the default. Indicator names come from the
indicator catalogue (:func:`indicator_name`), period names from
:func:`analysis.periods.period_label`.
"""
from __future__ import annotations

import unicodedata

import pandas as pd

from . import catalog
from .periods import period_label
from .theme import DEFAULT_LANG, check_lang

__all__ = ["LABELS", "t", "indicator_name", "indicator_info", "topic_name",
           "period_name", "label_table", "vietnamese_sort_key"]

#: key -> (Vietnamese, English). Placeholders in braces are filled by :func:`t`.
LABELS: dict[str, tuple[str, str]] = {
    # The app
    "app.title": ("Kết quả công tác của phường, quận", "Ward and district results"),
    "app.intro": (
        "Chọn đơn vị, kỳ báo cáo và chủ đề để xem chỉ tiêu nào đã đạt, đơn vị "
        "mình đứng ở đâu so với các đơn vị khác, và đọc câu gốc trong báo cáo của "
        "từng con số.",
        "Choose a unit, a reporting period and a topic to see which targets were "
        "met, where the unit stands among the others, and the report sentence "
        "behind each number."),
    "app.source": ("Nguồn: báo cáo của các phường, quận đăng trên cổng thông tin.",
                   "Source: ward and district reports published on their portals."),
    "app.loading": ("Đang mở các nút chọn đơn vị, kỳ báo cáo và chủ đề…",
                    "Loading the choices of unit, period and topic…"),
    "control.unit": ("Đơn vị", "Unit"),
    "control.period": ("Kỳ báo cáo", "Period"),
    "control.topic": ("Chủ đề", "Topic"),
    "control.indicator": ("Chỉ tiêu", "Indicator"),
    "lang.vi": ("Tiếng Việt", "Tiếng Việt"),
    "lang.en": ("English", "English"),
    "period.latest": ("Kỳ gần nhất của đơn vị", "The unit's latest period"),
    "topic.all": ("Tất cả chủ đề", "All topics"),
    "view.scorecard": ("Kết quả của đơn vị", "The unit's results"),
    "view.compare": ("So sánh các đơn vị", "Units compared"),
    "section.scorecard": ("Kết quả so với chỉ tiêu đề ra", "Results against targets"),
    "section.compare": ("So sánh các đơn vị", "Units compared"),
    "section.trend": ("Qua các kỳ báo cáo", "Across reporting periods"),
    "section.facts": ("Số liệu và câu gốc trong báo cáo", "Figures and their source sentences"),
    "summary.report": ("{unit} · {period} · {kind}, đăng ngày {published}",
                       "{unit} · {period} · {kind}, published {published}"),
    "summary.report_nodate": ("{unit} · {period} · {kind}", "{unit} · {period} · {kind}"),
    "summary.counts": ("{n_obs} số liệu chỉ tiêu; {n_targets} chỉ tiêu có đối chiếu: "
                       "{exceeded} vượt, {met} đạt, {missed} không đạt",
                       "{n_obs} indicator figures; {n_targets} targets checked: "
                       "{exceeded} exceeded, {met} met, {missed} missed"),
    "count.units": ("{n} đơn vị", "{n} units"),
    "note.annualised": ("Số liệu cộng dồn của các kỳ dài ngắn khác nhau đã được quy đổi ra cả năm.",
                        "Counts and amounts of periods of different lengths are annualised."),
    "note.levels": ("So sánh cả đơn vị khác cấp ({levels}).",
                    "Units of different levels are compared ({levels})."),
    "note.periods": ("Mỗi đơn vị lấy kỳ báo cáo gần nhất của mình, nên các kỳ không trùng nhau "
                     "(xem tên kỳ bên cạnh tên đơn vị).",
                     "Each unit is shown at its own latest period, so the periods differ "
                     "(see the period beside each unit)."),
    "note.conflict": ("Báo cáo của {units} nêu chỉ tiêu này hai lần với giá trị khác nhau; biểu đồ "
                      "dùng một giá trị, cả hai có trong bảng số liệu.",
                      "The report of {units} states this indicator twice with different values; "
                      "the chart shows one, the table of figures both."),
    # Empty states
    "empty.no_report": ("Chưa có báo cáo cho kỳ này", "No report for this period yet"),
    "empty.no_report_detail": ("{unit} chưa có báo cáo {period}. Các kỳ đã có: {periods}.",
                               "{unit} has no report for {period}. Periods available: {periods}."),
    "empty.no_report_any": ("{unit} chưa có báo cáo nào trong dữ liệu.",
                            "{unit} has no report in the data yet."),
    "empty.no_targets": ("Báo cáo kỳ này không nêu chỉ tiêu nào để đối chiếu",
                         "This report states no targets to check against"),
    "empty.no_facts": ("Báo cáo kỳ này chưa có số liệu về chủ đề này",
                       "This report gives no figures on this topic"),
    "empty.no_indicator": ("Chưa có chỉ tiêu nào để so sánh cho chủ đề này",
                           "No indicator to compare for this topic"),
    "empty.no_compare": ("Chưa có đơn vị nào báo cáo chỉ tiêu này",
                         "No unit reports this indicator yet"),
    "empty.no_trend": ("{unit} chưa báo cáo chỉ tiêu này", "{unit} does not report this indicator"),
    "empty.no_data": ("Chưa có dữ liệu đã xử lý. Chạy lệnh `make build` rồi tải lại trang.",
                      "No processed data yet. Run `make build`, then reload the page."),
    "empty.audit_clean": ("Không phát hiện số liệu nào vênh nhau", "Nothing fails to add up"),
    "error.view": ("Không hiển thị được phần này ({what}). Hãy chọn lại, hoặc báo cho "
                   "cán bộ phụ trách dữ liệu.",
                   "This part could not be shown ({what}). Choose again, or tell the "
                   "data officer."),
    # The analysts' review app (analysis.review)
    "review.title": ("Xem lại số liệu trích từ báo cáo", "Review the figures read from the reports"),
    "review.intro": (
        "Những con số đáng ngờ nhất hiện trước: chưa gắn chỉ tiêu, gắn chỉ tiêu theo dấu hiệu yếu, "
        "một chỉ tiêu nêu hai lần khác nhau, số liệu không khớp khi đối chiếu, thông tin báo cáo "
        "chưa chắc chắn. Mỗi quyết định được ghi vào tệp sửa chữa; lần dựng dữ liệu sau (make build) "
        "sẽ áp dụng.",
        "The most doubtful figures come first: no indicator, an indicator given on a weak cue, an "
        "indicator stated twice differently, figures that do not add up, report details in doubt. "
        "Each decision is written to the corrections file; the next build (make build) applies it."),
    "review.control.report": ("Báo cáo", "Report"),
    "review.control.show": ("Hiện", "Show"),
    "review.control.search": ("Tìm", "Find"),
    "review.control.search_hint": ("con số hoặc từ trong câu", "a number or words of the sentence"),
    "review.control.reviewer": ("Người xem lại", "Reviewer"),
    "review.report.all": ("Tất cả báo cáo của kỳ", "Every report of the period"),
    "review.period.none": ("Chưa rõ kỳ báo cáo", "Period not known"),
    "review.show.doubtful": ("Số liệu cần xem lại", "Doubtful figures"),
    "review.show.unreviewed": ("Số liệu chưa xem lại", "Figures not yet reviewed"),
    "review.show.all": ("Tất cả số liệu", "Every figure"),
    "review.doubt.no_indicator": ("Chưa gắn chỉ tiêu", "No indicator"),
    "review.doubt.weak_cue": ("Gắn chỉ tiêu theo dấu hiệu yếu", "Indicator given on a weak cue"),
    "review.doubt.conflict": ("Chỉ tiêu nêu hai lần, giá trị khác nhau",
                              "Indicator stated twice, differently"),
    "review.doubt.audit": ("Không khớp khi đối chiếu", "Does not add up"),
    "review.doubt.metadata": ("Thông tin báo cáo chưa chắc chắn", "The report's details are in doubt"),
    "review.field.kind": ("Loại số liệu", "Kind"),
    "review.field.qualifier": ("Mức độ", "Qualifier"),
    "review.field.unit": ("Đơn vị đo", "Unit of measure"),
    "review.field.why": ("Vì sao gắn chỉ tiêu này", "Why this indicator"),
    "review.field.unit_name": ("Tên đơn vị", "Unit name"),
    "review.field.published": ("Ngày đăng", "Published"),
    "review.why.none": ("không có dấu hiệu nào khớp", "no cue matched"),
    "review.why.cue": ("theo cụm từ «{cue}»", "from the phrase «{cue}»"),
    "review.why.heading": ("theo cụm từ «{cue}» ở đề mục, không ở câu này",
                           "from the phrase «{cue}» in the heading, not in this sentence"),
    "review.why.far": ("theo cụm từ «{cue}» ở xa con số, ngoài vế câu của nó",
                       "from the phrase «{cue}», away from the number, outside its clause"),
    "review.kind.count": ("số đếm", "count"),
    "review.kind.amount": ("số tiền", "amount"),
    "review.kind.measure": ("số đo", "measure"),
    "review.kind.fraction": ("phân số", "fraction"),
    "review.kind.rate": ("tỷ lệ", "rate"),
    "review.kind.target_achievement": ("% so với chỉ tiêu", "% of target"),
    "review.kind.change": ("mức tăng, giảm", "change"),
    "review.kind.target": ("chỉ tiêu đề ra", "target"),
    "review.qualifier.exact": ("đúng bằng", "exactly"),
    "review.qualifier.approx": ("khoảng, gần", "about"),
    "review.qualifier.at_least": ("trên, hơn, ít nhất", "over, at least"),
    "review.qualifier.at_most": ("dưới, nhiều nhất", "under, at most"),
    "review.button.confirm": ("Đúng", "Right"),
    "review.button.reject": ("Không phải số liệu", "Not a figure"),
    "review.button.edit": ("Sửa…", "Correct…"),
    "review.button.save": ("Lưu", "Save"),
    "review.button.cancel": ("Thôi", "Cancel"),
    "review.button.prev": ("‹ Trước", "‹ Previous"),
    "review.button.next": ("Sau ›", "Next ›"),
    "review.button.save_report": ("Lưu thông tin báo cáo", "Save the report's details"),
    "review.form.field": ("Sửa mục", "Field"),
    "review.form.value": ("Giá trị đúng", "Right value"),
    "review.form.note": ("Ghi chú", "Note"),
    "review.form.value_hint": ("dấu chấm cho phần thập phân: 97.95", "a dot for decimals: 97.95"),
    "review.form.period_hint": ("ví dụ 2021-H1, 2020-9M, 2018-FY", "e.g. 2021-H1, 2020-9M, 2018-FY"),
    "review.no_indicator_choice": ("(không gắn chỉ tiêu)", "(no indicator)"),
    "review.saved": ("Đã ghi vào {file}: {what}. Lần dựng dữ liệu sau (make build) sẽ áp dụng.",
                     "Saved to {file}: {what}. The next build (make build) applies it."),
    "review.decided.confirm": ("Đã xác nhận", "Confirmed"),
    "review.decided.reject": ("Đã loại", "Rejected"),
    "review.decided.set": ("Đã sửa {field}: {value}", "Set {field}: {value}"),
    "review.status.confirmed": ("Đã xác nhận trong lần dựng này", "Confirmed in this build"),
    "review.status.corrected": ("Đã sửa trong lần dựng này", "Corrected in this build"),
    "review.counts": ("{n} số liệu; {doubtful} cần xem lại; {reviewed} đã xem lại",
                      "{n} figures; {doubtful} doubtful; {reviewed} reviewed"),
    "review.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "review.report.heading": ("Thông tin báo cáo", "The report's details"),
    "review.report.missing": ("Chưa đọc được: {fields}", "Could not be read: {fields}"),
    "review.report.early": ("Ngày đăng trước khi kỳ báo cáo bắt đầu",
                            "Published before its period began"),
    "review.report.pick": ("Chọn một báo cáo để sửa thông tin của nó.",
                           "Choose a report to correct its details."),
    "review.empty": ("Không có số liệu nào khớp lựa chọn này", "No figure matches this choice"),
    "review.error.save": ("Chưa ghi được: {problem}", "Not saved: {problem}"),
    # Trend statements
    "trend.one_point": ("Mới có số liệu của một kỳ ({period}); cần ít nhất {min} kỳ để tính xu hướng.",
                        "Only one period so far ({period}); at least {min} are needed for a trend."),
    "trend.few_points": ("{n} kỳ: {listed}; {word} {amount}; cần ít nhất {min} kỳ để tính xu hướng.",
                         "{n} periods: {listed}; {word} {amount}; at least {min} periods are needed "
                         "for a trend."),
    "trend.none": ("Chưa có số liệu {ind} của {unit}.", "No figures for {ind} in {unit}."),
    "trend.theil_sen": ("Xu hướng {word} {slope}{per} mỗi năm (Theil–Sen, {n} kỳ; khoảng tin cậy 95%: "
                        "{low} đến {high}).",
                        "Trend {word} {slope}{per} a year (Theil–Sen, {n} periods; 95% interval: "
                        "{low} to {high})."),
    "trend.word_up": ("tăng", "up"),
    "trend.word_down": ("giảm", "down"),
    "trend.word_unchanged": ("không đổi", "unchanged"),
    "trend.word_flat": ("đi ngang", "flat"),
    "trend.slope": ("Xu hướng (Theil–Sen): {slope} mỗi năm.", "Trend (Theil–Sen): {slope} a year."),
    # Statuses and judgements
    "status.exceeded": ("Vượt chỉ tiêu", "Exceeded"),
    "status.met": ("Đạt chỉ tiêu", "Met"),
    "status.missed": ("Không đạt", "Missed"),
    "status.progress": ("Tiến độ so với kế hoạch năm", "Progress toward the year's plan"),
    "summary.progress": ("{n} chỉ tiêu mới là tiến độ so với kế hoạch cả năm (không tính là không đạt)",
                         "{n} target(s) are progress toward the whole year's plan (not counted as missed)"),
    "status.unknown": ("Chưa đối chiếu được", "Not checkable"),
    "scorecard.stated": ("theo lời báo cáo", "as the report says"),
    "scorecard.target": ("chỉ tiêu {target}", "target {target}"),
    "status.plan": ("Kế hoạch, chưa có kết quả", "Planned, no result yet"),
    "assess.better": ("Tốt hơn mức trung bình", "Better than the mean"),
    "assess.worse": ("Kém hơn mức trung bình", "Worse than the mean"),
    "assess.none": ("Không đánh giá hơn kém", "No better/worse judgement"),
    "check.fraction_percent": ("Phân số so với tỷ lệ nêu bên cạnh",
                               "A fraction against the percentage beside it"),
    "check.fraction_target": ("Kết quả so với chỉ tiêu và tỷ lệ đạt",
                              "A result against its target and stated achievement"),
    "check.restatement": ("Một chỉ tiêu nêu nhiều lần", "An indicator stated more than once"),
    "check.stated_result": ("Lời báo cáo so với số liệu", "The report's words against its figures"),
    "audit.ok": ("Khớp", "Adds up"),
    "audit.mismatch": ("Không khớp", "Does not add up"),
    "audit.conflict": ("Nêu hai giá trị khác nhau", "Stated twice, differently"),
    # Fields (axis titles, tooltips, table headers)
    "field.unit_name": ("Đơn vị", "Unit"),
    "field.period": ("Kỳ báo cáo", "Period"),
    "field.indicator": ("Chỉ tiêu", "Indicator"),
    "field.value": ("Giá trị", "Value"),
    "field.raw": ("Báo cáo ghi", "As the report wrote it"),
    "field.quote": ("Câu gốc", "Source sentence"),
    "field.doc_id": ("Báo cáo", "Report"),
    "field.target": ("Chỉ tiêu đề ra", "Target"),
    "field.status": ("Kết quả", "Result"),
    "field.progress": ("% so với chỉ tiêu", "% of target"),
    "field.rank": ("Thứ hạng", "Rank"),
    "field.diff_from_mean": ("Chênh lệch so với trung bình các đơn vị còn lại",
                             "Difference from the mean of the other units"),
    "field.assessment": ("Đánh giá", "Assessment"),
    "field.n_facts": ("Số liệu trích được", "Figures extracted"),
    "field.doc_kind": ("Loại báo cáo", "Kind of report"),
    "field.unit_level": ("Cấp", "Level"),
    "field.check": ("Nội dung kiểm tra", "Check"),
    "field.detail": ("Chi tiết", "Detail"),
    "field.position": ("Vị trí trong báo cáo", "Place in the report"),
    "chart.mean": ("Trung bình", "Mean"),
    "chart.target": ("Chỉ tiêu", "Target"),
    "chart.full_target": ("100% chỉ tiêu", "100% of target"),
    "chart.latest": ("kỳ gần nhất của mỗi đơn vị", "each unit's latest period"),
    # Chart titles
    "title.compare_sub": ("So sánh các đơn vị, {period}", "Units compared, {period}"),
    "chart.shortlist": ("Hiển thị {shown} trong {total} đơn vị: {k} đơn vị đứng đầu, {k} đơn vị "
                        "đứng cuối và đơn vị đang chọn (số thứ tự là hạng)",
                        "{shown} of {total} units shown: the first {k}, the last {k} and the unit "
                        "chosen (numbers are ranks)"),
    "title.trend": ("{indicator}: {unit} qua các kỳ", "{indicator}: {unit} across periods"),
    "title.scorecard": ("{unit}, {period}: kết quả so với chỉ tiêu",
                        "{unit}, {period}: results against targets"),
    "title.scorecard_sub": ("Thanh vượt qua vạch 100% là vượt chỉ tiêu; ô vuông: báo cáo chỉ "
                            "nêu kết quả bằng lời",
                            "A bar past the 100% line exceeded its target; a square: the "
                            "report gives the result in words only"),
    "title.coverage": ("Báo cáo đã có theo đơn vị và kỳ", "Reports by unit and period"),
    "title.coverage_sub": ("Số trong ô: số liệu trích được từ báo cáo",
                           "Number in each cell: figures extracted from the report"),
    "title.audit": ("Kiểm tra tính nhất quán của số liệu", "Consistency checks"),
    "title.audit_sub": ("Phân số so với tỷ lệ nêu bên cạnh, kết quả so với chỉ tiêu, số liệu nêu hai lần",
                        "Fractions against stated percentages, results against targets, restatements"),
    # Periods (used only until analysis.periods.period_label answers)
    "period.FY": ("Năm {year}", "Year {year}"),
    "period.H1": ("6 tháng đầu năm {year}", "First half of {year}"),
    "period.H2": ("6 tháng cuối năm {year}", "Second half of {year}"),
    "period.9M": ("9 tháng đầu năm {year}", "First nine months of {year}"),
    "period.Q1": ("Quý I năm {year}", "Q1 {year}"),
    "period.Q2": ("Quý II năm {year}", "Q2 {year}"),
    "period.Q3": ("Quý III năm {year}", "Q3 {year}"),
    "period.Q4": ("3 tháng cuối năm {year}", "Last quarter of {year}"),
    # Report kinds, levels
    "kind.results": ("báo cáo kết quả", "results report"),
    "kind.plan": ("kế hoạch", "plan"),
    "level.ward": ("Phường", "Ward"),
    "level.district": ("Quận", "District"),
    "level.commune": ("Xã", "Commune"),
    "level.city": ("Thành phố", "City"),
    # Topics of the indicator catalogue
    "topic.culture": ("Văn hóa", "Culture"),
    "topic.health": ("Y tế", "Health"),
    "topic.education": ("Giáo dục", "Education"),
    "topic.economy": ("Kinh tế, ngân sách", "Economy and budget"),
    "topic.social": ("An sinh xã hội", "Social welfare"),
    "topic.security": ("An ninh, trật tự", "Security and order"),
    "topic.party": ("Xây dựng Đảng", "Party building"),
    "topic.admin": ("Cải cách hành chính", "Administration"),
    "topic.urban": ("Đô thị, đất đai", "Urban affairs and land"),
    "topic.overall": ("Tổng hợp", "Overall"),
    "topic.other": ("Khác", "Other"),
    # The leaders' app: sources, reader, downloads, colours, programmes, reform
    "view.programmes": ("Chương trình", "Programmes"),
    "control.programme": ("Chương trình", "Programme"),
    "section.programme": ("Các đơn vị báo cáo về chương trình", "Units that report on the programme"),
    "section.compare_table": ("Số liệu so sánh và câu gốc", "The figures compared and their sentences"),
    "section.reader": ("Văn bản báo cáo", "The report's text"),
    "empty.no_programme": ("Chưa có báo cáo nào nêu một chương trình", "No report cites a programme yet"),
    "source.open": ("Mở báo cáo tại câu này", "Open the report at this sentence"),
    "source.excerpt": ("(trích các đoạn có số liệu; toàn văn ở thẻ «Kết quả của đơn vị»)",
                       "(the paragraphs with figures; the whole text in «The unit's results»)"),
    "source.report": ("{title}, đăng ngày {published}", "{title}, published {published}"),
    "reader.hint": ("Bấm «Mở báo cáo tại câu này» bên một số liệu để đọc câu đó trong toàn văn.",
                    "Click «Open the report at this sentence» beside a figure to read it in the "
                    "full text."),
    "field.sentence": ("Câu trong báo cáo", "Sentence in the report"),
    "field.report_title": ("Tên báo cáo", "Report title"),
    "field.published": ("Ngày đăng", "Published"),
    "field.qualifier": ("Mức độ theo lời báo cáo", "Qualifier as written"),
    "field.programme": ("Chương trình", "Programme"),
    "field.colour": ("Màu", "Colour"),
    "field.other_values": ("Giá trị khác báo cáo nêu", "Other values the report states"),
    "download.label": ("Tải về:", "Download:"),
    "download.csv": ("Bảng (CSV)", "Table (CSV)"),
    "download.xlsx": ("Bảng (Excel)", "Table (Excel)"),
    "download.png": ("Biểu đồ (PNG)", "Chart (PNG)"),
    "download.svg": ("Biểu đồ (SVG)", "Chart (SVG)"),
    "compare.one_unit": ("Chỉ có {unit} nêu chỉ tiêu này ({period}): {value}. Cần ít nhất hai "
                         "đơn vị để so sánh.",
                         "Only {unit} states this indicator ({period}): {value}. At least two "
                         "units are needed for a comparison."),
    "note.colour_target": ("Màu: kết quả của mỗi đơn vị so với chỉ tiêu của chính đơn vị (vượt, "
                           "đạt, không đạt), như ở phần kết quả của đơn vị; xám: báo cáo không "
                           "nêu chỉ tiêu.",
                           "Colour: each unit's result against its own target (exceeded, met, "
                           "missed), as in the unit's results; grey: the report states no target."),
    "note.colour_band": ("Từ {n} đơn vị trở lên, đơn vị không có chỉ tiêu riêng được tô theo "
                         "nhóm thứ hạng (một phần ba đứng đầu, giữa, cuối).",
                         "With {n} units or more, a unit with no target of its own is coloured "
                         "by its rank band (top, middle or bottom third)."),
    "note.colour_none": ("Dưới {n} đơn vị: không so hơn kém với mức trung bình.",
                         "Fewer than {n} units: no better/worse against the mean."),
    "note.stated_twice_more": ("{n} đơn vị khác cũng nêu nhiều giá trị; biểu đồ dùng giá trị lớn nhất "
                               "của mỗi đơn vị.",
                               "{n} other units also state more than one value; the chart uses the "
                               "largest of each."),
    "note.stated_twice": ("{unit}: báo cáo nêu {n} giá trị ({shown}; {others}); biểu đồ dùng {shown}"
                          " — giá trị lớn nhất, là tổng hoặc phạm vi rộng hơn.",
                          "{unit}: the report states {n} values ({shown}; {others}); the chart "
                          "uses {shown}, the largest, being the total or the wider scope."),
    "note.duplicate": ("Có {n} báo cáo của {unit} cho kỳ {period} ({titles}): số liệu của chúng "
                       "được hiển thị cùng nhau; hãy kiểm tra.",
                       "{n} reports of {unit} for {period} ({titles}): their figures are shown "
                       "together; check them."),
    "note.reform_gone": ("{unit} không còn từ ngày 1/7/2025 (sắp xếp đơn vị hành chính). Nay thuộc: "
                         "{successors}.",
                         "{unit} no longer exists from 1 July 2025 (reform of administrative "
                         "units). Its area now lies in: {successors}."),
    "reform.exact": ("cộng dồn được chính xác", "a roll-up would be exact"),
    "reform.partial": ("chỉ một phần: cộng dồn sẽ không chính xác",
                       "in part only: a roll-up would be partial"),
    "note.data_updated": ("Dữ liệu vừa được dựng lại; trang đã đọc bản mới.",
                          "The data was rebuilt; the page has read the new tables."),
    "band.top": ("Nhóm đầu", "Top third"),
    "band.middle": ("Nhóm giữa", "Middle third"),
    "band.bottom": ("Nhóm cuối", "Bottom third"),
    "band.none": ("Không có chỉ tiêu để đối chiếu", "No target to check against"),
    "unit.points": ("điểm %", "pp"),
    "unit.points_mille": ("điểm ‰", "‰ points"),
    "qualifier.approx": ("khoảng", "about"),
    "qualifier.at_least": ("ít nhất", "at least"),
    "qualifier.at_most": ("nhiều nhất", "at most"),
    "qualifier.exact": ("đúng", "exact"),
    "note.twice_short": ("báo cáo nêu {n} lần", "stated {n} times"),
    "empty.trend_lengths": ("Số liệu cộng dồn của các kỳ dài ngắn khác nhau không nối thành một "
                            "chuỗi; xem từng kỳ ở phần kết quả của đơn vị.",
                            "Counts and amounts of periods of different lengths are not joined "
                            "into one series; see each period in the unit's results."),
    # Sentences of the comparisons (analysis.compare, analysis.reconcile)
    "compare.flow_lengths": (
        "{ind} là chỉ tiêu cộng dồn theo kỳ (số lượng, số tiền): không so sánh được giữa các kỳ "
        "dài khác nhau ({lengths}); hãy chọn một kỳ hoặc dùng annualise=True",
        "{ind} is a flow (a count or amount that grows with the period): periods of different "
        "lengths ({lengths}) are not compared; choose one period or pass annualise=True"),
    "compare.months": ("{n} tháng", "{n} months"),
    "compare.annualised": ("quy đổi ra cả năm: giá trị × 12 / {months} tháng",
                           "annualised: value × 12 / {months} months"),
    "compare.periods_differ": ("các kỳ khác nhau ({periods}); {ind} là tỷ lệ/mức nên vẫn so sánh được",
                               "periods differ ({periods}); {ind} is a stock (a rate or level), so they "
                               "still compare"),
    "compare.levels_differ": ("so sánh đơn vị khác cấp ({levels})",
                              "units of different levels compared ({levels})"),
    "compare.conflict": ("báo cáo nêu hai giá trị khác nhau: {others}",
                         "the report states other values: {others}"),
    "compare.several": ("báo cáo nêu {n} giá trị: {values}", "the report states {n} values: {values}"),
    "compare.plan": ("kế hoạch: chỉ tiêu đặt ra, chưa có kết quả", "plan: a target set, no result yet"),
    "compare.reform": ("chuỗi số liệu đi qua ngày 1/7/2025 (sắp xếp đơn vị hành chính): trước và sau "
                       "là hai địa bàn khác nhau, không nối liền và không tính xu hướng chung",
                       "the series crosses 1 July 2025 (the reform of administrative units): before "
                       "and after are different territories, not joined and given no common trend"),
    "compare.flow_total": ("báo cáo nêu {n} giá trị ({best}; {others}); hiển thị giá trị lớn nhất, "
                           "là tổng hoặc phạm vi rộng hơn",
                           "the report states {n} values ({best}; {others}); the largest is shown, "
                           "being the total or the wider scope"),
    "compare.other_lengths": ("chỉ so sánh các kỳ {months} tháng; không hiển thị: {units}",
                              "only {months}-month periods compared; not shown: {units}"),
    "compare.different_indicators": ("không cùng chỉ tiêu: {a} và {b}",
                                     "not the same indicator: {a} and {b}"),
    "compare.different_periods": ("không cùng loại kỳ: {a} và {b}",
                                  "not the same kind of period: {a} and {b}"),
    "compare.different_levels": ("đơn vị khác cấp: {a} và {b}", "units of different levels: {a} and {b}"),
    "compare.allow": ("dùng {option}=True nếu vẫn muốn so sánh",
                      "pass {option}=True to compare them anyway"),
    "compare.stated_mismatch": ("báo cáo ghi '{phrase}' nhưng số liệu cho thấy {status}",
                                "the report says '{phrase}' but the figures show {status}"),
    "compare.points_percent": ("điểm phần trăm", "percentage points"),
    "compare.points_mille": ("điểm phần nghìn", "per-mille points"),
    "compare.proportions": ("{a}% ({unit_a}, {period_a}) − {b}% ({unit_b}, {period_b}) = {d} {points}; "
                            "khoảng tin cậy {pct}%: {low} đến {high}; Fisher p {fisher}",
                            "{a}% ({unit_a}, {period_a}) − {b}% ({unit_b}, {period_b}) = {d} {points}; "
                            "{pct}% interval {low} to {high}; Fisher p {fisher}"),
    "audit.fraction_detail": ("{raw} = {expected} → báo cáo ghi {stated} {mark}",
                              "{raw} = {expected} → stated {stated} {mark}"),
    "list.and_more": ("{names} và {n} đơn vị khác", "{names} and {n} other units"),
    "note.other_lengths": ("Số liệu cộng dồn chỉ so sánh giữa các kỳ cùng độ dài: ở đây các kỳ "
                           "{months} tháng, như báo cáo ghi, không quy đổi. Không hiển thị: {units}.",
                           "Counts and amounts are compared only over periods of the same length: "
                           "here {months}-month periods, as stated, not annualised. Not shown: "
                           "{units}."),
}


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """Return the label of ``key`` in ``lang``, with ``{placeholders}`` filled.

    Examples
    --------
    >>> t("empty.no_report")
    'Chưa có báo cáo cho kỳ này'
    >>> t("empty.no_report", "en")
    'No report for this period yet'
    >>> t("trend.one_point", "vi", period="6 tháng đầu năm 2021", min=3)
    'Mới có số liệu của một kỳ (6 tháng đầu năm 2021); cần ít nhất 3 kỳ để tính xu hướng.'
    >>> t("no.such.key")
    Traceback (most recent call last):
    ...
    KeyError: "no label 'no.such.key' in analysis.i18n.LABELS"
    """
    lang = check_lang(lang)
    try:
        text = LABELS[key][0 if lang == "vi" else 1]
    except KeyError:
        raise KeyError(f"no label {key!r} in analysis.i18n.LABELS") from None
    return text.format(**values) if values else text


def label_table():
    """All labels as a frame with columns ``key``, ``vi``, ``en`` (for review).

    Examples
    --------
    >>> table = label_table()
    >>> table.set_index("key").loc["status.met", "vi"]
    'Đạt chỉ tiêu'
    """
    return pd.DataFrame([(k, v[0], v[1]) for k, v in LABELS.items()],
                        columns=["key", "vi", "en"])


def _catalog_record(indicator_id) -> dict:
    """Return the catalogue row of an indicator; empty when unknown or the catalogue is unreadable."""
    try:
        return catalog.indicator_info(indicator_id)
    except (KeyError, catalog.CatalogError):  # the catalogue is optional for labels: ids still show
        return {}


def indicator_info(indicator_id: str) -> dict:
    """Return the catalogue entry of an indicator as a dict (empty if unknown).

    Examples
    --------
    >>> indicator_info("no_such_indicator")
    {}
    """
    return _catalog_record(indicator_id)


def _first(record: dict, names) -> str | None:
    for n in names:
        v = record.get(n)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def indicator_name(indicator_id: str | None, lang: str = DEFAULT_LANG) -> str:
    """Return the readable name of an indicator in ``lang``, from the catalogue.

    Unknown ids are shown as words ("cremation rate") rather than hidden.

    Examples
    --------
    >>> indicator_name("no_such_indicator", "en")
    'no such indicator'
    """
    lang = check_lang(lang)
    if indicator_id is None:
        return "—"
    rec = _catalog_record(indicator_id)
    names = (("name_vi", "vi", "label_vi", "name") if lang == "vi"
             else ("name_en", "en", "label_en", "english"))
    return _first(rec, names) or str(indicator_id).replace("_", " ")


def topic_name(topic: str | None, lang: str = DEFAULT_LANG) -> str:
    """Return the label of a catalogue topic in ``lang``.

    Examples
    --------
    >>> topic_name("health"), topic_name("health", "en"), topic_name("space", "en")
    ('Y tế', 'Health', 'space')
    """
    key = f"topic.{topic}"
    return t(key, lang) if key in LABELS else str(topic)


def period_name(code: str | None, lang: str = DEFAULT_LANG) -> str:
    """Return a period code as reports say it: ``'2021-H1'`` → ``'6 tháng đầu năm 2021'``.

    Uses :func:`analysis.periods.period_label`; codes it cannot read are shown
    as they are.

    Examples
    --------
    >>> period_name("2021-H1")
    '6 tháng đầu năm 2021'
    >>> period_name(None)
    '—'
    """
    lang = check_lang(lang)
    if code is None or code != code:
        return "—"
    try:
        label = period_label(code, lang)
        if label:
            return str(label)
    except (ValueError, KeyError, TypeError):
        pass
    year, _, part = str(code).partition("-")
    key = f"period.{part}"
    return t(key, lang, year=year) if key in LABELS else str(code)


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}   # breve, circumflex, horn: part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple:
    """Return a sort key in Vietnamese dictionary order.

    Letters first (a ă â … đ after d), then tones, so that "Thạch Bàn" comes
    before "Thanh Xuân".

    Examples
    --------
    >>> sorted(["Thanh Xuân", "Thạch Bàn", "Đông Anh", "Dịch Vọng", "Cự Khối", "Cầu Giấy"],
    ...        key=vietnamese_sort_key)
    ['Cầu Giấy', 'Cự Khối', 'Dịch Vọng', 'Đông Anh', 'Thạch Bàn', 'Thanh Xuân']
    """
    letters, tones = [], []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _TONES:
            tones[-1:] = [_TONES[ch]] if tones else []
            continue
        if ch in _LETTER_MARKS and letters:
            base = letters[-1]
            mark = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô",
                    "o\u031b": "ơ", "u\u031b": "ư"}.get(base[1] + ch)
            if mark:
                letters[-1] = (_ALPHABET.index(mark), mark)
                continue
        i = _ALPHABET.find(ch)
        letters.append((i if i >= 0 else len(_ALPHABET) + ord(ch), ch))
        tones.append(0)
    return tuple(i for i, _ in letters), tuple(tones), text
