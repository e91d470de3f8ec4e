"""Who and what the demo is: a fictional province, its units and hall, 26 accounts, the agenda.

Plain data and nothing else, kept apart from the code that writes it into the
database (:mod:`.loader`) so that changing a name or an agenda item is an edit here
alone, and so the tests can name the same accounts and times the demo creates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..meetings.models import UnitKind

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# key, kind, name, short name; the first is the province, parent of all the others.
UNITS: tuple[tuple[str, UnitKind, str, str], ...] = (
    ("province", UnitKind.PROVINCE, "Ủy ban nhân dân tỉnh Lâm Sơn", "UBND tỉnh"),
    ("office", UnitKind.DEPARTMENT, "Văn phòng UBND tỉnh", "VP UBND tỉnh"),
    ("finance", UnitKind.DEPARTMENT, "Sở Tài chính", "Sở TC"),
    ("construction", UnitKind.DEPARTMENT, "Sở Xây dựng", "Sở XD"),
    ("agriculture", UnitKind.DEPARTMENT, "Sở Nông nghiệp và Môi trường", "Sở NN&MT"),
    ("science", UnitKind.DEPARTMENT, "Sở Khoa học và Công nghệ", "Sở KH&CN"),
    ("tan_lap", UnitKind.DISTRICT, "UBND huyện Tân Lập", "Huyện Tân Lập"),
    ("hoa_an", UnitKind.DISTRICT, "UBND huyện Hòa An", "Huyện Hòa An"),
    ("phu_luong", UnitKind.DISTRICT, "UBND huyện Phú Lương", "Huyện Phú Lương"),
)
DISTRICTS = (("tan_lap", "Tân Lập"), ("hoa_an", "Hòa An"), ("phu_luong", "Phú Lương"))
HALL_NAME = "Hội trường tầng 3, trụ sở UBND tỉnh"
HALL_SEATS = 20


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    title: str
    unit: str
    is_admin: bool = False
    is_secretary: bool = False


# The delegates: the province's leaders and the members of its People's Committee.
DELEGATES: tuple[tuple[str, str, str], ...] = (
    ("Lê Quang Minh", "Phó Chủ tịch Thường trực UBND tỉnh", "province"),
    ("Phạm Thị Thu Hà", "Phó Chủ tịch UBND tỉnh", "province"),
    ("Hoàng Đức Thắng", "Phó Chủ tịch UBND tỉnh", "province"),
    ("Vũ Thị Lan Anh", "Giám đốc Sở Tài chính", "finance"),
    ("Đặng Văn Khoa", "Giám đốc Sở Xây dựng", "construction"),
    ("Bùi Thị Hồng Nhung", "Giám đốc Sở Nông nghiệp và Môi trường", "agriculture"),
    ("Đỗ Minh Tuấn", "Giám đốc Sở Khoa học và Công nghệ", "science"),
    ("Ngô Văn Thành", "Ủy viên UBND tỉnh, Giám đốc Sở Nội vụ", "province"),
    ("Dương Thị Ngọc Ánh", "Ủy viên UBND tỉnh, Giám đốc Sở Tư pháp", "province"),
    ("Trịnh Xuân Trường", "Ủy viên UBND tỉnh, Giám đốc Sở Y tế", "province"),
    ("Lý Thị Phương Thảo", "Ủy viên UBND tỉnh, Giám đốc Sở Giáo dục và Đào tạo", "province"),
    ("Phan Văn Lợi", "Ủy viên UBND tỉnh, Giám đốc Sở Công Thương", "province"),
    ("Hà Thị Kim Oanh", "Ủy viên UBND tỉnh, Giám đốc Sở Văn hóa, Thể thao và Du lịch",
     "province"),
    ("Lò Văn Sơn", "Ủy viên UBND tỉnh, Giám đốc Sở Dân tộc và Tôn giáo", "province"),
    ("Mai Đức Hiếu", "Ủy viên UBND tỉnh, Chánh Thanh tra tỉnh", "province"),
    ("Tạ Quang Vinh", "Ủy viên UBND tỉnh, Giám đốc Công an tỉnh", "province"),
    ("Cao Văn Dũng", "Ủy viên UBND tỉnh, Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh", "province"),
    ("Đinh Thị Thúy Hằng", "Phó Giám đốc Sở Tài chính", "finance"),
    ("Lương Minh Khôi", "Phó Chánh Văn phòng UBND tỉnh", "office"),
    ("Tô Thị Bích Ngọc", "Phó Giám đốc Sở Khoa học và Công nghệ", "science"),
)

ACCOUNTS: tuple[Account, ...] = (
    Account("admin", "Quản trị hệ thống", "", "office", is_admin=True),
    Account("chutoa", "Nguyễn Văn Hùng", "Chủ tịch UBND tỉnh", "province"),
    Account("thuky", "Trần Thị Mai", "Chánh Văn phòng UBND tỉnh", "office", is_secretary=True),
    *(Account(f"daibieu{i:02d}", name, title, unit)
      for i, (name, title, unit) in enumerate(DELEGATES, start=1)),
    *(Account(f"huyen{i}", f"Điểm cầu huyện {name}", "", key)
      for i, (key, name) in enumerate(DISTRICTS, start=1)),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(a.username for a in ACCOUNTS)

MEETING_TITLE = "Phiên họp thường kỳ tháng 11 năm 2026 của Ủy ban nhân dân tỉnh"
MEETING_CODE = "12/BB-UBND"

# title, presenter, planned minutes, children (same shape, without children).
AGENDA: tuple[tuple[str, str, int, tuple[tuple[str, str, int], ...]], ...] = (
    ("Báo cáo tình hình kinh tế - xã hội tháng 11, nhiệm vụ tháng 12 năm 2026",
     "Giám đốc Sở Tài chính", 40, ()),
    ("Tờ trình dự thảo Nghị quyết dự toán ngân sách nhà nước năm 2027",
     "Giám đốc Sở Tài chính", 45, ()),
    ("Đề án chuyển đổi số tỉnh Lâm Sơn giai đoạn 2026–2030",
     "Giám đốc Sở Khoa học và Công nghệ", 50, (
         ("Báo cáo thẩm định Đề án", "Giám đốc Sở Tư pháp", 15),
         ("Ý kiến của các huyện Tân Lập, Hòa An, Phú Lương", "Chủ tịch UBND các huyện", 20),
     )),
    ("Báo cáo công tác phòng, chống thiên tai mùa mưa lũ năm 2026",
     "Giám đốc Sở Nông nghiệp và Môi trường", 30, ()),
    ("Các nội dung khác", "Chủ tịch UBND tỉnh", 15, ()),
)


def next_weekday_at(now: datetime, hour: int, minute: int) -> datetime:
    """The next working day after ``now`` (in Vietnam) at ``hour:minute`` there, in UTC."""
    day: date = now.astimezone(VIETNAM).date() + timedelta(days=1)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), VIETNAM).astimezone(UTC)
