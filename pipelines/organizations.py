"""Organisations: the bodies of the Party and the State that official news names most.

A closed list of national bodies and acronyms, and the provincial bodies (UBND, HĐND, Tỉnh
ủy, MTTQ …) together with the province that follows them. Acronyms are expanded where the
short form is the common one (UBND tỉnh Điện Biên stays as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.provinces import find_provinces
from pipelines.text import modern_tones

NATIONAL = {
    "TTXVN": "Thông tấn xã Việt Nam",
    "Thông tấn xã Việt Nam": "Thông tấn xã Việt Nam",
    "Bộ Chính trị": "Bộ Chính trị",
    "Ban Bí thư": "Ban Bí thư",
    "Ban Chấp hành Trung ương Đảng": "Ban Chấp hành Trung ương Đảng",
    "Ban Chấp hành Trung ương": "Ban Chấp hành Trung ương Đảng",
    "Quốc hội": "Quốc hội",
    "Chính phủ": "Chính phủ",
    "Ủy ban Thường vụ Quốc hội": "Ủy ban Thường vụ Quốc hội",
    "Ủy ban Kiểm tra Trung ương": "Ủy ban Kiểm tra Trung ương",
    "Ban Tuyên giáo Trung ương": "Ban Tuyên giáo Trung ương",
    "Ban Tuyên giáo và Dân vận Trung ương": "Ban Tuyên giáo và Dân vận Trung ương",
    "Ban Tổ chức Trung ương": "Ban Tổ chức Trung ương",
    "Ban Dân vận Trung ương": "Ban Dân vận Trung ương",
    "Ban Nội chính Trung ương": "Ban Nội chính Trung ương",
    "Ban Kinh tế Trung ương": "Ban Kinh tế Trung ương",
    "Ban Chỉ đạo 35 Trung ương": "Ban Chỉ đạo 35 Trung ương",
    "Hội đồng Lý luận Trung ương": "Hội đồng Lý luận Trung ương",
    "Văn phòng Trung ương Đảng": "Văn phòng Trung ương Đảng",
    "Tòa án nhân dân tối cao": "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao": "Viện kiểm sát nhân dân tối cao",
    "Kiểm toán Nhà nước": "Kiểm toán Nhà nước",
    "Ngân hàng Nhà nước": "Ngân hàng Nhà nước Việt Nam",
    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam": "Ủy ban Trung ương MTTQ Việt Nam",
    "Mặt trận Tổ quốc Việt Nam": "Mặt trận Tổ quốc Việt Nam",
    "MTTQ Việt Nam": "Mặt trận Tổ quốc Việt Nam",
    "Tổng Liên đoàn Lao động Việt Nam": "Tổng Liên đoàn Lao động Việt Nam",
    "Hội Liên hiệp Phụ nữ Việt Nam": "Hội Liên hiệp Phụ nữ Việt Nam",
    "Hội Nông dân Việt Nam": "Hội Nông dân Việt Nam",
    "Hội Cựu chiến binh Việt Nam": "Hội Cựu chiến binh Việt Nam",
    "Trung ương Đoàn": "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Đoàn Thanh niên": "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh": "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Quân đội nhân dân Việt Nam": "Quân đội nhân dân Việt Nam",
    "Tổng cục Chính trị Quân đội nhân dân Việt Nam": "Tổng cục Chính trị QĐND Việt Nam",
    "Bộ Tổng Tham mưu": "Bộ Tổng Tham mưu",
}
MINISTRIES = [
    "Quốc phòng",
    "Công an",
    "Ngoại giao",
    "Nội vụ",
    "Tư pháp",
    "Tài chính",
    "Công Thương",
    "Nông nghiệp và Phát triển nông thôn",
    "Nông nghiệp và Môi trường",
    "Xây dựng",
    "Giao thông vận tải",
    "Tài nguyên và Môi trường",
    "Thông tin và Truyền thông",
    "Khoa học và Công nghệ",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Văn hóa, Thể thao và Du lịch",
    "Lao động - Thương binh và Xã hội",
    "Kế hoạch và Đầu tư",
    "Dân tộc và Tôn giáo",
]
_LOCAL = (
    r"UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Tỉnh ủy|Thành ủy|Ủy ban MTTQ Việt Nam"
    r"|Ủy ban MTTQ|Công an"
)
_LOCAL_ORG = re.compile(
    r"(?<!\w)(?P<body>" + _LOCAL + r")(?:\s+(?P<level>tỉnh|thành phố|TP\.?))?\s+(?=\S)"
)
_NATIONAL = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(n) for n in sorted(NATIONAL, key=len, reverse=True))
    + r"|Bộ (?:"
    + "|".join(re.escape(m) for m in sorted(MINISTRIES, key=len, reverse=True))
    + r"))(?!\w)"
)
_SHORT = {
    "Ủy ban nhân dân": "UBND",
    "Hội đồng nhân dân": "HĐND",
    "Ủy ban MTTQ Việt Nam": "Ủy ban MTTQ",
}


@dataclass(frozen=True)
class OrganizationMention:
    name: str
    surface: str
    start: int
    end: int


def find_organizations(text: str) -> list[OrganizationMention]:
    normalised = modern_tones(text)
    found: list[OrganizationMention] = []
    for match in _NATIONAL.finditer(normalised):
        surface = match[0]
        found.append(
            OrganizationMention(
                NATIONAL.get(surface, surface),
                text[match.start() : match.end()],
                match.start(),
                match.end(),
            )
        )
    for match in _LOCAL_ORG.finditer(normalised):
        # The level word stays in the text searched: "TP Hồ Chí Minh" needs its prefix.
        origin = match.start("level") if match["level"] else match.end()
        province = next(iter(find_provinces(normalised[origin : origin + 48])), None)
        if province is None or province.start > match.end() - origin:
            continue  # "UBND tỉnh" with no province named: which one is not known here
        end = origin + province.end
        body = _SHORT.get(match["body"], match["body"])
        level = ""
        if body not in ("Tỉnh ủy", "Thành ủy"):
            level = (
                "thành phố "
                if province.province.name
                in {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"}
                else "tỉnh "
            )
        found.append(
            OrganizationMention(
                f"{body} {level}{province.province.name}",
                text[match.start() : end],
                match.start(),
                end,
            )
        )
    return sorted(found, key=lambda m: m.start)
