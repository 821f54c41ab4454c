"""Benchmark of the pure eligibility engine (certification.eligibility.engine.evaluate) on one core.

Usage: ``.venv/bin/python bench/eligibility.py [--seconds 5] [--inputs 1000] [--seed 2015]``

Builds a reproducible, realistic mix of enterprises (young and old, all three revenue bands of both
rule sets, 1–3 fiscal years, 0–8 IP items with every acquisition mode, scores present or not,
passing and failing every condition) and evaluates them round-robin against both rule sets for
the given number of seconds, then prints evaluations per second.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from certification.eligibility.engine import (  # noqa: E402 - after the sys.path set-up above
    ACQUISITION_LABELS,
    IP_KIND_LABELS,
    RULE_SET_CODES,
    EligibilityInput,
    FiscalYear,
    IPItem,
    RuleSet,
    Staff,
    evaluate,
    load_rule_set,
)

FIELD_CODES = frozenset(f"{top:02d}{sub:02d}" for top in range(1, 9) for sub in range(1, 10))
CENT = Decimal("0.01")


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    # Random amounts are generated as integer cents, so no float ever reaches the engine.
    return Decimal(rng.randint(int(low * 100), int(high * 100))) * CENT


def make_inputs(count: int, seed: int) -> list[EligibilityInput]:
    rng = random.Random(seed)
    kinds = list(IP_KIND_LABELS)
    acquisitions = list(ACQUISITION_LABELS)
    field_list = sorted(FIELD_CODES)
    inputs: list[EligibilityInput] = []
    for _ in range(count):
        # About half are built to be good candidates, so the mix holds passes as well as failures.
        good = rng.random() < 0.5
        as_of = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
        age = rng.randint(800, 6000) if good else rng.choice([rng.randint(90, 800), rng.randint(800, 6000)])
        registered_on = as_of - timedelta(days=age)
        latest_year = as_of.year - 1
        first_year = max(registered_on.year, latest_year - rng.randint(0, 2))
        # Latest sales in every band of both rule sets, edges included now and then.
        sales_latest = rng.choice(
            [
                _money(rng, 500_000, 49_999_999),
                Decimal(50_000_000),
                _money(rng, 50_000_001, 199_999_999),
                Decimal(200_000_000),
                _money(rng, 200_000_001, 900_000_000),
            ]
        )
        years: list[FiscalYear] = []
        for year in range(first_year, latest_year + 1):
            sales = (
                sales_latest
                if year == latest_year
                else (sales_latest * Decimal(rng.randint(60, 110)) / 100).quantize(CENT)
            )
            total = sales + _money(rng, 0, float(sales) * 0.2)
            rd = (sales * Decimal(rng.randint(500 if good else 100, 900)) / 10_000).quantize(CENT)
            years.append(
                FiscalYear(
                    year=year,
                    sales_revenue=sales,
                    total_revenue=total,
                    hightech_revenue=(total * Decimal(rng.randint(60 if good else 30, 95)) / 100).quantize(
                        CENT
                    ),
                    rd_expense=rd,
                    rd_expense_domestic=(rd * Decimal(rng.randint(60 if good else 40, 100)) / 100).quantize(
                        CENT
                    ),
                    total_assets=_money(rng, 1_000_000, 2_000_000_000),
                )
            )
        rng.shuffle(years)
        ip = [
            IPItem(
                kind=rng.choice(kinds),
                acquired_on=as_of - timedelta(days=rng.randint(0, 2500)),
                acquisition=(acq := rng.choice(acquisitions)),
                licence_years=rng.randint(1, 10) if acq == "exclusive_license" else None,
            )
            for _ in range(rng.randint(0, 8))
        ]
        if good:
            ip.append(
                IPItem(
                    "invention_patent", as_of - timedelta(days=rng.randint(0, 400)), "self_developed", None
                )
            )
        total_staff = (
            rng.randint(20, 3000) if good else rng.choice([0, rng.randint(5, 60), rng.randint(60, 3000)])
        )
        inputs.append(
            EligibilityInput(
                as_of=as_of,
                registered_on=registered_on,
                registered_in_tianjin=good or rng.random() < 0.9,
                field_code=rng.choice(field_list)
                if good
                else rng.choice([None, rng.choice(field_list), "9999"]),
                ip=ip,
                staff=Staff(
                    total=total_staff,
                    tech_college=rng.randint(total_staff // 4 if good else 0, total_staff),
                    rd=rng.randint(total_staff // 12 if good else 0, total_staff // 4),
                ),
                fiscal_years=years,
                composite_score=Decimal(rng.randint(7100 if good else 4000, 9500)) * CENT
                if good or rng.random() < 0.8
                else None,
            )
        )
    return inputs


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def bench_evaluate(
    inputs: list[EligibilityInput], rule_sets: list[RuleSet], seconds: float
) -> tuple[int, float]:
    """Round-robin evaluate() for at least ``seconds``; returns (evaluations, elapsed seconds)."""
    pairs = [(inp, rs) for inp in inputs for rs in rule_sets]
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        for inp, rs in pairs:
            evaluate(inp, rs, field_codes=FIELD_CODES)
        done += len(pairs)
        now = time.perf_counter()
    return done, now - start


def bench_evaluate_as_dict(
    inputs: list[EligibilityInput], rule_sets: list[RuleSet], seconds: float
) -> tuple[int, float]:
    """The same, plus building the API answer (as_dict) as the view does."""
    pairs = [(inp, rs) for inp in inputs for rs in rule_sets]
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        for inp, rs in pairs:
            evaluate(inp, rs, field_codes=FIELD_CODES).as_dict()
        done += len(pairs)
        now = time.perf_counter()
    return done, now - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="timing per measurement (default 5)")
    parser.add_argument("--inputs", type=int, default=1000, help="distinct enterprises (default 1000)")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP check under gunicorn")
    args = parser.parse_args(argv)

    pinned = pin_to_one_core()
    inputs = make_inputs(args.inputs, args.seed)
    rule_sets = [load_rule_set(code) for code in RULE_SET_CODES]

    outcomes = {True: 0, False: 0, None: 0}
    for inp in inputs:
        for rs in rule_sets:
            outcomes[evaluate(inp, rs, field_codes=FIELD_CODES).eligible] += 1
    bench_evaluate(inputs[:50], rule_sets, 0.3)  # warm-up

    print(f"eligibility engine benchmark: {len(inputs)} enterprises × {len(rule_sets)} rule sets, {pinned}")
    print(f"mix: eligible {outcomes[True]}, not eligible {outcomes[False]}, undecided {outcomes[None]}")
    done, elapsed = bench_evaluate(inputs, rule_sets, args.seconds)
    rate = done / elapsed
    print(f"evaluate():           {done:>9,} evaluations in {elapsed:.2f} s = {rate:,.0f} evaluations/second")
    done2, elapsed2 = bench_evaluate_as_dict(inputs, rule_sets, args.seconds)
    print(
        f"evaluate().as_dict(): {done2:>9,} evaluations in {elapsed2:.2f} s = {done2 / elapsed2:,.0f} evaluations/second"
    )
    print(f"evaluations/second: {rate:.0f}")
    if args.no_http:
        return 0
    # The same engine behind POST /api/v1/eligibility/check/ under gunicorn on PostgreSQL.
    import eligibility_http

    print()
    sys.argv = sys.argv[:1]  # its own defaults
    return eligibility_http.main()


if __name__ == "__main__":
    raise SystemExit(main())
