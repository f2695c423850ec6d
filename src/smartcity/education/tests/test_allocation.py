"""The allocation engine: the serial dictatorship equals textbook deferred acceptance, has no blocking pair, and the
preference-first rule, cut-offs and explanations come out as published."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcity.education import allocation as al


def textbook_da(inst: al.Instance) -> list[int]:
    """Gale–Shapley, student proposing, each school holding its best ``quota`` proposers so far."""
    n, k = inst.prefs.shape
    rank = {int(i): pos for pos, i in enumerate(inst.order.tolist())}
    nxt = [0] * n
    held: dict[int, list[int]] = {s: [] for s in range(inst.quotas.shape[0])}
    free = list(range(n))
    while free:
        i = free.pop()
        while nxt[i] < k:
            s = int(inst.prefs[i, nxt[i]])
            nxt[i] += 1
            if s < 0:
                continue
            held[s].append(i)
            held[s].sort(key=rank.__getitem__)
            if len(held[s]) > inst.quotas[s]:
                rejected = held[s].pop()
                if rejected != i:
                    free.append(rejected)
                    break
                continue
            break
    out = [-1] * n
    for s, ids in held.items():
        for i in ids:
            out[i] = s
    return out


@st.composite
def instances(draw: st.DrawFn) -> al.Instance:
    n = draw(st.integers(0, 25))
    m = draw(st.integers(1, 5))
    k = draw(st.integers(1, 3))
    scores = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))  # few values: many ties
    prefs = []
    for _ in range(n):
        row = draw(st.lists(st.integers(0, m - 1), max_size=k, unique=True))
        prefs.append(row + [-1] * (k - len(row)))
    quotas = draw(st.lists(st.integers(0, 4), min_size=m, max_size=m))
    return al.Instance(scores=np.array(scores, dtype=np.int64), tiebreak=np.arange(n, dtype=np.int64)[::-1].copy(),
                       prefs=np.array(prefs, dtype=np.int64).reshape(n, k), quotas=np.array(quotas, dtype=np.int64))


def blocking_pairs(inst: al.Instance, school: np.ndarray) -> list[tuple[int, int]]:
    rank = {int(i): pos for pos, i in enumerate(inst.order.tolist())}
    pairs = []
    for i in range(inst.scores.shape[0]):
        for s in inst.prefs[i].tolist():
            if s < 0 or s == school[i]:
                break  # choices from here on are not preferred to what i holds
            admitted = np.flatnonzero(school == s).tolist()
            if len(admitted) < inst.quotas[s] or any(rank[j] > rank[i] for j in admitted):
                pairs.append((i, s))
    return pairs


@settings(max_examples=300, deadline=None)
@given(instances())
def test_deferred_acceptance_equals_the_textbook_algorithm_and_has_no_blocking_pair(inst: al.Instance) -> None:
    result = al.deferred_acceptance(inst)
    assert result.school.tolist() == textbook_da(inst)
    assert blocking_pairs(inst, result.school) == []
    counts = np.bincount(result.school[result.school >= 0], minlength=inst.quotas.shape[0])
    assert (counts <= inst.quotas).all()


@settings(max_examples=200, deadline=None)
@given(instances(), st.integers(0, 3))
def test_preference_first_never_overfills_and_explains_every_choice_above_the_assignment(
        inst: al.Instance, margin: int) -> None:
    result = al.preference_first(inst, margin=margin)
    counts = np.bincount(result.school[result.school >= 0], minlength=inst.quotas.shape[0])
    assert (counts <= inst.quotas).all()
    for i in range(inst.scores.shape[0]):
        refusals = al.explain(inst, result, i)
        got = int(result.choice[i])
        expected = got if got >= 0 else int((inst.prefs[i] >= 0).sum())
        assert len(refusals) == expected


def small() -> al.Instance:
    # School 0 (quota 1) and school 1 (quota 2); applicants 0..3 with scores 38.25, 37.75, 37.75, 30.00.
    return al.Instance(scores=np.array([3825, 3775, 3775, 3000]), tiebreak=np.array([0, 1, 2, 3]),
                       prefs=np.array([[0, 1], [0, 1], [1, 0], [1, 0]]), quotas=np.array([1, 2]))


def test_deferred_acceptance_gives_cut_offs_and_explains_a_refusal_with_both_scores() -> None:
    inst = small()
    result = al.deferred_acceptance(inst)
    assert result.school.tolist() == [0, 1, 1, -1]
    assert result.cutoff == [3825, 3775]
    assert al.explain(inst, result, 1) == [al.Refusal(0, 0, al.BELOW_CUTOFF, 3825, 3775)]
    assert al.explain(inst, result, 3) == [al.Refusal(0, 1, al.BELOW_CUTOFF, 3775, 3000),
                                           al.Refusal(1, 0, al.BELOW_CUTOFF, 3825, 3000)]
    assert al.statistics(inst, result) == {"applicants": 4, "placed": 3, "unplaced": 1, "by_choice": [2, 1],
                                           "seats": 3, "seats_left": 0}


def test_a_tie_on_the_cut_off_is_explained_as_lost_on_the_published_tie_break() -> None:
    inst = al.Instance(scores=np.array([3775, 3775]), tiebreak=np.array([5, 2]), prefs=np.array([[0], [0]]),
                       quotas=np.array([1]))
    result = al.deferred_acceptance(inst)
    assert result.school.tolist() == [-1, 0]
    assert al.explain(inst, result, 0) == [al.Refusal(0, 0, al.TIE_BREAK, 3775, 3775)]


def test_preference_first_fills_seats_with_first_choices_before_better_second_choices() -> None:
    # Applicant 0 (40.00) wants school 0 then 1; applicant 1 (35.00) puts school 1 first. School 1 has one seat.
    inst = al.Instance(scores=np.array([4000, 3500, 4500]), tiebreak=np.array([0, 1, 2]),
                       prefs=np.array([[0, 1], [1, 0], [0, -1]]), quotas=np.array([1, 1]))
    da = al.deferred_acceptance(inst)
    pf = al.preference_first(inst)
    assert da.school.tolist() == [1, -1, 0]
    assert pf.school.tolist() == [-1, 1, 0]
    assert al.explain(inst, pf, 0) == [al.Refusal(0, 0, al.BELOW_CUTOFF, 4500, 4000),
                                       al.Refusal(1, 1, al.FILLED_BY_HIGHER_CHOICES, 3500, 4000)]
    assert al.differences(da, pf, 2).tolist() == [0, 2]


def test_preference_first_margin_bars_a_second_choice_under_the_first_round_cut_off_plus_the_margin() -> None:
    # School 0 has 2 seats; one first-choice applicant at 30.00; a second-choice applicant at 30.50.
    inst = al.Instance(scores=np.array([3000, 3050, 5000]), tiebreak=np.array([0, 1, 2]),
                       prefs=np.array([[0, -1], [1, 0], [1, -1]]), quotas=np.array([2, 1]))
    assert al.preference_first(inst, margin=0).school.tolist() == [0, 0, 1]
    barred = al.preference_first(inst, margin=100)
    assert barred.school.tolist() == [0, -1, 1]
    assert al.explain(inst, barred, 1) == [al.Refusal(0, 1, al.BELOW_CUTOFF, 5000, 3050),
                                           al.Refusal(1, 0, al.BELOW_MARGIN, 3100, 3050)]


def test_composite_score_sums_coefficients_and_bonus_in_hundredths() -> None:
    subjects = np.array([[7.75, 8.25, 6.5]])
    assert al.composite(subjects, np.array([2.0, 2.0, 1.0]), np.array([0.5])).tolist() == [3900]


def test_a_choice_outside_the_schools_is_refused() -> None:
    import pytest
    with pytest.raises(ValueError, match="outside"):
        al.Instance(scores=np.array([1]), tiebreak=np.array([0]), prefs=np.array([[3]]), quotas=np.array([1]))
