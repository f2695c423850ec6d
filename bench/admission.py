"""Grade-10 allocation: our serial-dictatorship DA (``smartcity.education.allocation``) against the ``matching``
package's HospitalResident solver (resident-optimal Gale–Shapley), on synthetic city instances, in the same run.

For each size the two matchings are compared applicant by applicant (they must be identical: with one common
score order, the student-optimal stable matching is unique). The baseline is timed on ``solve`` only (building its
player objects is not counted, which favours it); ours is timed on the whole ``deferred_acceptance`` (order, loop,
cut-offs). Sizes above ``--baseline-max`` run ours only (the baseline takes minutes there).

    .venv/bin/python bench/admission.py [--sizes 8000 16000 32000 110000] [--schools 120] [--choices 3]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import numpy as np

from smartcity.education import allocation as al


def baseline(inst: al.Instance) -> tuple[list[int], float, float]:
    from matching.games import HospitalResident

    t0 = time.perf_counter()
    n = inst.scores.shape[0]
    order = inst.order.tolist()
    resident_prefs = {i: [s for s in inst.prefs[i].tolist() if s >= 0] for i in range(n)}
    resident_prefs = {i: p for i, p in resident_prefs.items() if p}
    hospital_prefs: dict[int, list[int]] = {s: [] for s in range(inst.quotas.shape[0])}
    for i in order:
        for s in resident_prefs.get(i, ()):
            hospital_prefs[s].append(i)
    capacities = {s: int(q) for s, q in enumerate(inst.quotas.tolist())}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    t1 = time.perf_counter()
    matching = game.solve(optimal="resident")
    t2 = time.perf_counter()
    school = [-1] * n
    for hospital, residents in matching.items():
        for r in residents:
            school[r.name] = hospital.name
    return school, t1 - t0, t2 - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8000, 16000, 32000, 110000])
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--choices", type=int, default=3)
    parser.add_argument("--baseline-max", type=int, default=32000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"{'applicants':>10} {'ours':>9} {'matching':>10} {'(build)':>9} {'ratio':>8}  identical")
    for n in args.sizes:
        inst = al.synthetic(n, args.schools, args.choices, seed=args.seed)
        t0 = time.perf_counter()
        ours = al.deferred_acceptance(inst)
        t_ours = time.perf_counter() - t0
        pf = al.preference_first(inst, margin=100)
        moved = int(al.differences(ours, pf, args.schools).sum())
        if n <= args.baseline_max:
            theirs, build, solve = baseline(inst)
            same = theirs == ours.school.tolist()
            print(f"{n:>10} {t_ours:>8.3f}s {solve:>9.2f}s {build:>8.2f}s {solve / t_ours:>7.0f}×  {same}"
                  f"   (preference-first +1 point: {moved} placements differ)")
        else:
            print(f"{n:>10} {t_ours:>8.3f}s {'—':>10} {'':>9} {'':>8}  —"
                  f"   (preference-first +1 point: {moved} placements differ)")
        assert np.all(ours.school >= -1)


if __name__ == "__main__":
    # ``matching`` deep-copies its game (players pointing at players): deep recursion, so a big stack for it.
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
