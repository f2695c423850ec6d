"""Grade-10 admission allocation: a pure module (NumPy, no Django) that every caller — the service, the benchmark,
the tests — runs the same way.

Input: ``n`` applicants, each with a composite score (in hundredths of a point, an integer, so ties are exact) and a
published tie-break key; ``m`` schools with quotas; each applicant's ranked choices (``prefs[i, r]`` the school of
choice ``r``, ``-1`` for none). Every school ranks applicants the same way: higher score first, then the smaller
tie-break key (the published rule — e.g. more priority points, then the lower lottery number — is folded into that
key by the caller). So there is ONE strict total order of applicants.

Two rules:

``deferred_acceptance`` — student-proposing deferred acceptance (Gale–Shapley). **Claim:** when all schools share
one strict priority order, its outcome equals the *serial dictatorship* in that order: take applicants best first
and give each their highest choice that still has a free seat. **Proof.** (1) The serial dictatorship ``μ`` is
stable: if applicant ``a`` prefers school ``s`` to ``μ(a)``, then ``s`` was full when ``a``'s turn came, filled only
by applicants taken before ``a``, i.e. ranked above ``a`` by ``s`` (the common order) — so ``s`` prefers each of
its admits to ``a`` and ``(a, s)`` does not block. (2) With a common strict order there is only one stable matching:
suppose stable ``μ ≠ ν`` and let ``a`` be the best-ranked applicant with ``μ(a) ≠ ν(a)``; say ``a`` prefers
``s = μ(a)`` (``s`` is a real school). Since ``ν`` is stable and ``a`` prefers ``s`` to ``ν(a)``, ``s`` is full in
``ν`` with applicants all ranked above ``a``; by the choice of ``a`` those applicants hold the same seats in ``μ``,
so ``s`` holds ``quota(s)`` applicants above ``a`` plus ``a`` in ``μ`` — over quota, a contradiction. (3) DA yields a
stable matching (Gale–Shapley 1962), hence exactly ``μ``; and as DA it is strategy-proof for applicants (Dubins–
Freedman 1981, Roth 1982). The dictatorship is ``O(n·k)`` after one ``O(n log n)`` sort.

``preference_first`` — the rule Vietnamese provinces have used (nguyện vọng trước): all first choices are
considered first, and each school fills its seats from its first-choice applicants by score; then the unplaced
applicants' second choices compete for the seats left, and so on. With ``margin > 0`` (Hà Nội's former rule of
"NV2 at least 1 point above the NV1 cut-off") an applicant at a lower choice of a school is admitted only with a
score of at least the lowest score the school admitted in earlier rounds plus the margin. It is not
stable nor strategy-proof (listing a safe school first pays), which the comparison makes visible on a city's data.

Outputs: each applicant's school (``-1`` none) and choice index, each school's cut-off (the lowest admitted score
when the school is full, else ``None``: anybody who listed it and reached it got in), per-applicant explanations
(``explain``) and the per-school difference between two rules (``differences``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

#: Reasons an applicant was not admitted to a choice above their assignment.
BELOW_CUTOFF = "below_cutoff"  # the school filled with higher scores
TIE_BREAK = "tie_break"  # same score as the cut-off, lost on the published tie-break
FILLED_BY_HIGHER_CHOICES = "filled_by_higher_choices"  # preference-first: no seat left for this choice round
BELOW_MARGIN = "below_margin"  # preference-first: under the earlier rounds' lowest admitted score + margin


@dataclass(frozen=True)
class Instance:
    scores: IntArray  # (n,) composite score in hundredths of a point
    tiebreak: IntArray  # (n,) published tie-break key, smaller wins
    prefs: IntArray  # (n, k) school index per choice, -1 = none
    quotas: IntArray  # (m,)

    def __post_init__(self) -> None:
        n = self.scores.shape[0]
        if self.tiebreak.shape != (n,) or self.prefs.ndim != 2 or self.prefs.shape[0] != n:
            raise ValueError("scores, tiebreak and prefs must describe the same applicants")
        m = self.quotas.shape[0]
        if n and (self.prefs.max(initial=-1) >= m or self.prefs.min(initial=-1) < -1):
            raise ValueError("a choice names a school outside 0..m-1")
        if (self.quotas < 0).any():
            raise ValueError("a quota is negative")

    @property
    def order(self) -> IntArray:
        """Applicants best first: higher score, then smaller tie-break key (a strict total order if keys differ)."""
        return np.lexsort((self.tiebreak, -self.scores)).astype(np.int64)


@dataclass(frozen=True)
class Result:
    rule: str
    school: IntArray  # (n,) assigned school, -1 none
    choice: IntArray  # (n,) index of the assigned choice, -1 none
    cutoff: list[int | None]  # (m,) lowest admitted score (hundredths) when the school is full
    cutoff_tiebreak: list[int | None]  # (m,) tie-break key of that last admitted applicant
    margin: int = 0
    full_round: list[int | None] | None = None  # preference-first: the choice round in which each school filled
    bars: list[list[int | None]] | None = None  # preference-first: bars[r][s], the score a round-r applicant needed


def composite(subject_scores: npt.NDArray[np.float64], coefficients: npt.NDArray[np.float64],
              bonus: npt.NDArray[np.float64]) -> IntArray:
    """Σ score × coefficient + priority/bonus points, in hundredths of a point (rounded once, so ties are exact)."""
    total = subject_scores @ coefficients + bonus
    return np.rint(total * 100).astype(np.int64)


def _cutoffs(inst: Instance, school: IntArray) -> tuple[list[int | None], list[int | None]]:
    m = inst.quotas.shape[0]
    order = inst.order
    pos = np.empty_like(order)
    pos[order] = np.arange(order.size)
    placed = school >= 0
    last = np.full(m, -1, dtype=np.int64)  # position in the order of each school's last admitted applicant
    np.maximum.at(last, school[placed], pos[placed])
    counts = np.bincount(school[placed], minlength=m)
    cut: list[int | None] = [None] * m
    tb: list[int | None] = [None] * m
    for s in np.flatnonzero((counts >= inst.quotas) & (last >= 0)).tolist():
        i = int(order[last[s]])
        cut[s], tb[s] = int(inst.scores[i]), int(inst.tiebreak[i])
    return cut, tb


def deferred_acceptance(inst: Instance) -> Result:
    """Student-proposing DA, computed as the serial dictatorship in score order (see the module's proof)."""
    n = inst.scores.shape[0]
    seats = inst.quotas.astype(np.int64).tolist()
    prefs = inst.prefs.tolist()
    school = [-1] * n
    choice = [-1] * n
    for i in inst.order.tolist():
        for r, s in enumerate(prefs[i]):
            if s >= 0 and seats[s] > 0:
                seats[s] -= 1
                school[i], choice[i] = s, r
                break
    school_a = np.asarray(school, dtype=np.int64)
    cut, tb = _cutoffs(inst, school_a)
    return Result("deferred_acceptance", school_a, np.asarray(choice, dtype=np.int64), cut, tb)


def preference_first(inst: Instance, *, margin: int = 0) -> Result:
    """Choice rounds: round ``r`` gives the seats left to the unplaced applicants' ``r``-th choices, best first;
    from the second round on, only those scoring at least the school's lowest admitted score so far + ``margin``
    (hundredths of a point; with ``margin=0`` there is no bar)."""
    n, k = inst.prefs.shape
    m = inst.quotas.shape[0]
    seats = inst.quotas.astype(np.int64).copy()
    school = np.full(n, -1, dtype=np.int64)
    choice = np.full(n, -1, dtype=np.int64)
    full_round: list[int | None] = [None] * m
    big = np.iinfo(np.int64).max // 2
    lowest = np.full(m, big, dtype=np.int64)  # lowest admitted score so far per school
    bars: list[list[int | None]] = []
    for r in range(k):
        bar = np.where((lowest < big) & (r > 0) & (margin > 0), lowest + margin, -big)
        bars.append([int(b) if b > -big else None for b in bar.tolist()])
        wanted = inst.prefs[:, r]
        eligible = (school < 0) & (wanted >= 0)
        eligible[eligible] = inst.scores[eligible] >= bar[wanted[eligible]]
        cand = np.flatnonzero(eligible)
        if cand.size == 0:
            continue
        cand = cand[np.lexsort((inst.tiebreak[cand], -inst.scores[cand], wanted[cand]))]
        sch = wanted[cand]
        # Rank of each candidate within its school's group (groups are contiguous after the sort).
        starts = np.flatnonzero(np.r_[True, sch[1:] != sch[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, sch.size]))
        rank = np.arange(sch.size) - group_start
        take = rank < seats[sch]
        admitted = cand[take]
        school[admitted] = sch[take]
        choice[admitted] = r
        np.minimum.at(lowest, sch[take], inst.scores[admitted])
        before = seats.copy()
        seats -= np.bincount(sch[take], minlength=m)
        for s in np.flatnonzero((seats == 0) & (before > 0)).tolist():
            full_round[s] = r
        for s in np.flatnonzero(before == 0).tolist():
            if full_round[s] is None:
                full_round[s] = r - 1
    cut, tb = _cutoffs(inst, school)
    return Result("preference_first", school, choice, cut, tb, margin=margin, full_round=full_round, bars=bars)


@dataclass(frozen=True)
class Refusal:
    choice: int  # index of the choice
    school: int
    reason: str  # BELOW_CUTOFF, TIE_BREAK, FILLED_BY_HIGHER_CHOICES, BELOW_MARGIN
    cutoff: int | None  # hundredths (for BELOW_MARGIN: the bar the applicant needed)
    score: int  # hundredths


def explain(inst: Instance, result: Result, i: int) -> list[Refusal]:
    """Why applicant ``i`` was not admitted to each choice above the one they got (all choices if none)."""
    got = int(result.choice[i])
    prefs = inst.prefs[i].tolist()
    upto = got if got >= 0 else len(prefs)
    score = int(inst.scores[i])
    out = []
    for r in range(upto):
        s = prefs[r]
        if s < 0:
            continue
        cut = result.cutoff[s]
        if result.full_round is not None and result.bars is not None:
            fr = result.full_round[s]
            if fr is not None and fr < r:
                out.append(Refusal(r, s, FILLED_BY_HIGHER_CHOICES, cut, score))
                continue
            bar = result.bars[r][s]
            if bar is not None and score < bar:
                out.append(Refusal(r, s, BELOW_MARGIN, bar, score))
                continue
        if cut is not None and score == cut:
            out.append(Refusal(r, s, TIE_BREAK, cut, score))
        else:
            out.append(Refusal(r, s, BELOW_CUTOFF, cut, score))
    return out


def differences(a: Result, b: Result, m: int) -> IntArray:
    """Per school: how many applicants one rule places there and the other does not (symmetric difference)."""
    differ = a.school != b.school
    return (np.bincount(a.school[differ & (a.school >= 0)], minlength=m)
            + np.bincount(b.school[differ & (b.school >= 0)], minlength=m)).astype(np.int64)


def statistics(inst: Instance, result: Result) -> dict[str, object]:
    """Counts for the department: placed, unplaced, placed at each choice, seats left."""
    k = inst.prefs.shape[1]
    placed = int((result.school >= 0).sum())
    filled = np.bincount(result.school[result.school >= 0], minlength=inst.quotas.shape[0])
    return {
        "applicants": int(inst.scores.shape[0]),
        "placed": placed,
        "unplaced": int(inst.scores.shape[0]) - placed,
        "by_choice": [int((result.choice == r).sum()) for r in range(k)],
        "seats": int(inst.quotas.sum()),
        "seats_left": int((inst.quotas - filled).sum()),
    }


def synthetic(n: int, m: int, k: int = 3, *, seed: int = 0, slack: float = 1.05) -> Instance:
    """A synthetic city: school popularity skewed (a few schools most wanted), scores 0–50 in 0.25 steps with
    coefficient 2 on maths and literature, quotas summing to ``n / slack`` rounded."""
    rng = np.random.default_rng(seed)
    popularity = rng.zipf(1.6, m).astype(np.float64)
    popularity = np.minimum(popularity, 50) / np.minimum(popularity, 50).sum()
    prefs = np.empty((n, k), dtype=np.int64)
    for r in range(k):
        prefs[:, r] = rng.choice(m, size=n, p=popularity)
    # Repeated schools in one list become "no choice".
    for r in range(1, k):
        dup = (prefs[:, [r]] == prefs[:, :r]).any(axis=1)
        prefs[dup, r] = -1
    subjects = rng.integers(0, 41, size=(n, 3)) / 4.0  # 0..10 in quarter points
    bonus = rng.choice([0.0, 0.5, 1.0, 1.5], size=n, p=[0.85, 0.07, 0.05, 0.03])
    scores = composite(subjects, np.array([2.0, 2.0, 1.0]), bonus)
    quotas = np.maximum(1, np.rint(popularity * n / slack)).astype(np.int64)
    quotas = np.maximum(quotas, np.full(m, max(1, int(n / slack / m / 3))))
    tiebreak = rng.permutation(n).astype(np.int64)
    return Instance(scores=scores, tiebreak=tiebreak, prefs=prefs, quotas=quotas)
