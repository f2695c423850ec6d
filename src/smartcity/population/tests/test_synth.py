"""`smartcity population synth`: synthetic citizens that look Vietnamese, whose ID numbers agree with their sex and
birth year, who live in households in Hà Nội's real communes, the same for the same seed, and import cleanly."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from smartcity.lib.idnumber import sex_century_digit, structure_warnings
from smartcity.lib.text import fold
from smartcity.places.models import Level, Structure, Unit
from smartcity.population import synth
from smartcity.population.ethnicities import ETHNICITIES
from smartcity.population.importing import COLUMNS, HEAD, import_citizens
from smartcity.population.models import Citizen, Household

pytestmark = pytest.mark.django_db

N = 3000


@pytest.fixture
def people(tmp_path) -> list[dict[str, str]]:
    path = tmp_path / "synth.csv"
    synth.write_csv(path, n=N, seed=42)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_id_numbers_are_unique_and_agree_with_sex_and_birth_year(people):
    assert len(people) == N
    assert len({p["id_number"] for p in people}) == N
    for p in people:
        number, born = p["id_number"], dt.date.fromisoformat(p["date_of_birth"])
        assert len(number) == 12 and number.isdigit()
        assert number[:3] == "001"  # Hà Nội
        assert int(number[3]) == sex_century_digit(p["sex"], born.year)
        assert number[4:6] == f"{born.year % 100:02d}"
        assert structure_warnings(number, sex=p["sex"], date_of_birth=born, province_codes={"01"}) == []


def test_names_are_vietnamese_with_diacritics_and_nguyen_is_the_most_common(people):
    family_names = {name for name, _ in synth.FAMILY_NAMES}
    families = Counter(p["full_name"].split()[0] for p in people)
    assert set(families) <= family_names
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert 0.30 < families["Nguyễn"] / N < 0.46
    for p in people:
        family, middle, given = p["full_name"].split(" ")
        assert middle in (synth.MIDDLE_MALE if p["sex"] == "M" else synth.MIDDLE_FEMALE)
        assert given in (synth.GIVEN_MALE if p["sex"] == "M" else synth.GIVEN_FEMALE)
    with_diacritics = sum(fold(p["full_name"]) != p["full_name"].lower() for p in people)
    assert with_diacritics / N > 0.9


def test_households_have_one_head_two_to_six_members_and_one_home(people):
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in people:
        households[p["household_code"]].append(p)
    communes = set(
        Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01")
        .values_list("code", flat=True))
    sizes = Counter(len(members) for members in households.values())
    assert set(sizes) <= {1, 2, 3, 4, 5, 6} and sizes[1] <= 1  # only the last household may be cut short
    for members in households.values():
        heads = [m for m in members if m["relation_to_head"] == HEAD]
        assert len(heads) == 1 and members[0] is heads[0]
        head = heads[0]
        assert {(m["permanent_unit"], m["permanent_address"]) for m in members} == {
            (head["permanent_unit"], head["permanent_address"])}
        assert head["permanent_unit"].split(":")[2] in communes
        for m in members:
            relation, born = m["relation_to_head"], dt.date.fromisoformat(m["date_of_birth"])
            assert relation in {HEAD, "Vợ", "Chồng", "Con", "Cháu", "Bố", "Mẹ"}
            if relation in {"Vợ", "Chồng"}:
                assert m["sex"] != head["sex"] and (relation == "Vợ") == (m["sex"] == "F")
            if relation in {"Bố", "Mẹ"}:
                assert born < dt.date.fromisoformat(head["date_of_birth"])
            if relation in {"Con", "Cháu"} and head["sex"] == "M":
                assert m["full_name"].split()[0] == head["full_name"].split()[0]  # the father's family name
    assert all(dt.date.fromisoformat(p["date_of_birth"]) <= synth.REFERENCE_DAY for p in people)


def test_ethnicities_are_real_and_mostly_kinh(people):
    ethnicities = Counter(p["ethnicity"] for p in people)
    assert set(ethnicities) <= set(ETHNICITIES)
    assert ethnicities["Kinh"] / N > 0.95


def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path):
    a, b, c = (tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv")
    made = synth.write_csv(a, n=500, seed=7)
    synth.write_csv(b, n=500, seed=7, chunk_rows=64)
    synth.write_csv(c, n=500, seed=8)

    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert (made.rows, made.seed) == (500, 7)


def test_a_synthetic_file_imports_without_a_single_rejection(tmp_path):
    path = tmp_path / "synth.csv"
    made = synth.write_csv(path, n=1200, seed=3)

    result = import_citizens(path=path)

    assert (result.rows, result.inserted, result.rejected, result.warnings) == (1200, 1200, 0, 0)
    assert result.households == made.households == Household.objects.count()
    assert not Household.objects.filter(head__isnull=True).exists()
    assert not Citizen.objects.filter(household__isnull=True).exists()


def test_the_synth_command_writes_a_file_or_imports_directly(tmp_path: Path, capsys):
    out = tmp_path / "demo.csv"
    call_command("population", "-v", "0", "synth", "--n", "50", "--seed", "11", "--out", str(out))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 51
    assert Citizen.objects.count() == 0

    call_command("population", "-v", "0", "synth", "--n", "50", "--seed", "11")

    assert Citizen.objects.count() == 50
    assert "50 dòng: thêm mới 50, không đổi 0, bị từ chối 0" in capsys.readouterr().out
