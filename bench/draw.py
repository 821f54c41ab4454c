"""Benchmark of the pure expert draw (experts.draw.draw) on a pool of 10,000 experts, on one core.

Usage: ``.venv/bin/python bench/draw.py [--experts 10000] [--draws 200] [--seed 2015]``

Builds a reproducible in-memory pool (no database): 80% technical experts spread over the 2016
catalogue's top-level fields and sub-fields, 20% financial; a few percent inactive, over their cap,
with declared relations, employed by the enterprise or by its intermediary, or reviewers of the
enterprise last year. Then runs ``--draws`` draws with different seeds for an application in a
sub-field (each draw screens the whole pool, as a real one does) and prints the median and p95
time per draw. Aim (issue, part 4): a median under 50 ms. No assertions: it prints.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from experts.draw import (  # noqa: E402 - after the sys.path set-up above
    FINANCIAL,
    TECHNICAL,
    DrawRequest,
    DrawRules,
    PoolExpert,
    draw,
)

TOP_FIELDS = [f"{top:02d}" for top in range(1, 9)]
SUB_FIELDS = [f"{top}{sub:02d}" for top in TOP_FIELDS for sub in range(1, 9)]
ENTERPRISE = "91120116MA0000001X"
INTERMEDIARY = "91120116MA0000002Y"


def make_pool(count: int, seed: int) -> list[PoolExpert]:
    rng = random.Random(seed)
    pool = []
    for eid in range(1, count + 1):
        technical = rng.random() < 0.8
        if technical:
            codes = frozenset(rng.sample(TOP_FIELDS + SUB_FIELDS, rng.randint(1, 3)))
        else:
            codes = frozenset()
        roll = rng.random()
        employer = f"9112011{eid:010d}X"
        if roll < 0.01:
            employer = ENTERPRISE
        elif roll < 0.02:
            employer = INTERMEDIARY
        relations = frozenset({ENTERPRISE}) if rng.random() < 0.01 else frozenset({f"R{eid}"})
        cap = 20
        pool.append(
            PoolExpert(
                id=eid,
                kind=TECHNICAL if technical else FINANCIAL,
                field_codes=codes,
                employer_uscc=employer,
                relation_usccs=relations,
                active=rng.random() > 0.03,
                load=cap if rng.random() < 0.03 else rng.randint(0, cap - 1),
                cap=cap,
                reviewed_enterprise_last_year=rng.random() < 0.01,
            )
        )
    rng.shuffle(pool)  # the draw sorts; the bench makes it do so
    return pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args()

    pool = make_pool(args.experts, args.seed)
    request = DrawRequest(
        application_field_code="0103",
        field_parent_code="01",
        enterprise_uscc=ENTERPRISE,
        intermediary_uscc=INTERMEDIARY,
        rules=DrawRules(min_panel=5, min_technical_share=Decimal("0.6"), min_financial=1),
    )
    draw(pool, request, "warm-up")
    times = []
    result = None
    for i in range(args.draws):
        started = time.perf_counter()
        result = draw(pool, request, f"bench-{args.seed}-{i}")
        times.append((time.perf_counter() - started) * 1000)
    assert result is not None
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(
        f"pool: {len(pool)} experts; eligible for field 0103: {len(result.eligible_technical)} technical, "
        f"{len(result.eligible_financial)} financial; excluded: {len(result.excluded)}; "
        f"off-field technical: {result.off_field}"
    )
    print(f"panel: {[(p.expert_id, p.kind, p.chair) for p in result.panel]}")
    print(
        f"{args.draws} draws: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"min {times[0]:.2f} ms, max {times[-1]:.2f} ms per draw (aim: median < 50 ms)"
    )


if __name__ == "__main__":
    main()
