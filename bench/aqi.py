"""Benchmark: hourly and daily VN_AQI for 1,000 stations × one year of hourly data (Decision 1459/QĐ-TCMT).

ours:     ``smartcity.environment.aqi.hourly_aqi`` and ``daily_aqi`` — NumPy, all stations and hours at once.
baseline: ``smartcity.environment.aqi_reference`` — the same rules in plain Python, reading by reading, station by
          station (the way a loop over stored observations would compute it), in the same run, on the same data.
Every station's results (AQI, dominant pollutant and the six sub-indices, hourly and daily) are compared before any
time is printed, so the benchmark cannot measure a wrong answer fast.

The data are synthetic but shaped like Hà Nội's: PM peaks in the morning and evening rush hours and in winter,
multi-day pollution episodes, ozone peaking on summer afternoons, about 3 % of hours missing (scattered hours and
whole outages). No database is needed.

    .venv/bin/python bench/aqi.py [--stations 1000] [--days 365] [--seed 2026] [--repeat 3] [--baseline-stations N]

``--baseline-stations N`` runs the baseline on a random sample of N stations and scales its time to all of them
(the output says so); by default it runs on every station.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from _common import ROOT

sys.path.insert(0, str(ROOT / "src"))

from smartcity.environment import aqi  # noqa: E402
from smartcity.environment.aqi_reference import daily_aqi_reference, hourly_aqi_reference  # noqa: E402


def synthesize(stations: int, days: int, seed: int) -> dict[str, np.ndarray]:
    """Hourly means (µg/m³) of the six pollutants, stations × hours, NaN where missing."""
    rng = np.random.default_rng(seed)
    hours = 24 * days
    hod = np.arange(hours) % 24
    doy = np.arange(hours) / 24.0
    winter = np.cos(2 * np.pi * (doy - 15) / 365)  # +1 mid-January, −1 mid-July
    rush = (1 + 0.30 * np.exp(-((hod - 8) ** 2) / 4) + 0.40 * np.exp(-((hod - 21) ** 2) / 8)
            - 0.25 * np.exp(-((hod - 14) ** 2) / 8))
    site = rng.lognormal(0, 0.25, (stations, 1))
    # multi-day episodes: an AR(1) daily anomaly per station (log scale), held through each day
    anomaly = np.zeros((stations, days))
    for d in range(1, days):
        anomaly[:, d] = 0.8 * anomaly[:, d - 1] + rng.normal(0, 0.3, stations)
    episode = np.exp(np.repeat(anomaly, 24, axis=1))

    def noise(sigma: float) -> np.ndarray:
        return rng.lognormal(0, sigma, (stations, hours))

    pm25 = 42 * (1 + 0.55 * winter) * rush * site * episode * noise(0.2)
    series = {
        "pm25": pm25,
        "pm10": pm25 * rng.uniform(1.4, 1.9, (stations, 1)) * noise(0.1),
        "o3": (25 + 90 * (1 - 0.4 * winter) * np.exp(-((hod - 14) ** 2) / 10)) * noise(0.25),
        "no2": 38 * rush * site * (1 + 0.3 * winter) * noise(0.3),
        "so2": 14 * site * noise(0.4),
        "co": 1300 * rush * (1 + 0.4 * winter) * site * episode ** 0.5 * noise(0.25),
    }
    for x in series.values():
        x[rng.random(x.shape) < 0.02] = np.nan  # scattered missing hours
        for s in range(stations):  # outages: ~1 % of hours in blocks of 1–24 hours
            for _ in range(rng.poisson(hours * 0.01 / 12.5)):
                start = rng.integers(0, hours)
                x[s, start: start + rng.integers(1, 25)] = np.nan
        np.round(x, 1, out=x)
    return series


def timed(fn, repeat: int, times: list[float]) -> object:
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result


def check(ours: aqi.AqiResult, station: int, reference: list, what: str) -> None:
    """Stop the benchmark unless the reference's results for a station equal ours exactly."""
    ref_aqi = np.array([np.nan if r.aqi is None else r.aqi for r in reference])
    ref_dom = np.array([-1 if r.dominant is None else aqi.POLLUTANTS.index(r.dominant) for r in reference])
    same = (np.array_equal(ours.aqi[station], ref_aqi, equal_nan=True)
            and np.array_equal(ours.dominant[station], ref_dom))
    for p, values in ours.sub_indices.items():
        ref_sub = np.array([np.nan if r.sub_indices[p] is None else r.sub_indices[p] for r in reference])
        same = same and np.array_equal(values[station], ref_sub, equal_nan=True)
    if not same:
        sys.exit(f"{what}: station {station} differs between ours and the reference — not timing a wrong answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-stations", type=int, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    series = synthesize(args.stations, args.days, args.seed)
    hours = 24 * args.days
    readings = args.stations * hours
    missing = np.mean([np.isnan(x).mean() for x in series.values()])
    print(f"synthesized {args.stations:,} stations × {hours:,} hours × 6 pollutants in "
          f"{time.perf_counter() - started:.1f} s ({missing:.1%} of hourly values missing)", file=sys.stderr)

    # ours runs before and again after the long baseline, so that a shared machine's load weighs on both alike
    hourly_times: list[float] = []
    daily_times: list[float] = []
    hourly = timed(lambda: aqi.hourly_aqi(**series), args.repeat, hourly_times)
    daily = timed(lambda: aqi.daily_aqi(**series), args.repeat, daily_times)

    sample = np.arange(args.stations)
    if args.baseline_stations is not None and args.baseline_stations < args.stations:
        sample = np.sort(np.random.default_rng(args.seed + 1).choice(args.stations, args.baseline_stations,
                                                                     replace=False))
    ref_hourly_s = ref_daily_s = 0.0
    for n, s in enumerate(sample, 1):
        lists = {p: [None if v != v else v for v in x[s].tolist()] for p, x in series.items()}  # not timed
        t0 = time.perf_counter()
        ref_hourly = hourly_aqi_reference(lists)
        t1 = time.perf_counter()
        ref_daily = daily_aqi_reference(lists)
        t2 = time.perf_counter()
        ref_hourly_s += t1 - t0
        ref_daily_s += t2 - t1
        check(hourly, s, ref_hourly, "hourly")
        check(daily, s, ref_daily, "daily")
        if n % 100 == 0:
            print(f"  baseline: {n}/{len(sample)} stations checked, {ref_hourly_s + ref_daily_s:.0f} s so far",
                  file=sys.stderr)
    timed(lambda: aqi.hourly_aqi(**series), args.repeat, hourly_times)
    timed(lambda: aqi.daily_aqi(**series), args.repeat, daily_times)
    hourly_s, daily_s = statistics.median(hourly_times), statistics.median(daily_times)
    scale = args.stations / len(sample)
    ref_hourly_s *= scale
    ref_daily_s *= scale

    valid = np.isfinite(hourly.aqi).mean()
    print(f"VN_AQI (Decision 1459/QĐ-TCMT): {args.stations:,} stations × {hours:,} hours = {readings:,} "
          f"station-hours, 6 pollutants, {missing:.1%} of hourly values missing, seed {args.seed}; "
          f"{valid:.1%} of hours have an AQI")
    print(f"results identical for the {len(sample):,} stations the baseline computed: hourly and daily AQI, "
          f"dominant pollutant and 6 sub-indices" + (" (every station)" if len(sample) == args.stations else ""))
    print(f"ours (NumPy, vectorised; median of {2 * args.repeat} runs, before and after the baseline): hourly {hourly_s:.2f} s, daily {daily_s:.2f} s — "
          f"{readings / hourly_s:,.0f} station-hours/s hourly")
    sampled = ("" if len(sample) == args.stations
               else f"; measured on {len(sample)} random stations and scaled ×{scale:.1f}")
    print(f"baseline (pure Python, per reading, same rules): hourly {ref_hourly_s:.1f} s, daily {ref_daily_s:.1f} s "
          f"— {readings / ref_hourly_s:,.0f} station-hours/s hourly{sampled}")
    print(f"ratio (baseline / ours): hourly {ref_hourly_s / hourly_s:.0f}×  daily {ref_daily_s / daily_s:.0f}×  "
          f"both {(ref_hourly_s + ref_daily_s) / (hourly_s + daily_s):.0f}×")


if __name__ == "__main__":
    main()
