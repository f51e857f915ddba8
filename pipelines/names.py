"""Vietnamese family names: a short closed list, which is what makes a run of capitalised
syllables a person's name rather than a place's or a body's."""

from __future__ import annotations

SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Đoàn "
    "Trương Lương Lâm Mai Trịnh Tô Hà Cao Chu Tạ Lưu Vương Thái Triệu Quách Kiều Lò Giàng "
    "Sùng Vàng Tòng Mùa Thào Hầu Lục Nông Hứa Âu Khổng Phùng Mạc Châu Tăng Quan Văn Thân "
    "Khúc Tống Diệp Lã Doãn Nghiêm Cù Bạch Lạc Mã Ninh Kim Ông Y H "
    # ethnic-minority family names (Hmông, Thái, Tày, Dao, Tây Nguyên peoples)
    "Vừ Lầu Hờ Tráng Cứ Hạng Chang Quàng Cầm Lường Sầm Ma Bàn Đàm Nay Siu Ksor Rơ Kpă "
    "Bế Chẩu Sìn Phàn Tẩn Lồ Pờ Chảo Ly".split()
)
