"""The text of the demo meeting's four documents, one per agenda item that needs papers.

Each is a :class:`DemoDocument`: the parts of a Vietnamese administrative document
(agency, number, date, kind, subject, body, signer, copies) as Nghị định 30/2020
lays them out, written as data so that :mod:`.pdf` decides how they look and the
words can be read and edited without any reportlab in the way. The bodies are
long enough to run over several pages and each carries one table, because real
meeting papers do and the viewer must cope with both.
"""

from __future__ import annotations

from dataclasses import dataclass

from .organisation import AGENDA


class Heading(str):
    """A line of a document's body printed as a bold section heading."""


@dataclass(frozen=True)
class Figures:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bold_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class DemoDocument:
    title: str
    filename: str
    agenda_title: str
    agency: str
    number: str
    dated: str
    kind: str
    subject: str
    addressee: str
    # Paragraphs, Headings and one table of Figures, in reading order.
    body: tuple[str | Figures, ...]
    signer: str
    copies_to: tuple[str, ...]


H = Heading
DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        title="Báo cáo tình hình kinh tế - xã hội tháng 11, nhiệm vụ tháng 12 năm 2026",
        filename="bao-cao-ktxh-thang-11-2026.pdf",
        agenda_title=AGENDA[0][0],
        agency="SỞ TÀI CHÍNH", number="Số: 412/BC-STC",
        dated="Lâm Sơn, ngày 20 tháng 11 năm 2026", kind="BÁO CÁO",
        subject="Tình hình kinh tế - xã hội tháng 11, nhiệm vụ trọng tâm tháng 12 năm 2026",
        addressee="",
        body=(
            H("I. TÌNH HÌNH KINH TẾ - XÃ HỘI THÁNG 11 NĂM 2026"),
            H("1. Về kinh tế"),
            "Trong tháng 11, tình hình kinh tế - xã hội của tỉnh tiếp tục chuyển biến tích cực. "
            "Sản xuất công nghiệp duy trì đà tăng trưởng, chỉ số sản xuất công nghiệp tháng 11 "
            "ước tăng 9,6% so với cùng kỳ năm trước; tính chung 11 tháng tăng 10,2%, trong đó "
            "ngành chế biến, chế tạo tăng 11,4%, sản xuất và phân phối điện tăng 7,8%. Các dự "
            "án sản xuất linh kiện điện tử và chế biến nông sản tại Khu công nghiệp Tân Lập đi "
            "vào hoạt động ổn định, góp phần quan trọng vào mức tăng chung.",
            "Sản xuất nông nghiệp được chỉ đạo sát sao. Vụ mùa năm 2026 cơ bản thu hoạch xong "
            "với năng suất lúa bình quân ước đạt 56,8 tạ/ha, tăng 1,2 tạ/ha so với vụ mùa năm "
            "trước. Các địa phương đang tập trung làm đất, chuẩn bị giống và vật tư cho vụ Đông "
            "Xuân 2026–2027; công tác phòng, chống dịch bệnh trên đàn gia súc, gia cầm được "
            "triển khai quyết liệt, không để phát sinh ổ dịch mới.",
            "Hoạt động thương mại, dịch vụ sôi động. Tổng mức bán lẻ hàng hóa và doanh thu dịch "
            "vụ tiêu dùng tháng 11 ước đạt 4.862 tỷ đồng, tăng 11,3% so với cùng kỳ; 11 tháng "
            "đạt 50.415 tỷ đồng, tăng 10,8%. Khách du lịch đến tỉnh trong 11 tháng ước đạt "
            "3,42 triệu lượt, tăng 14,6%, doanh thu từ du lịch ước đạt 5.120 tỷ đồng.",
            "Thu ngân sách nhà nước trên địa bàn 11 tháng ước đạt 11.386 tỷ đồng, bằng 94,9% "
            "dự toán Hội đồng nhân dân tỉnh giao, tăng 8,7% so với cùng kỳ. Giải ngân vốn đầu "
            "tư công đến ngày 15 tháng 11 đạt 6.104 tỷ đồng, bằng 71,3% kế hoạch vốn được giao; "
            "một số chủ đầu tư còn chậm giải ngân do vướng mắc trong bồi thường, giải phóng mặt "
            "bằng. Một số chỉ tiêu chủ yếu như sau:",
            Figures(
                caption="Bảng 1. Một số chỉ tiêu kinh tế chủ yếu",
                header=("Chỉ tiêu", "Đơn vị", "Tháng 11", "11 tháng", "So cùng kỳ (%)"),
                rows=(
                    ("Giá trị sản xuất công nghiệp", "tỷ đồng", "6.215", "64.870", "110,2"),
                    ("Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ", "tỷ đồng", "4.862", "50.415",
                     "110,8"),
                    ("Kim ngạch xuất khẩu", "triệu USD", "142,5", "1.486,3", "112,4"),
                    ("Thu ngân sách nhà nước trên địa bàn", "tỷ đồng", "1.024", "11.386", "108,7"),
                    ("Giải ngân vốn đầu tư công", "tỷ đồng", "612", "6.104", "105,9"),
                    ("Khách du lịch", "nghìn lượt", "298", "3.420", "114,6"),
                    ("Doanh nghiệp thành lập mới", "doanh nghiệp", "87", "1.012", "106,3"),
                )),
            H("2. Về văn hóa - xã hội"),
            "Ngành giáo dục tổ chức tốt các hoạt động kỷ niệm Ngày Nhà giáo Việt Nam 20 tháng "
            "11; tỷ lệ huy động trẻ đến trường đạt kế hoạch. Công tác khám, chữa bệnh và phòng, "
            "chống dịch bệnh được bảo đảm; tỷ lệ người dân tham gia bảo hiểm y tế đạt 93,8%. "
            "Các chính sách an sinh xã hội, hỗ trợ người có công, hộ nghèo và đối tượng bảo trợ "
            "xã hội được thực hiện đầy đủ, kịp thời.",
            H("3. Về quốc phòng, an ninh và cải cách hành chính"),
            "Quốc phòng, an ninh được giữ vững; trật tự, an toàn xã hội được bảo đảm. Tai nạn "
            "giao thông giảm trên cả ba tiêu chí so với cùng kỳ. Tỷ lệ hồ sơ thủ tục hành chính "
            "được giải quyết đúng hạn đạt 98,6%; tỷ lệ hồ sơ nộp trực tuyến đạt 67,4%, tăng "
            "12,1 điểm phần trăm so với cùng kỳ.",
            H("II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THÁNG 12 NĂM 2026"),
            "Một là, tập trung chỉ đạo hoàn thành ở mức cao nhất các chỉ tiêu kế hoạch phát "
            "triển kinh tế - xã hội năm 2026; đẩy mạnh giải ngân vốn đầu tư công, phấn đấu đến "
            "ngày 31 tháng 01 năm 2027 giải ngân đạt trên 95% kế hoạch vốn.",
            "Hai là, tăng cường các biện pháp chống thất thu ngân sách, quản lý chặt chẽ các "
            "khoản chi; chuẩn bị tốt các điều kiện để giao dự toán ngân sách năm 2027 ngay sau "
            "khi Hội đồng nhân dân tỉnh thông qua.",
            "Ba là, chỉ đạo sản xuất vụ Đông Xuân đúng khung thời vụ; chủ động phòng, chống rét "
            "đậm, rét hại cho cây trồng, vật nuôi; bảo đảm cung ứng hàng hóa, bình ổn giá cả "
            "dịp cuối năm và Tết Nguyên đán Đinh Mùi 2027.",
            "Bốn là, chăm lo đời sống người dân, nhất là hộ nghèo, gia đình chính sách; giữ "
            "vững quốc phòng, an ninh, bảo đảm trật tự, an toàn giao thông dịp cuối năm./.",
        ),
        signer="Vũ Thị Lan Anh",
        copies_to=("UBND tỉnh (để báo cáo);", "Các sở, ban, ngành;", "UBND các huyện;",
                   "Lưu: VT, THQH."),
    ),
    DemoDocument(
        title="Tờ trình dự thảo Nghị quyết về dự toán ngân sách nhà nước năm 2027",
        filename="to-trinh-du-toan-ngan-sach-2027.pdf",
        agenda_title=AGENDA[1][0],
        agency="SỞ TÀI CHÍNH", number="Số: 415/TTr-STC",
        dated="Lâm Sơn, ngày 21 tháng 11 năm 2026", kind="TỜ TRÌNH",
        subject="Về dự thảo Nghị quyết của Hội đồng nhân dân tỉnh về dự toán ngân sách nhà "
                "nước năm 2027",
        addressee="Ủy ban nhân dân tỉnh Lâm Sơn.",
        body=(
            "Căn cứ Luật Ngân sách nhà nước năm 2025; căn cứ Quyết định của Thủ tướng Chính phủ "
            "về việc giao dự toán ngân sách nhà nước năm 2027; căn cứ tình hình thực hiện nhiệm "
            "vụ thu, chi ngân sách năm 2026 và dự báo khả năng thu năm 2027, Sở Tài chính kính "
            "trình Ủy ban nhân dân tỉnh xem xét, trình Hội đồng nhân dân tỉnh dự thảo Nghị quyết "
            "về dự toán ngân sách nhà nước năm 2027 như sau:",
            H("I. SỰ CẦN THIẾT BAN HÀNH NGHỊ QUYẾT"),
            "Theo quy định của Luật Ngân sách nhà nước, Hội đồng nhân dân tỉnh quyết định dự "
            "toán thu ngân sách nhà nước trên địa bàn, dự toán thu, chi ngân sách địa phương và "
            "phân bổ dự toán ngân sách cấp tỉnh trước ngày 10 tháng 12 hằng năm. Việc ban hành "
            "Nghị quyết là cơ sở để Ủy ban nhân dân tỉnh giao dự toán cho các cơ quan, đơn vị "
            "và địa phương ngay từ đầu năm, bảo đảm nguồn lực thực hiện các nhiệm vụ phát triển "
            "kinh tế - xã hội năm 2027.",
            H("II. NGUYÊN TẮC XÂY DỰNG DỰ TOÁN"),
            "Dự toán thu được xây dựng tích cực, sát thực tế, trên cơ sở đánh giá khả năng thực "
            "hiện năm 2026, dự báo tăng trưởng kinh tế năm 2027 và các chính sách thu mới; "
            "không đưa vào dự toán các khoản thu chưa chắc chắn.",
            "Dự toán chi bảo đảm các nhiệm vụ chi thường xuyên theo định mức, ưu tiên bố trí "
            "vốn cho các dự án chuyển tiếp, dự án trọng điểm và các chương trình mục tiêu quốc "
            "gia; triệt để tiết kiệm chi thường xuyên, dành nguồn thực hiện cải cách tiền lương.",
            H("III. DỰ TOÁN THU, CHI NGÂN SÁCH NĂM 2027"),
            "Tổng thu ngân sách nhà nước trên địa bàn năm 2027 dự kiến 12.850 tỷ đồng, tăng 7,1% "
            "so với ước thực hiện năm 2026, trong đó thu nội địa 11.920 tỷ đồng, thu từ hoạt "
            "động xuất nhập khẩu 930 tỷ đồng. Tổng chi ngân sách địa phương dự kiến 21.470 tỷ "
            "đồng, trong đó chi đầu tư phát triển 6.840 tỷ đồng, chi thường xuyên 14.212 tỷ "
            "đồng, dự phòng ngân sách 418 tỷ đồng. Chi tiết tại bảng dưới đây.",
            Figures(
                caption="Đơn vị tính: tỷ đồng",
                header=("Nội dung", "Ước thực hiện 2026", "Dự toán 2027", "So sánh (%)"),
                rows=(
                    ("A. Tổng thu ngân sách nhà nước trên địa bàn", "12.000", "12.850", "107,1"),
                    ("1. Thu nội địa", "11.140", "11.920", "107,0"),
                    ("2. Thu từ hoạt động xuất nhập khẩu", "860", "930", "108,1"),
                    ("B. Tổng chi ngân sách địa phương", "20.385", "21.470", "105,3"),
                    ("1. Chi đầu tư phát triển", "6.420", "6.840", "106,5"),
                    ("2. Chi thường xuyên", "13.585", "14.212", "104,6"),
                    ("3. Dự phòng ngân sách", "380", "418", "110,0"),
                ),
                bold_rows=(0, 3)),
            H("IV. GIẢI PHÁP THỰC HIỆN"),
            "Để hoàn thành dự toán, đề nghị Ủy ban nhân dân tỉnh chỉ đạo các cấp, các ngành đẩy "
            "mạnh cải thiện môi trường đầu tư kinh doanh, nuôi dưỡng nguồn thu; tăng cường quản "
            "lý thu, chống thất thu, xử lý nợ đọng thuế; thực hiện nghiêm chủ trương tiết kiệm, "
            "chống lãng phí; đẩy nhanh tiến độ giải ngân vốn đầu tư công ngay từ đầu năm; công "
            "khai dự toán ngân sách theo quy định.",
            "Sở Tài chính kính trình Ủy ban nhân dân tỉnh xem xét, thống nhất để trình Hội đồng "
            "nhân dân tỉnh tại kỳ họp thường lệ cuối năm 2026./.",
        ),
        signer="Vũ Thị Lan Anh",
        copies_to=("Như trên;", "Thường trực HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                   "Lưu: VT, QLNS."),
    ),
    DemoDocument(
        title="Đề án chuyển đổi số tỉnh Lâm Sơn giai đoạn 2026–2030",
        filename="de-an-chuyen-doi-so-2026-2030.pdf",
        agenda_title=AGENDA[2][0],
        agency="SỞ KHOA HỌC VÀ CÔNG NGHỆ", number="Số: 208/ĐA-SKHCN",
        dated="Lâm Sơn, ngày 14 tháng 11 năm 2026", kind="ĐỀ ÁN",
        subject="Chuyển đổi số tỉnh Lâm Sơn giai đoạn 2026–2030", addressee="",
        body=(
            H("I. SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN"),
            "Chuyển đổi số là xu thế tất yếu và là động lực quan trọng để đổi mới phương thức "
            "lãnh đạo, chỉ đạo, điều hành của chính quyền các cấp, nâng cao năng lực cạnh tranh "
            "của nền kinh tế và chất lượng cuộc sống của người dân. Thực hiện Nghị quyết số "
            "57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị về đột phá phát triển khoa "
            "học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia, tỉnh Lâm Sơn xác định "
            "chuyển đổi số là nhiệm vụ trọng tâm của giai đoạn 2026–2030.",
            "Giai đoạn 2021–2025, tỉnh đã đạt được nhiều kết quả: hạ tầng băng rộng cáp quang "
            "phủ đến 100% số xã, hệ thống thông tin giải quyết thủ tục hành chính được kết nối "
            "với Cổng Dịch vụ công quốc gia, phòng họp không giấy được triển khai tại Ủy ban "
            "nhân dân tỉnh. Tuy vậy, dữ liệu của các ngành còn phân tán, chưa được chia sẻ; kỹ "
            "năng số của một bộ phận cán bộ và người dân còn hạn chế; nguồn lực đầu tư chưa "
            "tương xứng với yêu cầu.",
            H("II. MỤC TIÊU"),
            "Mục tiêu tổng quát: đến năm 2030, tỉnh Lâm Sơn cơ bản hoàn thành xây dựng chính "
            "quyền số, phát triển kinh tế số và xã hội số; phấn đấu thuộc nhóm 20 tỉnh, thành "
            "phố dẫn đầu cả nước về chỉ số chuyển đổi số. Các mục tiêu cụ thể được lượng hóa "
            "theo từng năm như sau:",
            Figures(
                caption="Bảng 1. Chỉ tiêu chuyển đổi số theo năm",
                header=("Chỉ tiêu", "2026", "2028", "2030"),
                rows=(
                    ("Hồ sơ thủ tục hành chính nộp trực tuyến (%)", "70", "85", "95"),
                    ("Văn bản điện tử có ký số giữa các cơ quan (%)", "95", "100", "100"),
                    ("Cuộc họp của UBND tỉnh không dùng giấy (%)", "80", "100", "100"),
                    ("Tỷ trọng kinh tế số trong GRDP (%)", "12", "16", "22"),
                    ("Người trưởng thành có danh tính điện tử (%)", "80", "90", "95"),
                    ("Hộ gia đình có cáp quang băng rộng (%)", "85", "92", "98"),
                )),
            H("III. NHIỆM VỤ VÀ GIẢI PHÁP"),
            "Thứ nhất, hoàn thiện hạ tầng số: nâng cấp Trung tâm dữ liệu tỉnh, bảo đảm an toàn "
            "thông tin theo cấp độ; phủ sóng di động 5G tại các khu công nghiệp, trung tâm "
            "huyện; kết nối mạng truyền số liệu chuyên dùng đến tất cả các xã.",
            "Thứ hai, phát triển dữ liệu số: xây dựng kho dữ liệu dùng chung của tỉnh, kết nối "
            "với Cơ sở dữ liệu quốc gia về dân cư; số hóa hồ sơ, giấy tờ, kết quả giải quyết thủ "
            "tục hành chính; công bố danh mục dữ liệu mở phục vụ người dân và doanh nghiệp.",
            "Thứ ba, phát triển chính quyền số: mở rộng phòng họp không giấy và họp trực tuyến "
            "đến cấp huyện, cấp xã; ứng dụng chữ ký số trong toàn bộ quy trình xử lý văn bản; "
            "điều hành dựa trên dữ liệu thông qua Trung tâm giám sát, điều hành thông minh.",
            "Thứ tư, phát triển kinh tế số và xã hội số: hỗ trợ doanh nghiệp nhỏ và vừa chuyển "
            "đổi số, đưa sản phẩm nông nghiệp đặc trưng của tỉnh lên sàn thương mại điện tử; "
            "phổ cập kỹ năng số cho người dân thông qua các tổ công nghệ số cộng đồng.",
            H("IV. KINH PHÍ THỰC HIỆN"),
            "Tổng kinh phí dự kiến thực hiện Đề án giai đoạn 2026–2030 là 1.250 tỷ đồng, trong "
            "đó ngân sách tỉnh 780 tỷ đồng, ngân sách huyện 170 tỷ đồng, nguồn xã hội hóa và "
            "nguồn hợp pháp khác 300 tỷ đồng, được bố trí trong kế hoạch đầu tư công trung hạn "
            "và dự toán chi thường xuyên hằng năm của các cơ quan, đơn vị.",
            H("V. TỔ CHỨC THỰC HIỆN"),
            "Sở Khoa học và Công nghệ là cơ quan thường trực, chủ trì theo dõi, đôn đốc, tổng "
            "hợp kết quả thực hiện Đề án, định kỳ báo cáo Ủy ban nhân dân tỉnh. Các sở, ban, "
            "ngành và Ủy ban nhân dân các huyện xây dựng kế hoạch hằng năm để triển khai các "
            "nhiệm vụ được giao, bảo đảm đúng tiến độ và hiệu quả./.",
        ),
        signer="Đỗ Minh Tuấn",
        copies_to=("UBND tỉnh (để trình);", "Các sở, ban, ngành;", "UBND các huyện;",
                   "Lưu: VT, CĐS."),
    ),
    DemoDocument(
        title="Báo cáo công tác phòng, chống thiên tai mùa mưa lũ năm 2026",
        filename="bao-cao-phong-chong-thien-tai-2026.pdf",
        agenda_title=AGENDA[3][0],
        agency="SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", number="Số: 356/BC-SNNMT",
        dated="Lâm Sơn, ngày 17 tháng 11 năm 2026", kind="BÁO CÁO",
        subject="Công tác phòng, chống thiên tai mùa mưa lũ năm 2026", addressee="",
        body=(
            H("I. TÌNH HÌNH THIÊN TAI NĂM 2026"),
            "Mùa mưa lũ năm 2026, trên địa bàn tỉnh xảy ra 04 đợt mưa lớn diện rộng, 02 trận lũ "
            "trên các sông chính và nhiều điểm sạt lở đất tại các huyện miền núi. Đợt mưa lớn từ "
            "ngày 18 đến ngày 22 tháng 9 do ảnh hưởng của hoàn lưu bão số 6 có tổng lượng mưa "
            "phổ biến từ 250 đến 400 mm, có nơi trên 500 mm; mực nước sông Lâm tại trạm Tân Lập "
            "đạt đỉnh 28,65 m, trên báo động III 0,65 m.",
            "Thiên tai đã làm 03 người chết, 07 người bị thương; 412 ngôi nhà bị hư hỏng, tốc "
            "mái; 1.286 ha lúa và hoa màu bị ngập úng; nhiều tuyến đường giao thông nông thôn "
            "bị sạt lở, chia cắt cục bộ. Tổng giá trị thiệt hại ước tính 286,4 tỷ đồng, chi "
            "tiết theo từng huyện như sau:",
            Figures(
                caption="Bảng 1. Thiệt hại do thiên tai theo địa phương",
                header=("Địa phương", "Nhà hư hỏng (căn)", "Lúa, hoa màu ngập (ha)",
                        "Thiệt hại (tỷ đồng)"),
                rows=(
                    ("Huyện Tân Lập", "168", "542", "118,7"),
                    ("Huyện Hòa An", "131", "416", "92,3"),
                    ("Huyện Phú Lương", "113", "328", "75,4"),
                    ("Tổng cộng", "412", "1.286", "286,4"),
                ),
                bold_rows=(3,)),
            H("II. KẾT QUẢ CÔNG TÁC PHÒNG, CHỐNG THIÊN TAI"),
            "Ngay từ đầu mùa mưa lũ, Ủy ban nhân dân tỉnh đã kiện toàn Ban Chỉ huy phòng thủ dân "
            "sự tỉnh, phê duyệt phương án ứng phó thiên tai theo cấp độ rủi ro; chỉ đạo kiểm tra "
            "an toàn 126 hồ chứa thủy lợi, 58 km đê và các công trình trọng điểm. Phương châm "
            "“bốn tại chỗ” được các địa phương thực hiện nghiêm túc.",
            "Trong các đợt mưa lũ, các lực lượng đã sơ tán 2.350 hộ với 8.140 nhân khẩu khỏi "
            "vùng nguy hiểm; huy động trên 4.600 lượt cán bộ, chiến sĩ và dân quân hỗ trợ người "
            "dân di dời tài sản, khắc phục hậu quả. Ngân sách tỉnh đã hỗ trợ khẩn cấp 35 tỷ đồng "
            "cho các huyện bị thiệt hại; các tổ chức, cá nhân ủng hộ trên 12 tỷ đồng.",
            H("III. TỒN TẠI, HẠN CHẾ"),
            "Hệ thống cảnh báo sớm lũ quét, sạt lở đất tại các huyện miền núi còn thiếu; một số "
            "hồ chứa nhỏ xuống cấp nhưng chưa được bố trí vốn sửa chữa; việc di dời các hộ dân ở "
            "vùng có nguy cơ sạt lở cao còn chậm do thiếu quỹ đất tái định cư.",
            H("IV. NHIỆM VỤ TRONG THỜI GIAN TỚI"),
            "Khẩn trương khắc phục hậu quả thiên tai, sửa chữa nhà ở, trường học, công trình "
            "giao thông, thủy lợi bị hư hỏng, bảo đảm hoàn thành trước Tết Nguyên đán; rà soát, "
            "bố trí tái định cư cho các hộ dân ở vùng có nguy cơ sạt lở cao.",
            "Đầu tư lắp đặt thêm các trạm đo mưa tự động và hệ thống cảnh báo sớm; tổng kết, rút "
            "kinh nghiệm công tác chỉ đạo, điều hành mùa mưa lũ năm 2026 để chủ động ứng phó "
            "trong những năm tiếp theo./.",
        ),
        signer="Bùi Thị Hồng Nhung",
        copies_to=("UBND tỉnh (để báo cáo);", "Ban Chỉ huy PTDS tỉnh;", "UBND các huyện;",
                   "Lưu: VT, TL."),
    ),
)
