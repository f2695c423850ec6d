"""VN_WQI (Decision 1460/QĐ-TCMT): parameter tables, DO saturation, aggregation, data sufficiency, bands.

The examples are built by hand from the decision's formulas; the expected numbers are worked out in the comments.
"""

from __future__ import annotations

import math

import pytest

from smartcity.environment import wqi


@pytest.mark.parametrize(("ph", "expected"), [
    (5.4, 10), (5.5, 50), (5.75, 75), (6.0, 100), (7.0, 100), (8.5, 100), (8.75, 75), (9.0, 50), (9.1, 10),
])
def test_ph_follows_its_two_sided_table(ph, expected):
    assert wqi.parameter_index("ph", ph) == pytest.approx(expected)


def test_do_saturation_is_the_decisions_polynomial_of_temperature():
    assert wqi.do_saturation(20) == pytest.approx(9.0218, abs=1e-4)
    assert wqi.do_saturation(28) == pytest.approx(7.7235, abs=1e-4)
    assert wqi.do_percent_saturation(6.5, 28) == pytest.approx(84.16, abs=0.01)


@pytest.mark.parametrize(("percent", "expected"), [
    (19, 10), (20, 25), (35, 37.5), (88, 100), (100, 100), (112, 100), (150, 50), (175, 37.5), (200, 25),
    (201, 10),
])
def test_do_is_indexed_on_percent_saturation(percent, expected):
    do = percent / 100 * wqi.do_saturation(20)
    assert wqi.parameter_index("do", do, temperature_c=20) == pytest.approx(expected)


def test_do_without_temperature_is_an_error():
    with pytest.raises(ValueError, match="temperature"):
        wqi.parameter_index("do", 6.0)
    with pytest.raises(ValueError, match="temperature"):
        wqi.wqi({"do": 6.0, "bod5": 3, "cod": 8, "ph": 7, "coliform": 100})


@pytest.mark.parametrize(("parameter", "value", "expected"), [
    ("bod5", 4, 100), ("bod5", 5, 87.5), ("bod5", 6, 75), ("bod5", 30, 22), ("bod5", 50, 10), ("bod5", 80, 10),
    ("cod", 12, 90), ("n_nh4", 0.3, 100), ("n_nh4", 0.45, 62.5), ("n_no2", 0.05, 100), ("n_no2", 0.051, 10),
    ("p_po4", 0.15, 87.5), ("coliform", 3750, 87.5), ("coliform", 10001, 10), ("e_coli", 20, 100),
    ("as", 0.1, 25), ("as", 0.11, 10), ("cd", 0.005, 100), ("cd", 0.0065, 62.5), ("hg", 0.006, 17.5),
    ("zn", 3.0, 10), ("cu", 0.15, 87.5),
])
def test_more_is_worse_parameters_interpolate_between_breakpoints(parameter, value, expected):
    # e.g. BOD5 30: between 25 (q 25) and 50 (q 10): (25 − 10) / (50 − 25) × (50 − 30) + 10 = 22
    assert wqi.parameter_index(parameter, value) == pytest.approx(expected)


def test_pesticides_pass_or_fail_their_limit():
    assert wqi.parameter_index("aldrin", 0.1) == 100 and wqi.parameter_index("aldrin", 0.11) == 10
    assert wqi.parameter_index("bhc", 0.02) == 100 and wqi.parameter_index("ddts", 1.5) == 10


SAMPLE = {"ph": 7.2, "do": 6.5, "bod5": 5, "cod": 12, "n_nh4": 0.45, "p_po4": 0.15, "coliform": 3750,
          "as": 0.015, "aldrin": 0.05}


def test_a_full_sample_gives_75_average_quality():
    # IV: DO 84.16 % → 75 + 25/13 × 9.159 = 92.61; BOD5 87.5; COD 90; N-NH4 62.5; P-PO4 87.5 → mean 84.02.
    # V: Coliform 87.5. I: 100 → ×1; II: aldrin 100 → ×1; III: As 0.015 → 87.5 → ×0.875.
    # WQI = 0.875 × √(84.02 × 87.5) = 75.03 → 75.
    result = wqi.wqi(SAMPLE, temperature_c=28)
    iv = (75 + 25 / 13 * (wqi.do_percent_saturation(6.5, 28) - 75) + 87.5 + 90 + 62.5 + 87.5) / 5
    assert result.groups["IV"] == pytest.approx(iv)
    assert result.value == math.floor(0.875 * math.sqrt(iv * 87.5) + 0.5) == 75
    assert result.band.name == "Trung bình" and result.band.rgb == (255, 255, 0)
    assert result.parameters["bod5"] == 87.5 and not result.insufficient


def test_the_weighted_formula_counts_group_iv_twice():
    result = wqi.wqi(SAMPLE | {"temperature": 28}, weighted=True)
    iv = result.groups["IV"]
    assert result.value == math.floor(0.875 * (iv * iv * 87.5) ** (1 / 3) + 0.5) == 75


def test_without_group_v_the_index_is_group_iv_times_the_factors():
    sample = {k: v for k, v in SAMPLE.items() if k != "coliform"}
    result = wqi.wqi(sample, temperature_c=28)
    assert result.value == math.floor(0.875 * result.groups["IV"] + 0.5) == 74


def test_geometric_means_make_one_failed_metal_drag_the_whole_index():
    sample = SAMPLE | {"cd": 0.2}  # Cd above 0.1 → 10; group III = √(87.5 × 10) = 29.6
    result = wqi.wqi(sample, temperature_c=28)
    assert result.groups["III"] == pytest.approx(math.sqrt(875))
    assert result.value == 25 and result.band.name == "Kém"


def test_at_least_three_groups_are_needed():
    result = wqi.wqi({"ph": 7, "bod5": 3, "cod": 8, "n_nh4": 0.1})
    assert result.value is None and "3/5" in result.insufficient


def test_group_iv_is_mandatory_with_at_least_three_parameters():
    result = wqi.wqi({"ph": 7, "bod5": 3, "cod": 8, "coliform": 100, "as": 0.001})
    assert result.value is None and "nhóm IV" in result.insufficient
    assert wqi.wqi({"ph": 7, "bod5": 3, "cod": 8, "toc": 2, "coliform": 100}).value == 100


def test_unknown_parameters_and_bad_values_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        wqi.wqi({"tss": 30})
    with pytest.raises(ValueError):
        wqi.parameter_index("bod5", -1)


@pytest.mark.parametrize(("value", "name", "rgb"), [
    (100, "Rất tốt", (51, 51, 255)), (91, "Rất tốt", (51, 51, 255)), (90, "Tốt", (0, 228, 0)),
    (76, "Tốt", (0, 228, 0)), (75, "Trung bình", (255, 255, 0)), (51, "Trung bình", (255, 255, 0)),
    (50, "Xấu", (255, 126, 0)), (26, "Xấu", (255, 126, 0)), (25, "Kém", (255, 0, 0)), (10, "Kém", (255, 0, 0)),
    (9, "Ô nhiễm rất nặng", (126, 0, 35)), (0, "Ô nhiễm rất nặng", (126, 0, 35)),
])
def test_the_six_bands_have_names_colours_and_uses(value, name, rgb):
    b = wqi.band(value)
    assert (b.name, b.rgb) == (name, rgb) and b.use
