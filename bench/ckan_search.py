"""CKAN package_search over 5,000 datasets: p50/p95 of /api/3/action/package_search (q with Vietnamese folding, an
fq term, facets on organization/groups/tags/res_format, paging) vs /api/3/action/status_show (the same envelope and
request path with no query: the framework's own cost), both through Django's test client in the same run.

    .venv/bin/python bench/ckan_search.py [--datasets 5000] [--queries 500]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartcity_bench_opendata")

from _common import setup_django  # noqa: E402

WORDS = ["không khí", "mực nước", "trường học", "bệnh viện", "giao thông", "thủ tục", "dân số", "đất đai",
         "doanh nghiệp", "du lịch", "công viên", "rác thải", "chiếu sáng", "xe buýt", "lũ lụt", "tiếng ồn"]


def fill(n: int) -> None:
    from django.db import transaction

    from smartcity.lib.text import fold
    from smartcity.opendata import services
    from smartcity.opendata.models import Dataset, Resource, Tag

    have = Dataset.objects.filter(name__startswith="bench-s-").count()
    if have >= n:
        return
    rnd = random.Random(2026)
    orgs = [services.save_organization(name=f"bench-org-{i}", title=f"Sở thử nghiệm {i}") for i in range(20)]
    groups = [services.save_group(name=f"bench-group-{i}", title=f"Chủ đề {i}") for i in range(10)]
    tags = [Tag.objects.get_or_create(name=w)[0] for w in WORDS]
    with transaction.atomic():
        made = []
        for i in range(have, n):
            a, b = rnd.sample(WORDS, 2)
            title = f"Dữ liệu {a} và {b} số {i}"
            org = rnd.choice(orgs)
            made.append(Dataset(name=f"bench-s-{i}", title=title, notes=f"Bộ dữ liệu về {a}, {b} của thành phố",
                                organization=org, search_text=fold(f"{title} {a} {b} {org.title}")))
        Dataset.objects.bulk_create(made, batch_size=1000)
        made = list(Dataset.objects.filter(name__startswith="bench-s-").exclude(tags__isnull=False))
        through_tags = Dataset.tags.through
        through_groups = Dataset.groups.through
        through_tags.objects.bulk_create([through_tags(dataset=d, tag=t) for d in made
                                          for t in rnd.sample(tags, 2)], batch_size=5000)
        through_groups.objects.bulk_create([through_groups(dataset=d, group=rnd.choice(groups)) for d in made],
                                           batch_size=5000)
        Resource.objects.bulk_create([Resource(dataset=d, name="csv", kind="file", format=rnd.choice(
            ["CSV", "XLSX", "GeoJSON"])) for d in made], batch_size=5000)


def timed(client, path: str, params: dict) -> float:
    t0 = time.perf_counter()
    response = client.get(path, params, secure=True)
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.content[:300]
    return elapsed * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from smartcity.lib.text import fold
    from smartcity.opendata.models import Dataset

    fill(args.datasets)
    client = Client()
    rnd = random.Random(7)
    facets = '["organization", "groups", "tags", "res_format"]'
    queries = []
    for i in range(args.queries):
        params = {"q": fold(rnd.choice(WORDS)) if i % 2 else rnd.choice(WORDS), "rows": 20,
                  "start": rnd.choice([0, 20, 40]), "facet.field": facets}
        if i % 3 == 0:
            params["fq"] = f"organization:bench-org-{rnd.randrange(20)}"
        queries.append(params)
    for params in queries[:20]:  # warm up
        timed(client, "/api/3/action/package_search", params)
    ours = [timed(client, "/api/3/action/package_search", p) for p in queries]
    base = [timed(client, "/api/3/action/status_show", {}) for _ in queries]
    print(f"datasets: {Dataset.objects.count():,}; queries: {len(queries)} (q, fq on a third, 4 facets, 20 rows)")
    print(f"ours  package_search  p50 {statistics.median(ours):6.1f} ms  p95 {p95(ours):6.1f} ms  (goal p95 < 50 ms)")
    print(f"base  status_show     p50 {statistics.median(base):6.1f} ms  p95 {p95(base):6.1f} ms")
    print(f"ratio p95 ours / base: {p95(ours) / p95(base):.1f}")


if __name__ == "__main__":
    main()
