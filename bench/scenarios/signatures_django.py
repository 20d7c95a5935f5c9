"""The parts of the signatures scenario that run inside Django, with the project's own code
and the bench server's settings and secrets: `manage.py shell -c "from ... import tokens;
tokens()"` with the same environment as gunicorn. Each reads its input from and writes its
answer to the files named by BENCH_IN and BENCH_OUT (JSON).

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import time
from pathlib import Path
from typing import Any

from bench.profiling import profile_rows

PETITION_SLUG = "stop-foreign-interference"


def _input() -> Any:
    return json.loads(Path(os.environ["BENCH_IN"]).read_text())


def _output(data: Any) -> None:
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps(data))


def tokens() -> None:
    """Confirmation tokens of the given signature ids, made by the project's own function."""
    from harbour.signons.models import Signature
    from harbour.signons.services import confirmation_token

    ids = _input()
    signatures = Signature.objects.filter(pk__in=ids).order_by("pk")
    _output({str(s.pk): confirmation_token(s) for s in signatures})


def counts() -> None:
    """The petition's count as the project computes it, and the exact count of CONFIRMED."""
    from harbour.signons.counts import count_total
    from harbour.signons.models import PetitionPage, Signature, SignatureState

    page = PetitionPage.objects.get(slug=PETITION_SLUG, locale__language_code="en")
    _output(
        {
            "count_total": count_total(page=page),
            "confirmed": Signature.objects.filter(
                page=page, state=SignatureState.CONFIRMED
            ).count(),
        }
    )


def _visitor_with_token() -> tuple[Any, str]:
    """A test client holding the petition's CSRF cookie, and the form token beside it."""
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    first = visitor.get(f"/{PETITION_SLUG}/")
    token_match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first.content.decode())
    if first.status_code != 200 or token_match is None:
        raise RuntimeError(f"GET of the petition answered {first.status_code} without a token")
    return visitor, token_match.group(1)


def profile() -> None:
    """Where the time of a submission and of a petition page view goes, in one process, one
    request at a time (no queueing, no other load): through Django's test client with
    production settings, CSRF enforced and the bench server's cache. N requests of each
    with SQL and cache calls timed (and the SQL of one listed), then N more under cProfile."""
    from django.test import Client

    settings_in = _input()
    count = int(settings_in["count"])
    run_id = settings_in["run_id"]
    sign_path = settings_in["sign_path"]  # where the page's form posts, as the load does
    signer, token = _visitor_with_token()

    def sign(n: int) -> Any:
        response = signer.post(
            sign_path,
            {
                "csrfmiddlewaretoken": token,
                "kind": "individual",
                "individual-given_name": "Bench",
                "individual-family_name": "Profile",
                "individual-email": f"bench-{run_id}-0-{n}@example.invalid",
                "individual-postal_code": "K1A 0A6",
                "individual-city": "Ottawa",
                "individual-listing": "full",
            },
        )
        signer.cookies.pop("messages", None)  # as wrk: no cookie but the CSRF one
        return response

    reader = Client(HTTP_HOST="127.0.0.1")

    def read(n: int) -> Any:
        reader.cookies.clear()  # a new visitor each time, as wrk's GETs
        return reader.get(f"/{PETITION_SLUG}/")

    _output(
        {
            "submission": _profile_requests(sign, count),
            "page": _profile_requests(read, count),
        }
    )


def _profile_requests(send: Any, count: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection

    sql: dict[str, Any] = {"calls": 0, "seconds": 0.0, "listed": None}

    def timed_sql(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["calls"] += 1
            sql["seconds"] += time.perf_counter() - started
            if sql["listed"] is not None:
                sql["listed"].append(
                    {"kind": _sql_kind(query), "sql": " ".join(query.split())[:300]}
                )

    cache_calls = {"calls": 0, "seconds": 0.0}
    wrapped_names = ("get", "get_many", "set", "add", "incr", "delete", "delete_many")
    for name in wrapped_names:
        setattr(cache, name, _timed(getattr(cache, name), cache_calls))
    # The rate limits go to Redis's client directly, as one script by its SHA1 (core.ratelimit).
    from harbour.core.ratelimit import _redis_client

    redis_client = _redis_client()
    if redis_client is not None:
        redis_client.evalsha = _timed(redis_client.evalsha, cache_calls)

    send(0)  # warm: first-request imports and caches are not what a spike pays
    statuses: dict[str, int] = {}
    sizes = 0
    with connection.execute_wrapper(timed_sql):
        sql["listed"] = []
        send(1)
        one_request = sql["listed"]
        sql.update(calls=0, seconds=0.0, listed=None)
        cache_calls.update(calls=0, seconds=0.0)
        started = time.perf_counter()
        for n in range(2, count + 2):
            response = send(n)
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
            sizes += len(response.content)
        wall = time.perf_counter() - started
    for name in wrapped_names:
        delattr(cache, name)  # the instance attribute goes; the method shows again
    if redis_client is not None:
        del redis_client.evalsha

    # Timed above without the profiler, which slows Python code several-fold.
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(count + 2, 2 * count + 2):
        send(n)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = profile_rows(stats)
    return {
        "requests": count,
        "statuses": statuses,
        "bytes_per_response": sizes / count,
        "wall_ms_per_request": 1000 * wall / count,
        "sql_per_request": sql["calls"] / count,
        "sql_ms_per_request": 1000 * sql["seconds"] / count,
        "cache_calls_per_request": cache_calls["calls"] / count,
        "cache_ms_per_request": 1000 * cache_calls["seconds"] / count,
        "sql_of_one_request": one_request,
        "profiled_ms_per_request": 1000 * stats.total_tt / count,
        "top_cumulative": sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:150],
        "top_own_time": sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:30],
    }


def _sql_kind(query: str) -> str:
    """ "SELECT wagtailcore_page", "INSERT people_person", "SAVEPOINT", ..."""
    verb = query.split(None, 1)[0].upper() if query.strip() else "?"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "SAVEPOINT/RELEASE"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"([^"]+)"', query)
    return f"{verb} {table.group(1)}" if table else verb


def _timed(method: Any, totals: dict[str, Any]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            totals["calls"] += 1
            totals["seconds"] += time.perf_counter() - started

    return timed


def outcomes() -> None:
    """Whether an action form's answer takes the same time whatever the address did (issue
    11: a stranger must not tell a signer or a writer from a new address by the clock). In
    one process, one request at a time, through Django's test client with production
    settings, for the petition's sign form and a letter campaign's form: N addresses act and
    are left pending, N act and are confirmed; then, interleaved so that drift touches all
    three alike, each is posted again beside one new address per round. Each request is
    timed alone; the medians and their ratios to the new address's go out."""

    from harbour.letters.models import Letter, LetterCampaignPage
    from harbour.letters.services import confirmation_token as letter_token
    from harbour.letters.services import letter_confirm
    from harbour.signons.models import Signature
    from harbour.signons.services import confirmation_token, signature_confirm

    settings_in = _input()
    count = int(settings_in["count"])
    run_id = settings_in["run_id"]
    client, token = _visitor_with_token()
    campaign = LetterCampaignPage.objects.live().filter(delivery="send").first()
    if campaign is None:
        raise RuntimeError("no letter campaign that sends letters in the bench database")

    def sign(email: str) -> Any:
        return client.post(
            settings_in["sign_path"],
            {
                "csrfmiddlewaretoken": token,
                "kind": "individual",
                "individual-given_name": "Bench",
                "individual-family_name": "Outcome",
                "individual-email": email,
                "individual-postal_code": "K1A 0A6",
                "individual-city": "Ottawa",
                "individual-listing": "full",
            },
        )

    def write(email: str) -> Any:
        return client.post(
            campaign.url + "send/",
            {
                "csrfmiddlewaretoken": token,
                "postal_code": "L1S 2A3",
                "district": "",
                "subject": campaign.subject_template[:200] or "A letter",
                "body": "Dear representative, please act on what this campaign asks. Thank you.",
                "given_name": "Bench",
                "family_name": "Outcome",
                "email": email,
                "city": "Ajax",
            },
        )

    def confirm_signatures(prefix: str) -> None:
        for signature in Signature.objects.filter(person__email__startswith=prefix):
            signature_confirm(token=confirmation_token(signature))

    def confirm_letters(prefix: str) -> None:
        for letter in Letter.objects.filter(person__email__startswith=prefix):
            letter_confirm(token=letter_token(letter))

    found: dict[str, Any] = {"requests_per_outcome": count, "forms": {}}
    for form, send, confirm in (
        ("sign", sign, confirm_signatures),
        ("letter", write, confirm_letters),
    ):

        def address(kind: str, n: int, form: str = form) -> str:
            return f"bench-{run_id}-{form}-{kind}-{n}@example.invalid"

        for n in range(count):
            send(address("pending", n))
            send(address("confirmed", n))
        confirm(f"bench-{run_id}-{form}-confirmed-")
        send(address("warm", 0))
        times: dict[str, list[float]] = {"new": [], "pending": [], "confirmed": []}
        answers: dict[str, set[str]] = {kind: set() for kind in times}
        for n in range(count):
            for kind in ("new", "pending", "confirmed"):
                started = time.perf_counter()
                response = send(address(kind, n))
                times[kind].append(1000 * (time.perf_counter() - started))
                client.cookies.pop("messages", None)
                answers[kind].add(f"{response.status_code} {response.get('Location', '')}")
        medians = {kind: statistics.median(values) for kind, values in times.items()}
        found["forms"][form] = {
            "median_ms": medians,
            "ratio_to_new": {kind: medians[kind] / medians["new"] for kind in medians},
            "answers": {kind: sorted(values) for kind, values in answers.items()},
        }
    _output(found)
