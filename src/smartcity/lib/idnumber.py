"""The 12-digit personal ID number: its form, and its structure checked against the person it names.

Structure of numbers issued under Circular 59/2021/TT-BCA, Art. 7: digits 1–3 the code of the province where the
birth was registered, digit 4 sex and century of birth (20th: male 0, female 1; 21st: 2/3; 22nd: 4/5; 23rd: 6/7;
24th: 8/9), digits 5–6 the last two digits of the birth year, digits 7–12 random.

A number whose sex/century digit, birth year or province code disagrees with the person's record is refused
(``check_structure``): it is a typing error or someone else's number, and a registry that keeps it cannot find the
person by it later.

Model-free and here, in ``lib``, so every layer checks a number the same way: the registry, sign-in, the procedure
forms, and any sector app that takes a citizen's ID.
"""

from __future__ import annotations

import datetime as dt
import re

from smartcity.lib.errors import Invalid

_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")  # ASCII only: \d would also match "１"


def clean_id_number(value: str, field: str = "id_number") -> str:
    """Strip spaces; raise ``Invalid`` unless exactly 12 digits remain."""
    number = re.sub(r"\s+", "", value or "")
    if not _TWELVE_DIGITS.match(number):
        raise Invalid("Số định danh cá nhân phải gồm đúng 12 chữ số", field=field)
    return number


def sex_century_digit(sex: str, year: int) -> int:
    century = (year - 1900) // 100  # 1900–1999 → 0, 2000–2099 → 1, …
    return century * 2 + (1 if sex == "F" else 0)


def structure_warnings(number: str, *, sex: str, date_of_birth: dt.date, province_codes: set[str]) -> list[str]:
    """Where the structure disagrees with the record (``check_structure`` refuses the number for any of them)."""
    warnings = []
    if province_codes and number[:3].lstrip("0").zfill(2) not in province_codes:
        warnings.append(f"Mã tỉnh {number[:3]} trong số định danh không phải mã tỉnh đã biết")
    if 1900 <= date_of_birth.year < 2400:
        expected = sex_century_digit(sex, date_of_birth.year)
        if int(number[3]) != expected:
            warnings.append(f"Chữ số thứ 4 ({number[3]}) không khớp giới tính và thế kỷ sinh (mong đợi {expected})")
    if number[4:6] != f"{date_of_birth.year % 100:02d}":
        warnings.append(f"Chữ số 5–6 ({number[4:6]}) không khớp năm sinh {date_of_birth.year}")
    return warnings


def check_structure(number: str, *, sex: str, date_of_birth: dt.date, province_codes: set[str],
                    field: str = "id_number") -> None:
    """``Invalid`` naming ``field`` when the number's province, sex/century digit or birth year disagrees with the
    person's sex and date of birth."""
    problems = structure_warnings(number, sex=sex, date_of_birth=date_of_birth, province_codes=province_codes)
    if problems:
        raise Invalid("Số định danh cá nhân không khớp với thông tin của người này: " + "; ".join(problems),
                      field=field)
