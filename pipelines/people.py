"""People named in a sentence, without their titles, with the titles kept as roles.

Official prose puts the title chain before the name ("Chủ tịch UBND tỉnh Điện Biên Lê Thành
Đô") or after it as an apposition ("Ông Lê Thành Đô, Chủ tịch UBND tỉnh Điện Biên, ...").
Candidates are runs of capitalised syllables that start with a Vietnamese surname, or that
underthesea's CRF tags as a person; a candidate is kept only with evidence: a title or an
honorific before it, a title in apposition after it, or the CRF's tag. A province glued to the
front of a run is cut off ("Điện Biên Lê Thành Đô" → "Lê Thành Đô").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.names import SURNAMES
from pipelines.organizations import find_organizations
from pipelines.provinces import find_provinces
from pipelines.text import modern_tones

# Title words as official prose capitalises them; a role starts with one of these.
TITLES = tuple(
    sorted(
        (
            "Tổng Bí thư|Chủ tịch nước|Chủ tịch|Bí thư|Thủ tướng|Bộ trưởng|Thứ trưởng|Trưởng"
            "|Phó|Tổng|Ủy viên|Uỷ viên|Giám đốc|Chánh án|Chánh Văn phòng|Chánh thanh tra"
            "|Viện trưởng"
            "|Chủ nhiệm|Tư lệnh|Chính ủy|Cục trưởng|Vụ trưởng|Hiệu trưởng|Đại sứ|Đại biểu|Thống đốc"
            "|Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|Trung tá|Thiếu tá"
            "|Đô đốc|Chuẩn Đô đốc|Nguyên|Quyền|Người phát ngôn|Tham mưu trưởng|Thường trực"
            "|Thành viên|Trợ lý|Thư ký|Chỉ huy trưởng|Giáo sư"
        ).split("|"),
        key=len,
        reverse=True,
    )
)
# Before a name, these are evidence but not a role.
HONORIFICS = frozenset(
    "ông bà anh chị cụ em Ông Bà Anh Chị Cụ Em GS.TS PGS.TS GS PGS TS ThS BS NSND NSƯT KTS "
    "LS Th.S".split()
) | {"đồng chí", "Đồng chí", "nhà báo", "Nhà báo"}
_ACADEMIC = re.compile(r"^(?:GS\.TS|PGS\.TS|GS|PGS|TS|ThS|Th\.S|BS|NSND|NSƯT|KTS|LS)\.?\s+")
# Words that end an apposition ("..., Chủ tịch UBND tỉnh, cho biết ...").
_ROLE_END = re.compile(
    r"\s+(?:cho biết|cho rằng|phát biểu|nhấn mạnh|khẳng định|đề nghị|yêu cầu|chủ trì|trình bày"
    r"|tham dự|dự|đã|đang|sẽ|cùng|làm việc|tiếp|trao|tặng|kiểm tra|thăm|vinh dự|vận động"
    r"|chúc mừng|báo cáo|nêu|chỉ đạo|phát động|ký|được|là|thay mặt|có|mong muốn|đánh giá"
    r"|trả lời|giới thiệu|chia sẻ|cho hay|lưu ý|thông tin)(?!\w)"
)
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_BOUNDARY = re.compile(r"[,;:()\[\]“”\"–]|\s-\s|\.\s|\svà\s")


@dataclass(frozen=True)
class PersonMention:
    name: str
    surface: str
    roles: tuple[str, ...]
    start: int
    end: int


def find_people(
    sentence: str, ner_tags: Sequence[tuple[int, int, str]] = ()
) -> list[PersonMention]:
    """People in one sentence. `ner_tags` are the CRF's (start, end, tag) spans, if any."""
    text = modern_tones(sentence)
    per_spans = [(s, e) for s, e, tag in ner_tags if tag == "PER"]
    found: list[PersonMention] = []
    previous_end = 0
    # "Đoàn Thanh niên", "Hội Nông dân": a body's name is never a person's.
    bodies = [(org.start, org.end) for org in find_organizations(text)]
    for run_start, run_end in _capitalised_runs(text):
        start, end = _trim_place(text, *_trim_honorific(text, run_start, run_end))
        words = text[start:end].split(" ")
        if not 2 <= len(words) <= 5 or _is_acronym_run(words) or _is_place(text[start:end]):
            continue
        surname_first = _name_case(words[0]) in SURNAMES
        by_crf = any(s < end and start < e for s, e in per_spans)
        if not surname_first and not by_crf:
            continue
        if any(s < end and start < e for s, e in bodies):
            continue
        roles_before, titled = _roles_before(text, start, previous_end)
        if _place_context(text, start) and not roles_before:
            continue  # "đường Lê Lợi", "TP Hồ Chí Minh"; but "Chủ tịch UBND tỉnh Đỗ Minh Khải"
        roles_after = _roles_after(text, end)
        if not (titled or roles_after or (by_crf and surname_first)):
            continue
        name = " ".join(_name_case(w) for w in words)
        previous_end = end
        found.append(
            PersonMention(name, sentence[start:end], (*roles_before, *roles_after), start, end)
        )
    return found


def _capitalised_runs(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised words separated by single spaces: 'Điện Biên Lê Thành Đô'."""
    runs: list[list[int]] = []
    for word in _WORD.finditer(text):
        if not word[0][0].isupper():
            continue
        if runs and runs[-1][1] == word.start() - 1 and text[runs[-1][1]] == " ":
            runs[-1][1] = word.end()
        else:
            runs.append([word.start(), word.end()])
    return [(start, end) for start, end in runs]


def _trim_honorific(text: str, start: int, end: int) -> tuple[int, int]:
    """'Ông Lê Thành Đô' → 'Lê Thành Đô' (the honorific stays evidence, outside the name)."""
    first = text[start:end].split(" ", 1)
    if len(first) == 2 and first[0] in HONORIFICS:
        return start + len(first[0]) + 1, end
    return start, end


def _is_place(text: str) -> bool:
    mentions = find_provinces(text)
    return bool(mentions) and mentions[0].start == 0 and mentions[0].end == len(text)


def _trim_place(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut a province written right before the name: 'Điện Biên Lê Thành Đô'."""
    for mention in find_provinces(text[start:end]):
        if mention.start == 0 and mention.end < end - start:
            rest = start + mention.end + 1
            return rest, end
    return start, end


def _is_acronym_run(words: list[str]) -> bool:
    # "TTXVN", "UBND HĐND": capitals without vowels-with-marks pattern of a name.
    return all(w.isupper() and len(w) > 1 for w in words) and _name_case(words[0]) not in SURNAMES


def _name_case(word: str) -> str:
    return word.capitalize() if word.isupper() and len(word) > 1 else word


def _place_context(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start]
    return bool(
        re.search(
            r"(?:TP\.?|Tp\.?|thành phố|Thành phố|tỉnh|huyện|xã|phường|quận|đường|"
            r"phố|sông|cầu|trường|Trường|Đường|Phố)\s*$",
            before,
        )
    )


def _clause_before(text: str, start: int, floor: int = 0) -> tuple[str, int]:
    head = text[:start]
    cut = floor
    for match in _BOUNDARY.finditer(head):
        cut = match.end()
    return head[cut:], cut


def _roles_before(text: str, start: int, floor: int = 0) -> tuple[list[str], bool]:
    """Titles written before the name, and whether any title or honorific is there."""
    clause, offset = _clause_before(text, start, floor)
    role = _role_in(clause.strip())
    titled = role is not None or _honorific_at_end(clause)
    roles = [role] if role else []
    # "Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Quảng Nam X": earlier titles in apposition.
    position = offset
    while role is not None and position > floor and text[position - 1] == ",":
        previous, previous_offset = _clause_before(text, position - 1, floor)
        role = _role_in(previous.strip(), whole=True)
        if role:
            roles.insert(0, role)
        position = previous_offset
    return roles, titled


def _role_in(clause: str, whole: bool = False) -> str | None:
    clause = _ACADEMIC.sub("", clause)
    for index in range(len(clause)):
        if index and clause[index - 1] != " ":
            continue
        if whole and index:
            return None
        if clause.startswith(TITLES, index):
            title_end = index + next(len(t) for t in TITLES if clause.startswith(t, index))
            if title_end < len(clause) and clause[title_end].isalpha():
                continue  # "Phóng" is not "Phó"
            role = clause[index:].strip()
            return role or None
    return None


def _honorific_at_end(clause: str) -> bool:
    words = clause.split()
    return bool(words) and (words[-1] in HONORIFICS or " ".join(words[-2:]) in HONORIFICS)


def _roles_after(text: str, end: int) -> list[str]:
    """Titles in apposition after the name: 'X, Chủ tịch UBND tỉnh, Trưởng Cụm ... cho biết'."""
    roles: list[str] = []
    rest = text[end:]
    while rest.startswith(", "):
        segment = re.split(r"[,;:()]", rest[2:], maxsplit=1)[0]
        stop = _ROLE_END.search(segment)
        role_text = segment[: stop.start()] if stop else segment
        role = _role_in(role_text.strip(), whole=True)
        if role is None or _starts_with_person(role):
            break
        roles.append(role.rstrip("."))
        if stop or not rest[2 + len(segment) :].startswith(","):
            break
        rest = rest[2 + len(segment) :]
    return roles


def _starts_with_person(role: str) -> bool:
    first = role.split(" ", 1)[0]
    return first in SURNAMES and first not in ("Phó", "Trưởng")
