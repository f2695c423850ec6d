"""Bulk import of citizens from a CSV file (`smartcity population import FILE.csv`).

A registry is filled from exports of other systems: hundreds of thousands of rows at a time, some of them wrong.
The import keeps the good rows, names every bad one (row, column, reason), and can be run again on the same file
without changing anything. How, and why:

1. **The file is checked before anything is written.** It is read once as bytes: it must be UTF-8 (a file saved as
   Windows-1258 or Latin-1 is refused, naming the first bad byte and its line), and its header must hold the
   required columns and no unknown ones (a typo in a column name would otherwise drop a column silently).
2. **Each row is validated by** ``population.services.validate_citizen`` — the rules live there, once; this module
   only turns text into values (dates in either form, ``Nam``/``Nữ``, unit keys looked up once per distinct key).
   Good rows go into a temporary staging table private to this database connection: a COPY on PostgreSQL that the
   server ingests while the next rows are validated, ``executemany`` on SQLite.
3. **Checks that need the whole file or the registry run as set-based SQL on the staging table**: an ID number that
   appears twice in the file (the later row is rejected), a second head for one household, a head for a household
   whose head is already someone else, a member of a household that is neither in the registry nor headed in the
   file. Because they run before the first write, a household's members may come before or after its head.
4. **Writes go chunk by chunk** (50,000 rows, each chunk one transaction, so a million rows need little memory and
   a failure loses one chunk, not the file): first the households the chunk is the first to name, each with the
   unit and address of its head and the head itself (new citizens' ids are drawn before they are written, so no
   household has to be updated afterwards), then the citizens in one ``INSERT … SELECT … ON CONFLICT (id_number)
   DO NOTHING`` — a person already in the registry is left exactly as they are and counted as *unchanged*, which
   makes a second run a no-op. A household whose head comes in a later chunk gets its head with that chunk.
5. **One audit entry** per import, with the counts and the file's SHA-256, never an ID number.

An ID number whose province, sex/century digit or birth year disagrees with the row's sex and date of birth is
refused like any other bad value (``lib.idnumber.check_structure``): the row is in the error report, not the registry.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.lib.errors import Forbidden, Invalid, ServiceError
from smartcity.lib.principal import Principal
from smartcity.lib.text import fold
from smartcity.places.models import Unit
from smartcity.places.services import get_unit
from smartcity.population import services as population
from smartcity.population.models import Citizen, Household
from smartcity.population.services import CitizenData, validate_citizen

# The columns of an import file, in the order ``smartcity population synth`` writes them.
COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "sex", "ethnicity", "nationality", "permanent_unit",
    "permanent_address", "temporary_unit", "temporary_address", "phone", "email", "household_code",
    "relation_to_head",
)
REQUIRED: tuple[str, ...] = ("id_number", "full_name", "date_of_birth", "sex", "permanent_unit")
HEAD = "Chủ hộ"  # the relation that makes a member the head of the household
CHUNK_ROWS = 50_000

_STAGE = "import_stage"
_REJECTS = "import_rejects"
_HEADS = "import_heads"
_CITIZEN = Citizen._meta.db_table
_HOUSEHOLD = Household._meta.db_table
# Text that must fit the model's columns (a too-long value would fail a whole chunk on PostgreSQL), as
# (position in a staging row, column, maximum length).
_LIMITS: tuple[tuple[int, str, int], ...] = tuple(
    (position, name, int(getattr(model._meta.get_field(attr), "max_length", 0) or 0))
    for position, name, model, attr in (
        (3, "full_name", Citizen, "full_name"), (6, "ethnicity", Citizen, "ethnicity"),
        (9, "permanent_address", Citizen, "permanent_address"), (11, "temporary_address", Citizen, "temporary_address"),
        (12, "phone", Citizen, "phone"), (13, "email", Citizen, "email"), (14, "household_code", Household, "code"),
        (15, "relation_to_head", Citizen, "relation_to_head"),
    )
)
_SEX = {"M": "M", "m": "M", "F": "F", "f": "F", "Nam": "M", "nam": "M", "NAM": "M", "Nữ": "F", "nữ": "F", "NỮ": "F"}
_SEX_FOLDED = {"m": "M", "nam": "M", "f": "F", "nu": "F", "male": "M", "female": "F"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected. ``row`` counts like a spreadsheet: the header is row 1, the first person row 2."""

    row: int
    field: str
    reason: str


@dataclass
class ImportResult:
    """What an import did: the counts the command prints and the audit entry keeps, and the rejected rows."""

    file: str
    sha256: str
    rows: int = 0  # person rows read (blank lines are not counted)
    inserted: int = 0  # new citizens
    unchanged: int = 0  # already in the registry (by ID number), left as they were
    rejected: int = 0
    households: int = 0  # new households
    warnings: int = 0  # rows kept with ID-structure warnings
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows, "inserted": self.inserted,
                "unchanged": self.unchanged, "rejected": self.rejected, "households": self.households,
                "warnings": self.warnings}


class Progress(Protocol):
    """What the import reports as it goes (the command shows it as progress bars)."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, rows: int) -> None: ...


@dataclass(frozen=True)
class _FileInfo:
    header: list[str]
    lines: int
    sha256: str


# ------------------------------------------------------------------------------------------------ the use case


def import_citizens(
    *, path: Path | str, actor: Principal | None = None, progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportResult:
    """Import the citizens of a UTF-8 CSV file; return the counts and the rejected rows.

    ``actor`` is the staff user on whose behalf the file is imported: they need an administrator role, and rows
    of people living outside their jurisdiction are rejected. ``None`` is the operator at the command line.
    Raises ``Invalid`` (field ``file``) for a file that is not UTF-8 or whose columns are wrong, before anything
    is written.
    """
    path = Path(path)
    info = _inspect(path)
    scope_units: frozenset[int] | None = None
    scope = None
    if actor is not None:
        scope = agencies.scope_of(actor, population.REGISTER_ROLES)
        if not scope.memberships:
            raise Forbidden("Chỉ quản trị viên của cơ quan mới được nhập dữ liệu dân cư")
        scope_units = scope.unit_ids
    result = ImportResult(file=path.name, sha256=info.sha256)
    stage = _Stage()
    who = agencies.actor_for(actor, scope) if actor is not None else audit.Actor(
        user=None, label="Quản trị hệ thống (dòng lệnh)")
    try:
        stage.create()
        if progress:
            progress.phase("kiểm tra", max(info.lines - 1, 0))
        chunks = _stage_file(path, info.header, stage, result, scope_units, progress, chunk_rows)
        stage.check()
        sizes = stage.chunk_sizes()
        if progress:
            progress.phase("ghi", sum(sizes.values()))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for chunk in range(chunks):
            if not sizes.get(chunk):
                continue
            with transaction.atomic():
                households, inserted = stage.write(chunk, now)
            result.households += households
            result.inserted += inserted
            result.unchanged += sizes[chunk] - inserted
            if progress:
                progress.advance(sizes[chunk])
        result.errors = sorted(result.errors + stage.rejects(), key=lambda e: e.row)
        result.rejected = len(result.errors)
        result.warnings = stage.warnings()
    except BaseException:
        # The chunks written before the failure stay written, and are audited as such.
        with suppress(DatabaseError):
            stage.drop()
            if result.inserted or result.households:
                audit.record(actor=who, action=Action.CREATE, subject_type="population.import",
                             detail={**result.counts(), "completed": False})
        raise
    stage.drop()
    audit.record(actor=who, action=Action.CREATE, subject_type="population.import",
                 detail={**result.counts(), "completed": True})
    return result


def write_report(errors: list[RowError], path: Path | str) -> None:
    """The rejected rows as CSV (row, field, reason), for whoever fixes the source file."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("row", "field", "reason"))
        writer.writerows((e.row, e.field, e.reason) for e in errors)


# ------------------------------------------------------------------------------------------ reading the file


def _inspect(path: Path) -> _FileInfo:
    """Refuse a file that is not UTF-8 or has the wrong columns; count its lines and hash it (one read)."""
    if not path.is_file():
        raise Invalid(f"Không tìm thấy tệp {path}", field="file")
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    digest = hashlib.sha256()
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start]
                line = lines + exc.object.count(b"\n", 0, exc.start) + 1
                raise Invalid(
                    f"Tệp không được mã hóa UTF-8: byte 0x{bad:02X} ở dòng {line} không đọc được. Hãy lưu tệp "
                    "dưới dạng CSV UTF-8 (the file is not UTF-8 — was it saved as Windows-1258 or Latin-1?)",
                    field="file",
                ) from None
            lines += block.count(b"\n")
            last = block[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Invalid("Tệp không được mã hóa UTF-8: bị cắt giữa một ký tự ở cuối tệp", field="file") from None
    if last != b"\n":
        lines += 1
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = [name.strip().lower() for name in next(csv.reader(fh), [])]
    if not any(header):
        raise Invalid("Tệp trống: dòng đầu phải là tiêu đề cột", field="file")
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"thiếu cột bắt buộc: {', '.join(missing)}")
    if unknown:
        problems.append(f"cột không được hỗ trợ: {', '.join(repr(n) for n in unknown)}")
    if repeated:
        problems.append(f"cột lặp lại: {', '.join(repeated)}")
    if problems:
        raise Invalid(
            f"Tiêu đề của tệp không đúng — {'; '.join(problems)}. Các cột được hỗ trợ: {', '.join(COLUMNS)}",
            field="file",
        )
    return _FileInfo(header=header, lines=lines, sha256=digest.hexdigest())


class _Lines:
    """The file's lines in Unicode NFC (a name typed on a Mac arrives decomposed and would not match the list of
    ethnicities), remembering whether the lines of the current record held a NUL, which PostgreSQL cannot store.

    Text is normalised a megabyte at a time, cut after a line end: one call instead of one per line.
    """

    def __init__(self, fh: TextIO) -> None:
        self.fh = fh
        self.nul = False

    def __iter__(self) -> Iterator[str]:
        carry = ""
        while True:
            block = self.fh.read(1 << 20)
            if not block:
                break
            block = carry + block
            cut = block.rfind("\n") + 1
            carry, block = block[cut:], block[:cut]
            if block:
                yield from self._lines(block)
        if carry:
            yield from self._lines(carry)

    def _lines(self, block: str) -> Iterator[str]:
        if not block.isascii():
            block = unicodedata.normalize("NFC", block)
        lines = io.StringIO(block, newline="")  # splits like the file itself: on \n, \r\n and \r only
        if "\x00" not in block:
            yield from lines
            return
        for line in lines:
            if "\x00" in line:
                self.nul = True
            yield line


def _parse_date(text: str) -> dt.date:
    value = text.strip()
    match = _ISO_DATE.match(value)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _VN_DATE.match(value)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise Invalid(f"Ngày sinh không có thật: {value}", field="date_of_birth") from None
    raise Invalid("Ngày sinh phải có dạng YYYY-MM-DD hoặc DD/MM/YYYY", field="date_of_birth")


class _RowParser:
    """Text of one row → the values of a staging row. The rules are ``validate_citizen``'s; this only reads text
    into values, and looks each distinct unit key and date up once."""

    def __init__(
        self, header: list[str], *, scope_units: frozenset[int] | None, before_query: Callable[[], None]
    ) -> None:
        absent = len(header)  # optional columns the file lacks read the empty string appended to each row
        self.positions = tuple(header.index(name) if name in header else absent for name in COLUMNS)
        self.scope_units = scope_units
        self.today = timezone.localdate()
        self.provinces = frozenset(population.province_codes())  # read once, not once per row
        self.dates: dict[str, dt.date] = {}
        self.units: dict[str, Unit] = {}
        self.unit_errors: dict[str, ServiceError] = {}
        self.heads: dict[str, bool] = {HEAD: True, "": False}
        self.before_query = before_query  # the connection may be busy staging rows

    def unit(self, key: str, column: str) -> Unit:
        """The unit for a key (found once per distinct key); errors name the column."""
        unit = self.units.get(key)
        if unit is not None:
            return unit
        error = self.unit_errors.get(key)
        if error is None:
            self.before_query()
            try:
                unit = self.units[key] = get_unit(key.strip())
                return unit
            except ServiceError as exc:
                error = self.unit_errors[key] = exc
        raise Invalid(error.message, field=column)

    def is_head(self, relation: str) -> bool:
        known = self.heads.get(relation)
        if known is None:
            known = self.heads[relation] = fold(relation) == fold(HEAD)
        return known

    def __call__(self, row: list[str], row_no: int, chunk: int) -> tuple[Any, ...]:
        (i_id, i_name, i_dob, i_sex, i_ethnicity, i_nationality, i_unit, i_address, i_temp_unit, i_temp_address,
         i_phone, i_email, i_household, i_relation) = self.positions
        row.append("")
        dob = self.dates.get(row[i_dob])
        if dob is None:
            dob = self.dates[row[i_dob]] = _parse_date(row[i_dob])
        sex = row[i_sex].strip()
        sex = _SEX.get(sex) or _SEX_FOLDED.get(fold(sex), sex)
        phone = row[i_phone].strip()
        if phone and not phone.isdigit():
            phone = _PHONE_SEPARATORS.sub("", phone)
        temp_key = row[i_temp_unit].strip()
        data = CitizenData(
            id_number=row[i_id],
            full_name=row[i_name],
            date_of_birth=dob,
            sex=sex,
            permanent_unit=self.units.get(row[i_unit]) or self.unit(row[i_unit], "permanent_unit"),
            ethnicity=row[i_ethnicity].strip() or "Kinh",
            nationality=row[i_nationality].strip().upper() or "VN",
            permanent_address=" ".join(row[i_address].split()),
            temporary_unit=(self.units.get(temp_key) or self.unit(temp_key, "temporary_unit")) if temp_key else None,
            temporary_address=" ".join(row[i_temp_address].split()),
            phone=phone,
            email=row[i_email].strip(),
        )
        warnings = validate_citizen(data, today=self.today, provinces=self.provinces)
        unit_id = data.permanent_unit.pk
        if self.scope_units is not None and unit_id not in self.scope_units:
            raise Invalid("Nơi thường trú ngoài địa bàn của cơ quan bạn", field="permanent_unit")
        household = row[i_household].strip()
        relation = " ".join(row[i_relation].split())
        if relation and not household:
            raise Invalid("Có quan hệ với chủ hộ nhưng thiếu số hộ", field="household_code")
        temp = data.temporary_unit
        staged: tuple[Any, ...] = (
            row_no, chunk, data.id_number, data.full_name, data.date_of_birth, data.sex, data.ethnicity,
            data.nationality, unit_id, data.permanent_address, temp.pk if temp is not None else None,
            data.temporary_address, data.phone, data.email, household, relation, self.is_head(relation),
            json.dumps(warnings, ensure_ascii=False) if warnings else "[]",
        )
        for position, name, limit in _LIMITS:
            if len(staged[position]) > limit:
                raise Invalid(f"Quá dài (tối đa {limit} ký tự)", field=name)
        return staged


def _stage_file(
    path: Path,
    header: list[str],
    stage: _Stage,
    result: ImportResult,
    scope_units: frozenset[int] | None,
    progress: Progress | None,
    chunk_rows: int,
) -> int:
    """Validate every row, stage the good ones chunk by chunk; return the number of chunks."""
    parse = _RowParser(header, scope_units=scope_units, before_query=stage.flush)
    width = len(header)
    errors = result.errors
    chunk = staged = read = 0
    with path.open(encoding="utf-8-sig", newline="") as fh, stage.loading():
        lines = _Lines(fh)
        reader = csv.reader(lines)
        next(reader)
        row_no = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_no += 1
                result.rows += 1
                errors.append(RowError(row_no, "", f"Dòng CSV không đọc được: {exc}"))
                continue
            row_no += 1
            read += 1
            if not row:
                continue  # a blank line
            result.rows += 1
            if lines.nul:
                lines.nul = False
                errors.append(RowError(row_no, "", "Dòng chứa ký tự NUL"))
            elif len(row) != width:
                errors.append(RowError(row_no, "", f"Dòng có {len(row)} cột, tiêu đề có {width} cột"))
            else:
                try:
                    stage.add(parse(row, row_no, chunk))
                    staged += 1
                except ServiceError as exc:
                    errors.append(RowError(row_no, exc.field or "", exc.message))
                if staged == chunk_rows:
                    stage.flush()
                    chunk, staged = chunk + 1, 0
            if progress and read % 10_000 == 0:
                progress.advance(10_000)
    if progress:
        progress.advance(read % 10_000)
    return chunk + 1 if staged else chunk


# ------------------------------------------------------------------------------------- the staging tables


class _Stage:
    """Temporary tables of this connection: the good rows, the rows rejected by whole-file checks, the heads.

    The same set-based SQL runs on PostgreSQL and SQLite. What differs: the bulk load (COPY or ``executemany``),
    the JSON cast, and where a new citizen's id comes from. Ids are given to the staged rows before they are
    written, so that a household is created with its head in one insert (updating the households afterwards
    costs as much as inserting them again): on PostgreSQL the staging table draws them from the citizens'
    sequence as rows are copied in; on SQLite, which has one writer at a time, each chunk takes the ids above
    the largest one in use, inside its own transaction.
    """

    COLUMNS = ("row_no", "chunk", "id_number", "full_name", "date_of_birth", "sex", "ethnicity", "nationality",
               "permanent_unit_id", "permanent_address", "temporary_unit_id", "temporary_address", "phone", "email",
               "household_code", "relation_to_head", "is_head", "id_warnings")

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._batch: list[tuple[Any, ...]] = []
        self._copying: ExitStack | None = None
        self._copy: Any = None

    def _run(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def create(self) -> None:
        self.drop()
        if self.postgres:
            sequence = self._rows("SELECT pg_get_serial_sequence(%s, 'id')", [_CITIZEN])[0][0]
            new_id = "nextval('{}')".format(sequence.replace("'", "''"))
        else:
            new_id = "0"  # numbered chunk by chunk in write(); NULL marks a person already in the registry
        with transaction.atomic():
            self._run(
                f"CREATE TEMP TABLE {_STAGE} (row_no integer NOT NULL, chunk integer NOT NULL, "
                "id_number varchar(12) NOT NULL, full_name text NOT NULL, date_of_birth date NOT NULL, "
                "sex text NOT NULL, ethnicity text NOT NULL, nationality text NOT NULL, "
                "permanent_unit_id bigint NOT NULL, permanent_address text NOT NULL, temporary_unit_id bigint, "
                "temporary_address text NOT NULL, phone text NOT NULL, email text NOT NULL, "
                "household_code text NOT NULL, relation_to_head text NOT NULL, is_head boolean NOT NULL, "
                f"id_warnings text NOT NULL, citizen_id bigint DEFAULT {new_id})"
            )
            self._run(f"CREATE TEMP TABLE {_REJECTS} (row_no integer NOT NULL, field text NOT NULL, "
                      "reason text NOT NULL)")
            self._run(f"CREATE TEMP TABLE {_HEADS} (code text PRIMARY KEY, unit_id bigint NOT NULL, "
                      "address text NOT NULL, head_row integer NOT NULL, head_chunk integer NOT NULL, "
                      "first_chunk integer NOT NULL, citizen_id bigint)")

    def drop(self) -> None:
        with transaction.atomic():
            for table in (_STAGE, _REJECTS, _HEADS):
                self._run(f"DROP TABLE IF EXISTS {table}")

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Around the staging of the file: what ``add`` has not yet written is written at the end, or abandoned
        if the staging fails."""
        try:
            yield
        except BaseException:
            self._batch = []
            if self._copying is not None:
                self._copying.__exit__(*sys.exc_info())
                self._copying = self._copy = None
            raise
        self.flush()

    def add(self, row: tuple[Any, ...]) -> None:
        """Stage one row. On PostgreSQL it goes straight into an open COPY, which the server ingests while the
        next rows are being validated; on SQLite rows wait in a list for one ``executemany`` per chunk."""
        if not self.postgres:
            self._batch.append(row)
            return
        if self._copy is None:
            self._copying = ExitStack()
            cursor = self._copying.enter_context(connection.cursor())
            self._copy = self._copying.enter_context(
                cursor.cursor.copy(f"COPY {_STAGE} ({', '.join(self.COLUMNS)}) FROM STDIN"))
        self._copy.write_row(row)

    def flush(self) -> None:
        """Finish writing what ``add`` was given: at the end of a chunk, and before any other query."""
        if self._copying is not None:
            copying, self._copying, self._copy = self._copying, None, None
            copying.close()
        if self._batch:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {_STAGE} ({', '.join(self.COLUMNS)}) VALUES ({', '.join(['%s'] * len(self.COLUMNS))})",
                    self._batch,
                )
            self._batch = []

    def _reject(self, sql: str, params: list[Any]) -> None:
        """Move the rows that ``sql`` selects as (row_no, field, reason) from the stage to the rejects."""
        if self._run(f"INSERT INTO {_REJECTS} (row_no, field, reason) {sql}", params):
            self._run(f"DELETE FROM {_STAGE} WHERE row_no IN (SELECT row_no FROM {_REJECTS})")

    def check(self) -> None:
        """The rules that need the whole file, or the file and the registry together; then the heads table."""
        with transaction.atomic():
            if self.postgres:
                self._run("SET LOCAL work_mem = '256MB'")  # the GROUP BYs below hash a million rows in memory
            self._reject(
                f"SELECT s.row_no, 'id_number', %s || CAST(d.first_row AS text) FROM {_STAGE} s "
                f"JOIN (SELECT id_number, MIN(row_no) AS first_row FROM {_STAGE} GROUP BY id_number "
                "HAVING COUNT(*) > 1) d ON d.id_number = s.id_number WHERE s.row_no > d.first_row",
                ["Số định danh cá nhân trùng với dòng "],
            )
            self._reject(
                f"SELECT s.row_no, 'relation_to_head', %s || s.household_code || %s || CAST(f.first_row AS text) "
                f"FROM {_STAGE} s JOIN (SELECT household_code, MIN(row_no) AS first_row FROM {_STAGE} "
                "WHERE is_head GROUP BY household_code HAVING COUNT(*) > 1) f "
                "ON f.household_code = s.household_code WHERE s.is_head AND s.row_no > f.first_row",
                ["Hộ ", " đã có chủ hộ ở dòng "],
            )
            self._reject(
                f"SELECT s.row_no, 'relation_to_head', %s || s.household_code || %s FROM {_STAGE} s "
                f"JOIN {_HOUSEHOLD} h ON h.code = s.household_code JOIN {_CITIZEN} c ON c.id = h.head_id "
                "WHERE s.is_head AND c.id_number <> s.id_number",
                ["Hộ ", " đã có chủ hộ khác trong sổ"],
            )
            self._reject(
                f"SELECT s.row_no, 'household_code', %s || s.household_code || %s FROM {_STAGE} s "
                f"LEFT JOIN (SELECT DISTINCT household_code FROM {_STAGE} WHERE is_head) h "
                "ON h.household_code = s.household_code "
                "WHERE s.household_code <> '' AND NOT s.is_head AND h.household_code IS NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {_HOUSEHOLD} p WHERE p.code = s.household_code)",
                ["Hộ ", " chưa có trong sổ và tệp không có chủ hộ hợp lệ của hộ này"],
            )
            # People already in the registry are left as they are: no id, nothing to insert.
            self._run(f"UPDATE {_STAGE} SET citizen_id = NULL WHERE EXISTS "
                      f"(SELECT 1 FROM {_CITIZEN} c WHERE c.id_number = {_STAGE}.id_number)")
            # Each household is created with the chunk that first names it, from its head's row.
            self._run(
                f"INSERT INTO {_HEADS} (code, unit_id, address, head_row, head_chunk, first_chunk, citizen_id) "
                "SELECT s.household_code, s.permanent_unit_id, s.permanent_address, s.row_no, s.chunk, "
                "f.first_chunk, s.citizen_id "
                f"FROM {_STAGE} s JOIN (SELECT household_code, MIN(chunk) AS first_chunk FROM {_STAGE} "
                "WHERE household_code <> '' GROUP BY household_code) f ON f.household_code = s.household_code "
                "WHERE s.is_head"
            )
            self._run(f"CREATE INDEX {_STAGE}_chunk ON {_STAGE} (chunk)")
            self._run(f"CREATE INDEX {_HEADS}_first ON {_HEADS} (first_chunk)")
            self._run(f"CREATE INDEX {_HEADS}_head ON {_HEADS} (head_chunk)")

    def chunk_sizes(self) -> dict[int, int]:
        return dict(self._rows(f"SELECT chunk, COUNT(*) FROM {_STAGE} GROUP BY chunk"))

    def write(self, chunk: int, now: object) -> tuple[int, int]:
        """Households, citizens and late heads of one chunk; returns (households created, citizens inserted)."""
        if not self.postgres:
            # The chunk's rows take the ids above the largest in use (or ever used), numbered by row.
            offset = self._rows(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {_CITIZEN}), 0), COALESCE((SELECT seq FROM "
                f"sqlite_sequence WHERE name = '{_CITIZEN}'), 0)) + 1 - MIN(row_no) FROM {_STAGE} WHERE chunk = %s",
                [chunk],
            )[0][0]
            self._run(f"UPDATE {_STAGE} SET citizen_id = row_no + %s WHERE chunk = %s AND citizen_id IS NOT NULL",
                      [offset, chunk])
            self._run(f"UPDATE {_HEADS} SET citizen_id = head_row + %s WHERE head_chunk = %s "
                      "AND citizen_id IS NOT NULL", [offset, chunk])
        # A head in a later chunk is not in the registry yet: that household gets its head at the end of write().
        households = self._run(
            f"INSERT INTO {_HOUSEHOLD} (code, unit_id, address, head_id) "
            "SELECT code, unit_id, address, CASE WHEN head_chunk <= %s THEN citizen_id END "
            f"FROM {_HEADS} WHERE first_chunk = %s ON CONFLICT (code) DO NOTHING",
            [chunk, chunk],
        )
        warnings = "CAST(s.id_warnings AS jsonb)" if self.postgres else "s.id_warnings"
        inserted = self._run(
            f"INSERT INTO {_CITIZEN} (id, id_number, full_name, date_of_birth, sex, ethnicity, nationality, "
            "permanent_unit_id, permanent_address, temporary_unit_id, temporary_address, phone, email, "
            "household_id, relation_to_head, id_warnings, created_at, updated_at) "
            "SELECT s.citizen_id, s.id_number, s.full_name, s.date_of_birth, s.sex, s.ethnicity, s.nationality, "
            "s.permanent_unit_id, s.permanent_address, s.temporary_unit_id, s.temporary_address, s.phone, "
            f"s.email, h.id, s.relation_to_head, {warnings}, %s, %s "
            f"FROM {_STAGE} s LEFT JOIN {_HOUSEHOLD} h ON h.code = s.household_code "
            "WHERE s.chunk = %s AND s.citizen_id IS NOT NULL ON CONFLICT (id_number) DO NOTHING",
            [now, now, chunk],
        )
        self._run(
            f"UPDATE {_HOUSEHOLD} SET head_id = s.citizen_id FROM {_STAGE} s "
            f"WHERE s.chunk = %s AND s.is_head AND s.citizen_id IS NOT NULL "
            f"AND {_HOUSEHOLD}.code = s.household_code AND {_HOUSEHOLD}.head_id IS NULL",
            [chunk],
        )
        return households, inserted

    def rejects(self) -> list[RowError]:
        return [RowError(row, field, reason)
                for row, field, reason in self._rows(f"SELECT row_no, field, reason FROM {_REJECTS}")]

    def warnings(self) -> int:
        """Rows kept (inserted or unchanged) whose ID number disagrees with its legacy structure."""
        return int(self._rows(f"SELECT COUNT(*) FROM {_STAGE} WHERE id_warnings <> '[]'")[0][0])
