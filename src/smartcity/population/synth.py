"""Synthetic citizens for demos and benchmarks: realistic enough to exercise every rule, fake enough to publish.

Every column is drawn with NumPy over whole arrays (a million rows in seconds, not an hour of per-row Python), from a
seeded generator, so the same ``--seed`` gives the same file byte for byte. What makes the data look real:

* households of 2–6 people around a head (chủ hộ): a spouse, children, sometimes the head's parents or, for older
  heads, grandchildren; children carry their father's family name;
* family names weighted by their share of the population (Nguyễn about 38 %, Trần 12 %, Lê 9.5 %, …, with the
  northern spellings Hoàng and Vũ far ahead of Huỳnh and Võ in Hà Nội); middle names that say the sex and the
  generation (Văn and Thị for older people); given names by sex;
* ID numbers in the legacy structure of Circular 59/2021/TT-BCA (see ``smartcity.lib.idnumber``): the
  province code, the sex/century digit, the two-digit birth year, six random digits — unique in the file;
* residence in the province's real 2025 communes as loaded in the database, drawn uniformly: the 2025 reform merged
  communes into units of comparable population, so weighting by area would empty the city centre;
* ethnicity mostly Kinh, one per household;
* births counted back from a fixed reference day (1 July 2025), so a seed gives the same file whatever the date.

The file has the columns that ``smartcity.population.importing`` reads and imports without rejections.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smartcity.lib.text import fold
from smartcity.places.models import Level, Structure, Unit
from smartcity.population.importing import COLUMNS, HEAD

REFERENCE_DAY = dt.date(2025, 7, 1)

# Family names and their approximate share of the population (the common ones as published in surveys of
# Vietnamese names; the tail spread over frequent northern names). Weights need not sum to 1.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.6), ("Huỳnh", 0.5), ("Phan", 4.5),
    ("Vũ", 3.4), ("Võ", 0.5), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.7), ("Đào", 0.7), ("Lương", 0.5), ("Mai", 0.5),
    ("Tạ", 0.4), ("Cao", 0.4), ("Lâm", 0.3), ("Hà", 0.5), ("Tô", 0.3), ("Chu", 0.4), ("Kiều", 0.3),
    ("Quách", 0.2), ("Phùng", 0.4), ("Khúc", 0.1), ("Nghiêm", 0.2), ("Đàm", 0.2), ("Triệu", 0.3), ("Lại", 0.2),
    ("Lưu", 0.3), ("Thái", 0.1), ("Vương", 0.1), ("Tăng", 0.1), ("Nông", 0.1),
)
# Middle names; the first of each list (Văn, Thị) is the traditional one, far more frequent among older people.
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Công", "Đình", "Ngọc", "Trọng", "Tiến",
               "Mạnh", "Hoàng", "Gia", "Bảo", "Anh", "Duy", "Trung", "Việt")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Thùy", "Phương", "Bảo", "Khánh", "Hồng", "Mai", "Diệu",
                 "Hải", "Quỳnh", "Kim", "Lan", "Hoài", "Thảo", "Huyền", "Vân")
GIVEN_MALE = ("An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hiếu",
              "Hiệp", "Hoàng", "Hùng", "Huy", "Hưng", "Khải", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc",
              "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng",
              "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hòa", "Thái")
GIVEN_FEMALE = ("Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ",
                "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
                "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trâm", "Uyên", "Vân",
                "Yến", "Hậu", "Thư", "Vy")
# Hà Nội's population by ethnicity (2019 census, rounded): almost all Kinh, then Mường, Tày, Thái, Nùng, Dao, Hoa.
ETHNIC_MIX: tuple[tuple[str, float], ...] = (
    ("Kinh", 98.6), ("Mường", 0.8), ("Tày", 0.25), ("Thái", 0.1), ("Nùng", 0.1), ("Dao", 0.08), ("Hoa", 0.07),
)
HOUSEHOLD_SIZES = ((2, 0.26), (3, 0.28), (4, 0.27), (5, 0.12), (6, 0.07))
PHONE_PREFIXES = ("09", "03", "08", "07", "05")

# Roles within a household.
_HEAD, _SPOUSE, _CHILD, _GRANDCHILD, _PARENT = range(5)


@dataclass(frozen=True)
class SynthResult:
    rows: int
    households: int
    seed: int


def _p(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _objects(values: Sequence[str]) -> np.ndarray:
    """An object array of Python strings: NumPy indexes it and ``+`` concatenates element-wise at C speed."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _folded(values: Sequence[str]) -> np.ndarray:
    """The names without diacritics, for e-mail addresses: "Nguyễn" → "nguyen"."""
    return _objects([fold(v).replace(" ", "") for v in values])


def commune_keys(province: str) -> list[tuple[str, str]]:
    """(unit key, unit type) of the province's 2025 communes, in code order; the synthetic people live there."""
    rows = list(
        Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code=province)
        .order_by("code").values_list("structure", "level", "code", "unit_type")
    )
    if not rows:
        raise LookupError(f"Chưa nạp đơn vị hành chính của tỉnh {province}: chạy `smartcity places load --province {province}`")
    return [(f"{s}:{lvl}:{code}", unit_type) for s, lvl, code, unit_type in rows]


class _Population:
    """All the numbers of ``n`` synthetic people, as arrays; strings are made chunk by chunk when written."""

    def __init__(self, n: int, *, province: str, seed: int, communes: list[tuple[str, str]]) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.rng = rng
        self.province = province
        self.communes = communes

        # Households: sizes until n people are covered (the last one cut to fit).
        sizes_v, sizes_p = zip(*HOUSEHOLD_SIZES, strict=True)
        sizes = rng.choice(np.array(sizes_v), size=n // 3 + 8, p=_p(sizes_p))
        while sizes.sum() < n:  # households average more than 3 people: this almost never runs
            sizes = np.concatenate((sizes, rng.choice(np.array(sizes_v), size=n // 10 + 8, p=_p(sizes_p))))
        ends = np.cumsum(sizes)
        h = int(np.searchsorted(ends, n)) + 1
        sizes, ends = sizes[:h].copy(), ends[:h]
        sizes[-1] -= int(ends[-1]) - n
        self.households = h
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        hh = np.repeat(np.arange(h), sizes)  # household index of each person
        slot = np.arange(n) - starts[hh]  # position within the household, 0 = head
        size = sizes[hh]

        # The head of each household, and who lives with them.
        head_male = rng.random(h) < 0.72
        head_age = np.clip(np.rint(rng.normal(47, 13, h)), 22, 92).astype(np.int64)
        has_spouse = (rng.random(h) < 0.88) & (sizes >= 2)
        head_age = np.maximum(head_age, 23 + 2 * (sizes - 1 - has_spouse))  # old enough for their children
        n_parents = np.where((sizes >= 5) & (head_age < 58) & (rng.random(h) < 0.6),
                             np.minimum(2, sizes - 1 - has_spouse), 0)
        role = np.full(n, _CHILD)
        role[slot == 0] = _HEAD
        role[(slot == 1) & has_spouse[hh]] = _SPOUSE
        role[(slot >= size - n_parents[hh]) & (slot > 0)] = _PARENT
        # Older heads: the third child and beyond are grandchildren.
        child_rank = slot - 1 - has_spouse[hh]  # 0 for the first child
        role[(role == _CHILD) & (head_age[hh] >= 62) & (child_rank >= 2)] = _GRANDCHILD
        self.role = role

        # Sex: the spouse is of the other sex; of two parents the first is the father.
        hm = head_male[hh]
        male = rng.random(n) < 0.5
        male[role == _HEAD] = hm[role == _HEAD]
        male[role == _SPOUSE] = ~hm[role == _SPOUSE]
        two_parents = (role == _PARENT) & (n_parents[hh] == 2)
        male[two_parents] = slot[two_parents] == size[two_parents] - 2
        self.male = male

        # Ages, then dates of birth counted back from the reference day.
        ha = head_age[hh]
        age = ha.copy()
        spouse_gap = rng.integers(0, 7, n)
        age = np.where(role == _SPOUSE, np.where(hm, ha - spouse_gap, ha + spouse_gap), age)
        # The first child is born when the head is 22 to 29, the next ones two years or more apart; a young head's
        # youngest children are infants rather than unborn.
        eldest = ha - 22 - 2 * child_rank
        age = np.where(role == _CHILD, eldest - np.floor(rng.random(n) * np.clip(eldest + 1, 1, 8)).astype(np.int64),
                       age)
        age = np.where(role == _GRANDCHILD, ha - 46 - rng.integers(0, 14, n), age)
        age = np.where(role == _PARENT, ha + rng.integers(21, 34, n), age)
        age = np.clip(age, 0, 100)
        age[role == _SPOUSE] = np.maximum(age[role == _SPOUSE], 18)
        days_old = age * 365 + rng.integers(0, 365, n)
        dob = np.datetime64(REFERENCE_DAY.isoformat(), "D") - days_old.astype("timedelta64[D]")
        self.dob = dob
        year = dob.astype("datetime64[Y]").astype(np.int64) + 1970

        # ID numbers: province, sex/century digit, two-digit year, six random digits; redraw the few clashes.
        century_digit = (year - 1900) // 100 * 2 + (~male).astype(np.int64)
        base = (int(province) * 10 + century_digit) * 10**8 + (year % 100) * 10**6
        ids = base + rng.integers(0, 10**6, n)
        while True:
            _, first = np.unique(ids, return_index=True)
            clash = np.ones(n, dtype=bool)
            clash[first] = False
            if not clash.any():
                break
            ids[clash] = base[clash] + rng.integers(0, 10**6, int(clash.sum()))
        self.ids = ids

        # Names: a household's children (and grandchildren) carry the father's family name, a head's father too.
        fam_p = _p([w for _, w in FAMILY_NAMES])
        own_family = rng.choice(len(FAMILY_NAMES), size=n, p=fam_p)
        head_family = own_family[starts]
        spouse_family = own_family[np.minimum(starts + 1, n - 1)]
        father_line = np.where(head_male | ~has_spouse, head_family, spouse_family)[hh]
        family = own_family.copy()
        descendant = (role == _CHILD) | (role == _GRANDCHILD)
        family[descendant] = father_line[descendant]
        family[(role == _PARENT) & male] = head_family[hh][(role == _PARENT) & male]
        self.family = family
        traditional = rng.random(n) < np.where(year < 1975, 0.75, np.where(year < 1995, 0.5, 0.2))
        self.middle = np.where(traditional, 0, rng.integers(1, len(MIDDLE_MALE), n))
        self.given = np.where(male, rng.integers(0, len(GIVEN_MALE), n), rng.integers(0, len(GIVEN_FEMALE), n))

        # One ethnicity, one commune and one address per household.
        self.ethnicity = rng.choice(len(ETHNIC_MIX), size=h, p=_p([w for _, w in ETHNIC_MIX]))[hh]
        self.unit = rng.integers(0, len(communes), h)[hh]
        self.house = rng.integers(1, 300, h)[hh]
        self.group = rng.integers(1, 40, h)[hh]
        self.hh = hh
        self.household_prefix = f"{int(province):02d}{int(rng.integers(0, 10**6)):06d}"

        # A few live elsewhere in the province for now (students, workers): a temporary residence.
        self.temporary = (age >= 18) & (rng.random(n) < 0.06)
        self.temp_unit = rng.integers(0, len(communes), n)
        self.temp_house = rng.integers(1, 500, n)
        # Phones for most people over 14, e-mail addresses for some adults.
        self.has_phone = (age >= 15) & (rng.random(n) < 0.9)
        self.phone_prefix = rng.integers(0, len(PHONE_PREFIXES), n)
        self.phone_rest = rng.integers(0, 10**8, n)
        self.has_email = (age >= 18) & (rng.random(n) < 0.25)
        self.email_digits = rng.integers(10, 10_000, n)

    def rows(self, start: int, stop: int) -> list[tuple[str, ...]]:
        """CSV rows ``start:stop`` in the order of ``importing.COLUMNS``."""
        s = slice(start, stop)
        male = self.male[s]
        given_m = np.minimum(self.given[s], len(GIVEN_MALE) - 1)
        given_f = np.minimum(self.given[s], len(GIVEN_FEMALE) - 1)
        family_names = [name for name, _ in FAMILY_NAMES]
        family = _objects(family_names)[self.family[s]]
        middles = np.where(male, _objects(MIDDLE_MALE)[self.middle[s]], _objects(MIDDLE_FEMALE)[self.middle[s]])
        givens = np.where(male, _objects(GIVEN_MALE)[given_m], _objects(GIVEN_FEMALE)[given_f])
        full_name = family + " " + middles + " " + givens
        keys = _objects([key for key, _ in self.communes])
        is_ward = np.array([unit_type.startswith("Phường") for _, unit_type in self.communes])
        unit = self.unit[s]
        address = np.where(is_ward[unit], "Số " + self.house[s].astype(str).astype(object) + ", tổ dân phố "
                           + self.group[s].astype(str).astype(object),
                           "Xóm " + self.group[s].astype(str).astype(object))
        temporary = self.temporary[s]
        temp_unit = np.where(temporary, keys[self.temp_unit[s]], "")
        temp_address = np.where(temporary, "Số " + self.temp_house[s].astype(str).astype(object), "")
        phone = np.where(self.has_phone[s], _objects(PHONE_PREFIXES)[self.phone_prefix[s]]
                         + np.char.zfill(self.phone_rest[s].astype(str), 8).astype(object), "")
        folded_given = np.where(male, _folded(GIVEN_MALE)[given_m], _folded(GIVEN_FEMALE)[given_f])
        folded_family = _folded(family_names)[self.family[s]]
        email = np.where(self.has_email[s], folded_given + "." + folded_family
                         + self.email_digits[s].astype(str).astype(object) + "@example.vn", "")
        relation = np.full(stop - start, "Con", dtype=object)
        role = self.role[s]
        relation[role == _HEAD] = HEAD
        relation[(role == _SPOUSE) & male] = "Chồng"
        relation[(role == _SPOUSE) & ~male] = "Vợ"
        relation[role == _GRANDCHILD] = "Cháu"
        relation[(role == _PARENT) & male] = "Bố"
        relation[(role == _PARENT) & ~male] = "Mẹ"
        household = self.household_prefix + np.char.zfill(self.hh[s].astype(str), 8).astype(object)
        columns = {
            "id_number": np.char.zfill(self.ids[s].astype(str), 12).tolist(),
            "full_name": full_name.tolist(),
            "date_of_birth": self.dob[s].astype(str).tolist(),
            "sex": np.where(male, "M", "F").tolist(),
            "ethnicity": _objects([name for name, _ in ETHNIC_MIX])[self.ethnicity[s]].tolist(),
            "nationality": ["VN"] * (stop - start),
            "permanent_unit": keys[unit].tolist(),
            "permanent_address": address.tolist(),
            "temporary_unit": temp_unit.tolist(),
            "temporary_address": temp_address.tolist(),
            "phone": phone.tolist(),
            "email": email.tolist(),
            "household_code": household.tolist(),
            "relation_to_head": relation.tolist(),
        }
        return list(zip(*(columns[c] for c in COLUMNS), strict=True))


def write_csv(
    path: Path | str,
    *,
    n: int,
    province: str = "01",
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = 100_000,
) -> SynthResult:
    """Write ``n`` synthetic citizens of ``province`` (whose 2025 communes must be loaded) to a UTF-8 CSV file.

    Without a seed one is drawn and returned, so a run can always be repeated.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    province = f"{int(province):02d}"
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**31))
    people = _Population(n, province=province, seed=seed, communes=commune_keys(province))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for start in range(0, n, chunk_rows):
            stop = min(n, start + chunk_rows)
            writer.writerows(people.rows(start, stop))
            if progress:
                progress(stop - start)
    return SynthResult(rows=n, households=people.households, seed=seed)
