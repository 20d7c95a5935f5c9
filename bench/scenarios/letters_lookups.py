"""The letters scenario's postal-code lookups, in the Django process (see letters_inproc)."""

import random
import time
from collections import Counter
from typing import Any

from .letters_inproc import FIRST_LETTERS, OTHER_LETTERS, bench_input, bench_output, postal_code


def lookups() -> None:
    """`district_lookup(code)` in a loop, in this one process: the cold first call, a
    warm-up, then timed runs of about `seconds` each over the same list of codes (known
    FSAs and a share of well-formed FSAs the table does not have). Every distinct FSA's
    answer is then compared with the table in the database."""
    from django.conf import settings
    from django.db import connection

    from harbour.core.postal import postal_code_normalise
    from harbour.representatives.lookup import backend, district_lookup
    from harbour.representatives.models import PostalArea
    from harbour.representatives.services import fsa_table_forget

    cfg = bench_input()
    rng = random.Random(cfg["seed"])
    table = dict(PostalArea.objects.values_list("fsa", "district__code"))
    if not table:
        raise RuntimeError("representatives_postalarea is empty: load_demo loaded no FSAs")
    known = sorted(table)
    every_fsa = {a + d + c for a in FIRST_LETTERS for d in "0123456789" for c in OTHER_LETTERS}
    unknown = sorted(every_fsa - set(known))
    codes = [
        postal_code(rng, rng.choice(unknown) if rng.random() < cfg["unknown_share"] else fsa)
        for fsa in (rng.choice(known) for _ in range(cfg["codes"]))
    ]
    block = 500
    codes = codes[: len(codes) // block * block]
    queries = {"n": 0}

    def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries["n"] += 1
        return execute(sql, params, many, context)

    def loop(seconds: float) -> dict[str, Any]:
        found = done = 0
        started = time.perf_counter()
        deadline = started + seconds
        start = 0
        while True:
            for code in codes[start : start + block]:
                if district_lookup(code).district is not None:
                    found += 1
            done += block
            start = (start + block) % len(codes)
            now = time.perf_counter()
            if now >= deadline:
                break
        elapsed = now - started
        return {"lookups": done, "found": found, "seconds": elapsed, "per_s": done / elapsed}

    # Cold: the first lookup of a process loads the FSA table and one district row.
    fsa_table_forget()
    with connection.execute_wrapper(count_sql):
        started = time.perf_counter()
        district_lookup(codes[0])
        cold_ms = 1000 * (time.perf_counter() - started)
        cold_queries = queries["n"]
        queries["n"] = 0
        warm = loop(float(cfg["warmup_seconds"]))
        warmup_queries = queries["n"]
        queries["n"] = 0
        runs = [loop(float(cfg["seconds"])) for _ in range(int(cfg["runs"]))]
        run_queries = queries["n"]

    # The part of a lookup that is normalising the code (a regular expression).
    started = time.perf_counter()
    for code in codes:
        postal_code_normalise(code)
    normalise_us = 1e6 * (time.perf_counter() - started) / len(codes)

    # Correctness: each distinct FSA of the list gives the table's district (or none).
    wrong: list[str] = []
    sources: Counter[str] = Counter()
    for fsa in sorted({code[:3] for code in codes}):
        answer = district_lookup(f"{fsa} 1A1")
        sources[f"{answer.source}, approximate={answer.approximate}"] += 1
        got = answer.district.code if answer.district is not None else None
        if got != table.get(fsa):
            wrong.append(f"{fsa}: {got} (table: {table.get(fsa)})")
    bench_output(
        {
            "fsa_rows": len(table),
            "districts_in_table": len(set(table.values())),
            "codes": len(codes),
            "distinct_fsas": len({code[:3] for code in codes}),
            "unknown_fsas_in_list": len({code[:3] for code in codes} - set(known)),
            "unknown_share": sum(1 for code in codes if code[:3] not in table) / len(codes),
            "backend": type(backend()).__name__,
            "represent_url_set": bool(settings.HARBOUR_REPRESENT_URL),
            "sources": dict(sources),
            "cold_first_lookup_ms": cold_ms,
            "cold_queries": cold_queries,
            "warmup": warm,
            "warmup_queries": warmup_queries,
            "runs": runs,
            "run_queries": run_queries,
            "normalise_us": normalise_us,
            "wrong": wrong[:20],
            "wrong_count": len(wrong),
            "example_codes": codes[:5],
        }
    )
