"""The signatures scenario's set-up and load: the CSRF pair, wrk runs of POSTs and GETs."""

import http.client
import re
import urllib.parse
from http.cookies import SimpleCookie
from typing import Any

from bench.context import BenchContext
from bench.cpu import OtherCpu
from bench.scenarios.signatures_common import (
    CONFIRMATION_TASK,
    DRAIN_SECONDS,
    INSERT,
    INSERT_ENQUEUE,
    LUA_SCRIPT,
    PETITION,
    PETITION_SLUG,
    PETITION_TITLE,
    PING,
    REDIS_URL,
    SERVICE_PREFIX,
    SPIKE_CONNECTIONS,
    THANKS,
    Csrf,
    PostRun,
    Sign,
    Snapshot,
    _ms,
)
from bench.wrk import WrkResult, run_wrk


def _flush_redis() -> str | None:
    """Flush the bench's Redis database; None if done, else why Redis cannot be used."""
    try:
        import redis
    except ImportError:
        return "the redis client is not installed"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        return f"not answering on {REDIS_URL} ({exc})"
    return None


def _snapshot(db: Any) -> Snapshot:
    # The original page (its French and Chinese translations share the slug, and signatures
    # are stored against the original).
    page = db.execute(
        "SELECT p.id FROM wagtailcore_page p "
        "JOIN signons_petitionpage pp ON pp.page_ptr_id = p.id "
        "JOIN wagtailcore_locale l ON l.id = p.locale_id "
        "WHERE p.slug = %s AND l.language_code = 'en'",
        (PETITION_SLUG,),
    ).fetchone()
    if page is None:
        raise RuntimeError(f"no petition page {PETITION_SLUG!r}: load_demo did not create it")
    page_id = int(page[0])
    Sign.page_id = page_id

    def one(query: str, params: tuple[Any, ...] = ()) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    return Snapshot(
        taken_at=db.execute("SELECT now()").fetchone()[0],
        page_id=page_id,
        max_signature_id=one("SELECT max(id) FROM signons_signature"),
        max_person_id=one("SELECT max(id) FROM people_person"),
        max_audit_id=one("SELECT max(id) FROM core_auditentry"),
        confirmation_tasks=one(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
            (CONFIRMATION_TASK,),
        ),
        confirmed=one(
            "SELECT count(*) FROM signons_signature WHERE page_id = %s AND state = 'confirmed'",
            (page_id,),
        ),
    )


def _http(
    base_url: str,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPResponse, str]:
    """One request on loopback, redirects not followed; the connection is closed after."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname != "127.0.0.1" or parts.port is None:
        raise ValueError(f"the benchmark only talks to loopback, not {base_url}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response, text
    finally:
        conn.close()


def _csrf_pair(base_url: str) -> Csrf:
    """A visitor's CSRF cookie and form token, from an anonymous GET of the petition."""
    status, response, body = _http(base_url, "GET", PETITION)
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or PETITION_TITLE not in body or token is None or "csrftoken" not in cookie:
        raise RuntimeError(
            f"GET {PETITION} answered {status} without the petition, its form token or a "
            "csrftoken cookie; the demo content is not what this scenario expects."
        )
    if "csrf-placeholder" in body:
        raise RuntimeError(f"GET {PETITION} left the CSRF placeholder in the page")
    action = re.search(r'<form method="post" action="(/[^"#]*)', body)
    if action:
        Sign.path = action.group(1)
    return Csrf(cookie=cookie["csrftoken"].value, token=token.group(1))


def _sign_body(csrf: Csrf, email: str) -> str:
    return urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf.token,
            "kind": "individual",
            "individual-given_name": "Bench",
            "individual-family_name": "Signer",
            "individual-email": email,
            "individual-postal_code": "K1A 0A6",
            "individual-city": "Ottawa",
            "individual-listing": "full",
        }
    )


def _check_posts(base_url: str, csrf: Csrf, session: str) -> None:
    """One signature and one insert by hand: both must succeed as wrk's will."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    email = f"bench-{session}c-0-1@example.invalid"
    status, response, _ = _http(
        base_url, "POST", Sign.path, body=_sign_body(csrf, email), headers=headers
    )
    location = response.getheader("Location") or ""
    if status != 302 or not location.endswith(THANKS):
        raise RuntimeError(f"POST {Sign.path} answered {status} (Location {location!r}), not 302")
    print(f"  POST {Sign.path}: 302 to {THANKS}", flush=True)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.token})
    for path in (INSERT, INSERT_ENQUEUE):
        status, _, text = _http(base_url, "POST", path, body=body, headers=headers)
        if status != 200 or text != "ok":
            raise RuntimeError(f"POST {path} answered {status}, not 200 ok")
        print(f"  POST {path}: 200", flush=True)


def _post_load(mode: str) -> tuple[str, str, str]:
    """A POST load's path, the status it answers and the end of its Location (if any). A
    function: Sign.path is read from the page at the start of the run."""
    return {
        "sign": (Sign.path, "302", THANKS),
        "insert": (INSERT, "200", ""),
        "enqueue": (INSERT_ENQUEUE, "200", ""),
        "service": (f"{SERVICE_PREFIX}{Sign.page_id}/", "302", THANKS),
    }[mode]


def _reference_seconds(ctx: BenchContext) -> int:
    return max(3, ctx.seconds // 3)


def _post_run(
    ctx: BenchContext, base_url: str, csrf: Csrf, mode: str, run_id: str, seconds: int
) -> PostRun:
    path, expect_status, expect_location = _post_load(mode)
    # The Lua script's "insert" mode posts only the CSRF token: both reference views.
    script_mode = "sign" if mode in ("sign", "service") else "insert"
    return _script_run(
        ctx, base_url + path, script_mode, csrf, run_id, seconds, expect_status, expect_location
    )


def _script_run(
    ctx: BenchContext,
    url: str,
    script_mode: str,
    csrf: Csrf,
    run_id: str,
    seconds: int,
    expect_status: str,
    expect_location: str = "",
) -> PostRun:
    """One wrk run of post_load.lua in `script_mode` ("sign", "insert", "register") against
    `url`: `seconds` of sending, then DRAIN_SECONDS for the last answers."""
    args = [script_mode, run_id, str(seconds), csrf.cookie, csrf.token, expect_status]
    if expect_location:
        args.append(expect_location)
    result = run_wrk(
        ctx.wrk,
        url,
        seconds=seconds + DRAIN_SECONDS,
        threads=ctx.threads,
        connections=SPIKE_CONNECTIONS,
        script=LUA_SCRIPT,
        script_args=args,
    )
    report = result.script_report
    if report is None:
        raise RuntimeError(f"the wrk script printed no report for POST {url}")
    return PostRun(
        run_id=run_id,
        wrk=result,
        sent=int(report["sent"]),
        responses=int(report["responses"]),
        accepted=int(report["accepted"]),
        window_s=int(report["window_us"]) / 1e6,
        statuses={str(k): int(v) for k, v in report["statuses"].items()},
        accepted_by_tick={int(k): int(v) for k, v in report["accepted_by_tick"].items()},
        refused_by_tick={int(k): int(v) for k, v in report["refused_by_tick"].items()},
    )


def _read_load(
    ctx: BenchContext, base_url: str, other_cpu: OtherCpu
) -> tuple[list[WrkResult], list[WrkResult]]:
    """The petition page and the minimal view, anonymous GETs, interleaved rounds."""
    urls = {PETITION: base_url + PETITION, PING: base_url + PING}
    if ctx.warmup_seconds:
        for url in urls.values():
            _get_run(ctx, url, ctx.warmup_seconds)
    other_cpu.start()
    measured: dict[str, list[WrkResult]] = {path: [] for path in urls}
    for round_no in range(1, ctx.runs + 1):
        for path, url in urls.items():
            result = _get_run(ctx, url, ctx.seconds)
            measured[path].append(result)
            print(
                f"  run {round_no}/{ctx.runs} GET {path}: {result.requests_per_s:,.0f} req/s, "
                f"p50 {_ms(result.p50_ms)}, p99 {_ms(result.p99_ms)}, errors {result.errors}",
                flush=True,
            )
    return measured[PETITION], measured[PING]


def _get_run(ctx: BenchContext, url: str, seconds: int) -> WrkResult:
    return run_wrk(ctx.wrk, url, seconds=seconds, threads=ctx.threads, connections=ctx.connections)
