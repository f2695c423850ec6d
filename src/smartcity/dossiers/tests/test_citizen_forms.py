"""The submit page as a citizen meets it: every field with a hint and an example, places of residence picked from the
city's wards, ethnicity and nationality from their lists (as words), dates typed dd/mm/yyyy, and bad input answered
next to its field with everything typed kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from smartcity.dossiers.models import Dossier
from smartcity.dossiers.tests.test_lifecycle import birth_files, fill
from smartcity.population.ethnicities import ETHNICITIES
from smartcity.procedures.forms import build_form_class, guidance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_every_field_of_every_procedure_has_a_hint_or_an_example():
    from smartcity.procedures.models import ProcedureVersion

    missing = [(v.procedure.code, f["name"]) for v in ProcedureVersion.objects.select_related("procedure")
               for f in v.form if f["type"] not in ("text", "choice") and guidance(f) == ("", "")]
    assert missing == []


def test_the_submit_page_shows_hints_and_examples_described_by_the_fields(client, an):
    client.force_login(an)
    html = client.get("/ho-so/nop/1.001193/").content.decode()
    assert ('<small class="hint" id="hint-child_date_of_birth">Ngày/tháng/năm, dạng dd/mm/yyyy. Ví dụ: '
            '<span class="example">05/12/2026</span></small>') in html
    assert re.search(r'<input type="text" name="child_date_of_birth"[^>]*aria-describedby="hint-child_date_of_birth"',
                     html)
    assert 'placeholder="dd/mm/yyyy"' in html and 'type="date"' not in html
    assert "Bệnh viện Phụ sản Hà Nội, Phường Giảng Võ" in html  # the birthplace stays free text, with its example


def test_ethnicity_is_one_of_the_54_groups_and_nationality_a_country_by_name_viet_nam_first(client, an):
    client.force_login(an)
    html = client.get("/ho-so/nop/1.001193/").content.decode()
    assert options(html, "child_ethnicity") == ["—", *ETHNICITIES] and len(ETHNICITIES) == 54
    countries = options(html, "child_nationality")
    assert countries[:2] == ["—", "Việt Nam"] and "VN" not in countries and len(countries) == 250
    assert countries.index("Ấn Độ") < countries.index("Đan Mạch") < countries.index("Đức") < countries.index("Hàn Quốc")
    assert countries[-1] != "Đức"  # code-point order would put Đ… after Z…


def test_a_residence_is_a_street_and_a_ward_picked_from_the_city_list(client, an):
    client.force_login(an)
    html = client.get("/ho-so/nop/1.004222/").content.decode()  # Đăng ký thường trú
    assert 'name="new_address_0"' in html
    wards = options(html, "new_address_1")
    assert wards[0] == "— Chọn phường/xã —" and "Phường Ba Đình" in wards and len(wards) == 127
    assert wards.index("Phường Đống Đa") < wards.index("Phường Giảng Võ")


def test_a_residence_prefilled_from_the_registry_is_split_into_street_and_ward(client, an):
    client.force_login(an)
    html = client.get("/ho-so/nop/1.004873/").content.decode()  # tình trạng hôn nhân: nơi cư trú from the registry
    field = {"name": "residence"}
    assert f'name="{field["name"]}_0" value="12 Phan Đình Phùng"' in html
    assert re.search(rf'<select name="{field["name"]}_1"[^>]*>.*<option value="00004" selected>Phường Ba Đình</option>',
                     html, re.S)


def test_the_street_and_ward_are_stored_as_one_address_and_the_json_api_may_send_it_whole():
    spec = [{"name": "residence", "label": "Nơi cư trú", "type": "address", "required": True}]
    form = build_form_class(spec)(data={"residence_0": "5 Tràng Tiền", "residence_1": "00004"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["residence"] == "5 Tràng Tiền, Phường Ba Đình, Thành phố Hà Nội"
    whole = build_form_class(spec)(data={"residence": "5 Tràng Tiền, Phường Ba Đình, Hà Nội"})
    assert whole.is_valid() and whole.cleaned_data["residence"] == "5 Tràng Tiền, Phường Ba Đình, Hà Nội"
    no_ward = build_form_class(spec)(data={"residence_0": "5 Tràng Tiền", "residence_1": ""})
    assert no_ward.errors == {"residence": ["Chọn phường/xã nơi cư trú trong danh sách và ghi số nhà, đường phố"]}


def test_a_date_is_read_day_first():
    spec = [{"name": "born", "label": "Ngày sinh", "type": "date", "required": True}]
    assert build_form_class(spec)(data={"born": "05/12/2026"}).is_valid()
    form = build_form_class(spec)(data={"born": "05/12/2026"})
    form.is_valid()
    assert form.cleaned_data["born"] == dt.date(2026, 12, 5)
    bad = build_form_class(spec)(data={"born": "12/31/2026"})
    assert bad.errors == {"born": ["Không có ngày 12/31/2026"]}


def test_submitting_with_a_day_first_date_and_the_lists_stores_the_words(client, an):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(child_date_of_birth="20/11/2026",
                                                                  child_ethnicity="Tày"), **birth_files()})
    data = Dossier.objects.get().data
    assert (data["child_date_of_birth"], data["child_ethnicity"], data["child_nationality"]) == \
        ("2026-11-20", "Tày", "Việt Nam")


def test_bad_input_is_answered_next_to_its_field_and_everything_typed_is_kept(client, an):
    client.force_login(an)
    response = client.post("/ho-so/nop/1.001193/", {
        "unit": "00004", **fill(child_date_of_birth="31/02/2026", child_full_name="Nguyễn Minh Khôi",
                                child_ethnicity="Người Sao Hỏa"), **birth_files()})
    html = response.content.decode()
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert '<p class="error" id="error-child_date_of_birth">Không có ngày 31/02/2026</p>' in html
    assert '<p class="error" id="error-child_ethnicity">' in html
    assert 'value="31/02/2026"' in html and 'value="Nguyễn Minh Khôi"' in html
    assert '<option value="Việt Nam" selected>Việt Nam</option>' in html
