"""Scale: the demo petition with six million confirmed signatures (the size of the largest UK
Parliament petition), against itself on an almost empty database, in the same run.

1. The sign-up rate (wrk POSTs through post_load.lua, as the signatures scenario does) and
   the petition page's rate (anonymous GETs), on the demo data.
2. Six million supporters and their confirmed signatures are written by PostgreSQL itself
   (INSERT ... SELECT FROM generate_series, in batches of a million; spread over every
   district), then `manage.py signons_maintenance` recounts every counter (timed).
3. The same two rates again: the ratio to step 1 is the result.
4. The staff pages a moderator or administrator uses, through gunicorn with a logged-in
   session (median of three): dashboard, moderation queue, supporter search by name and by
   address, a supporter's record, their erasure, the letters reach pages.
5. The signatories CSV export of all six million, streamed: its time and the gunicorn
   workers' peak resident memory (VmHWM) before and after.

HARBOUR_BENCH_SCALE sets the number of signatures (default 6,000,000). The seeded rows stay:
this scenario runs last and the harness drops its database afterwards.
"""

import os
import secrets
import statistics
import time
import urllib.parse
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.context import BenchContext, Column, Scenario, ScenarioResult, ScenarioSkipped
from bench.scenarios.signatures_common import PETITION, PETITION_SLUG, RATE_ENV, REDIS_URL, Sign
from bench.scenarios.signatures_load import _csrf_pair, _flush_redis, _get_run, _post_run
from bench.server import free_port, manage, start_gunicorn

NAME = "scale"
TITLE = "Six million signatures: rates against an empty database, staff pages, export, upkeep"
SIZE = int(os.environ.get("HARBOUR_BENCH_SCALE", "6000000"))
BATCH = 1_000_000
ADMIN_EMAIL = "bench-admin@harbour.invalid"
LIMIT_S = 1.0  # what each staff page must answer within (issue 14)

SEED_SQL = """
WITH d AS (
  SELECT array_agg(code ORDER BY code) AS codes, array_agg(province ORDER BY code) AS provs,
         count(*) AS n FROM representatives_electoraldistrict
), people AS (
  INSERT INTO people_person (email, given_name, family_name, postal_code, city, province,
                             language, created_at, updated_at)
  SELECT 'scale-' || g || '@example.invalid', 'Given' || (g %% 5003), 'Family' || (g %% 7919),
         '', '', '', 'en', now(), now()
  FROM generate_series(%(first)s, %(last)s) AS g
  RETURNING id, email, given_name, family_name
)
INSERT INTO signons_signature (kind, state, name, honorific, office, city, region, website,
  listing, contact_name, province, fsa, ip_hash, newsletter, created_at, confirmed_at,
  moderation_note, page_id, person_id, district_code, held)
SELECT 'individual', 'confirmed', p.given_name || ' ' || p.family_name, '', '', '', '', '',
       'full', '', d.provs[1 + p.id %% d.n], '', '', false, now(), now(), '', %(page)s, p.id,
       d.codes[1 + p.id %% d.n], false
FROM people p, d
"""


def run(ctx: BenchContext) -> ScenarioResult:
    database_url = ctx.server_env.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ScenarioSkipped("the scale scenario writes its rows with PostgreSQL")
    if ctx.tmp is None:
        raise RuntimeError("the scale scenario needs the harness's temp dir")
    password = secrets.token_urlsafe(16)
    env = {
        **ctx.server_env,
        **RATE_ENV,
        "HARBOUR_ADMIN_EMAIL": ADMIN_EMAIL,
        "HARBOUR_ADMIN_PASSWORD": password,
    }
    env.pop("REDIS_URL", None)
    if _flush_redis() is None:
        env["REDIS_URL"] = REDIS_URL
    manage(env, "create_admin", timeout=120)
    import psycopg

    with ExitStack() as stack, psycopg.connect(database_url, autocommit=True) as db:
        base_url = start_gunicorn(
            stack,
            env,
            port=free_port(),
            workers=ctx.gunicorn_workers,
            max_requests=ctx.max_requests,
            log_path=ctx.tmp / "gunicorn-scale.log",
        )
        Sign.page_id = _petition_id(db)
        csrf = _csrf_pair(base_url)
        empty = _rates(ctx, base_url, csrf, "e", db)
        seed_s = _seed(db, Sign.page_id, SIZE)
        started = time.monotonic()
        manage(env, "signons_maintenance", timeout=600)
        maintenance_s = time.monotonic() - started
        db.execute("CHECKPOINT")
        full = _rates(ctx, base_url, csrf, "f", db)
        admin = _Admin(base_url, password)
        pages = _staff_pages(admin, db)
        export = _export(admin, Sign.page_id)
        _drop_queued_tasks(db)
    return _result(ctx, empty, full, seed_s, maintenance_s, pages, export)


def _petition_id(db: Any) -> int:
    row = db.execute(
        "SELECT p.id FROM wagtailcore_page p JOIN wagtailcore_locale l ON l.id = p.locale_id "
        "WHERE p.slug = %s AND l.language_code = 'en'",
        (PETITION_SLUG,),
    ).fetchone()
    if row is None:
        raise RuntimeError(f"the demo petition {PETITION} is missing")
    return int(row[0])


def _count(db: Any) -> int:
    return int(
        db.execute(
            "SELECT count(*) FROM signons_signature WHERE page_id = %s", (Sign.page_id,)
        ).fetchone()[0]
    )


def _rates(ctx: BenchContext, base_url: str, csrf: Any, tag: str, db: Any) -> dict[str, Any]:
    """Sign-up and page rates, `ctx.runs` interleaved rounds of `ctx.seconds` each."""
    signatures = _count(db)
    posts, gets = [], []
    if ctx.warmup_seconds:
        _post_run(ctx, base_url, csrf, "sign", f"scale{tag}w", ctx.warmup_seconds)
        _get_run(ctx, base_url + PETITION, ctx.warmup_seconds)
    for round_no in range(1, ctx.runs + 1):
        post = _post_run(ctx, base_url, csrf, "sign", f"scale{tag}{round_no}", ctx.seconds)
        get = _get_run(ctx, base_url + PETITION, ctx.seconds)
        posts.append(post)
        gets.append(get)
        print(
            f"  [{signatures:,} signatures] run {round_no}/{ctx.runs}: sign-up "
            f"{post.accepted_per_s:,.0f}/s (p99 {post.wrk.p99_ms:.0f} ms, errors {post.errors}); "
            f"page {get.requests_per_s:,.0f}/s (p99 {get.p99_ms:.0f} ms, errors {get.errors})",
            flush=True,
        )
    return {
        "signatures": signatures,
        "sign_per_s": statistics.median(p.accepted_per_s for p in posts),
        "sign_p99_ms": statistics.median(p.wrk.p99_ms for p in posts),
        "sign_errors": sum(p.errors for p in posts),
        "page_per_s": statistics.median(g.requests_per_s for g in gets),
        "page_p99_ms": statistics.median(g.p99_ms for g in gets),
        "page_errors": sum(g.errors for g in gets),
    }


TRIGRAM_INDEXES = {
    "people_person_given_name_trgm": "given_name",
    "people_person_family_name_trgm": "family_name",
}


def _seed(db: Any, page_id: int, size: int) -> float:
    """Written by PostgreSQL; the supporters' trigram indexes (people migration 0002) are
    rebuilt once at the end rather than updated row by row. Then VACUUM ANALYZE and a
    CHECKPOINT, so that the measurements after do not pay for the load's aftermath."""
    started = time.monotonic()
    for name in TRIGRAM_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")
    first = 1
    while first <= size:
        last = min(size, first + BATCH - 1)
        with db.transaction():
            db.execute("SET LOCAL synchronous_commit = off")
            db.execute(SEED_SQL, {"first": first, "last": last, "page": page_id})
        print(
            f"  seeded {last:,} / {size:,} signatures ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        first = last + 1
    for name, column in TRIGRAM_INDEXES.items():
        db.execute(
            f"CREATE INDEX {name} ON people_person USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    db.execute("VACUUM ANALYZE people_person")
    db.execute("VACUUM ANALYZE signons_signature")
    db.execute("CHECKPOINT")
    print(f"  indexes rebuilt, vacuumed: {time.monotonic() - started:.0f} s in all", flush=True)
    return time.monotonic() - started


class _Admin:
    """A logged-in administrator's browser. Production settings mark cookies Secure and
    trust X-Forwarded-Proto from loopback (the TLS proxy's header), so requests say https
    and the cookies are kept and sent here by hand."""

    def __init__(self, base_url: str, password: str) -> None:
        self.base_url = base_url
        self.host = urllib.parse.urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}
        self.get("/admin/login/")
        status, _ = self.post("/admin/login/", {"username": ADMIN_EMAIL, "password": password})
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"the bench administrator could not sign in ({status})")

    def _send(self, method: str, path: str, body: bytes | None = None) -> Any:
        import http.client

        conn = http.client.HTTPConnection(self.host, timeout=600)
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.host}{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return conn, response

    def get(self, path: str) -> tuple[int, bytes]:
        conn, response = self._send("GET", path)
        try:
            return response.status, response.read()
        finally:
            conn.close()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, bytes]:
        token = self.cookies.get("csrftoken", "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        conn, response = self._send("POST", path, body)
        try:
            return response.status, response.read()
        finally:
            conn.close()

    def stream(self, path: str) -> Any:
        """(connection, response) of a GET whose body the caller reads and closes."""
        return self._send("GET", path)


def _timed(call: Any, times: int = 3) -> dict[str, Any]:
    seconds, statuses = [], []
    for _ in range(times):
        started = time.monotonic()
        status, _body = call()
        seconds.append(time.monotonic() - started)
        statuses.append(status)
    return {"median_s": statistics.median(seconds), "max_s": max(seconds), "statuses": statuses}


def _staff_pages(admin: _Admin, db: Any) -> dict[str, dict[str, Any]]:
    person_id = db.execute(
        "SELECT id FROM people_person WHERE email = %s", (f"scale-{SIZE // 2 + 1}@example.invalid",)
    ).fetchone()[0]
    doomed = db.execute(
        "SELECT id FROM people_person WHERE email = %s", (f"scale-{SIZE // 3 + 7}@example.invalid",)
    ).fetchone()[0]
    campaign = db.execute(
        "SELECT page_ptr_id FROM letters_lettercampaignpage ORDER BY page_ptr_id LIMIT 1"
    ).fetchone()
    pages: dict[str, Any] = {
        "dashboard": lambda: admin.get("/admin/"),
        "moderation queue": lambda: admin.get("/admin/signons/moderation/"),
        "confirmed signatures list": lambda: admin.get(
            f"/admin/signons/moderation/?state=confirmed&page={Sign.page_id}"
        ),
        "supporter search, name part": lambda: admin.post("/admin/supporters/", {"q": "Given4217"}),
        "supporter search, two name parts": lambda: admin.post(
            "/admin/supporters/", {"q": "Family77 Given42"}
        ),
        "supporter search, address": lambda: admin.post(
            "/admin/supporters/", {"q": f"scale-{SIZE - 1}@example.invalid"}
        ),
        "supporters list": lambda: admin.get("/admin/supporters/"),
        "supporter record": lambda: admin.get(f"/admin/supporters/{person_id}/"),
        "letters reach": lambda: admin.get("/admin/letters/"),
    }
    if campaign:
        pages["letters reach, one campaign"] = lambda: admin.get(f"/admin/letters/{campaign[0]}/")
    timings = {name: _timed(call) for name, call in pages.items()}
    timings["supporter erasure"] = _timed(
        lambda: admin.post(f"/admin/supporters/{doomed}/erase/", {"confirm": "erase"}), times=1
    )
    for name, timing in timings.items():
        print(
            f"  {name}: median {timing['median_s'] * 1000:,.0f} ms (max "
            f"{timing['max_s'] * 1000:,.0f} ms), statuses {timing['statuses']}",
            flush=True,
        )
    return timings


def _gunicorn_peaks() -> dict[int, int]:
    """VmHWM (peak resident memory, kB) of every gunicorn process serving harbour.wsgi."""
    peaks = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
            if b"gunicorn" not in cmdline or b"harbour.wsgi" not in cmdline:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[int(status.parent.name)] = int(line.split()[1])
        except OSError:
            continue
    return peaks


def _export(admin: _Admin, page_id: int) -> dict[str, Any]:
    before = _gunicorn_peaks()
    started = time.monotonic()
    lines = size = 0
    first_byte = None
    conn, response = admin.stream(f"/admin/signons/export/{page_id}/")
    status = response.status
    while block := response.read(1 << 16):
        if first_byte is None:
            first_byte = time.monotonic() - started
        size += len(block)
        lines += block.count(b"\n")
    conn.close()
    seconds = time.monotonic() - started
    after = _gunicorn_peaks()
    grown = max((after[pid] - before.get(pid, after[pid]) for pid in after), default=0)
    export = {
        "status": status,
        "rows": lines - 1,
        "bytes": size,
        "seconds": seconds,
        "first_byte_s": first_byte,
        "peak_rss_mb": max(after.values(), default=0) / 1024,
        "peak_rss_growth_mb": grown / 1024,
    }
    print(
        f"  export: {export['rows']:,} rows, {size / 1e6:,.0f} MB in {seconds:.1f} s (first "
        f"byte {first_byte or 0:.2f} s); gunicorn peak RSS {export['peak_rss_mb']:.0f} MB "
        f"(+{export['peak_rss_growth_mb']:.0f} MB during the export)",
        flush=True,
    )
    return export


def _drop_queued_tasks(db: Any) -> None:
    """No worker runs here: the confirmations the sign-ups queued are dropped."""
    db.execute(
        "DELETE FROM django_tasks_database_dbtaskresult WHERE status = 'READY' "
        "AND task_path LIKE 'harbour.signons.tasks.%%'"
    )


def _result(
    ctx: BenchContext,
    empty: dict[str, Any],
    full: dict[str, Any],
    seed_s: float,
    maintenance_s: float,
    pages: dict[str, dict[str, Any]],
    export: dict[str, Any],
) -> ScenarioResult:
    sign_ratio = full["sign_per_s"] / empty["sign_per_s"] if empty["sign_per_s"] else 0.0
    page_ratio = full["page_per_s"] / empty["page_per_s"] if empty["page_per_s"] else 0.0
    rows = [
        {
            "what": "sign-up POST, accepted/s (median)",
            "empty": f"{empty['sign_per_s']:,.0f}",
            "full": f"{full['sign_per_s']:,.0f}",
            "ratio": f"{sign_ratio:.0%}",
            "target": "≥ 90%",
            "ok": "yes" if sign_ratio >= 0.9 else "NO",
        },
        {
            "what": "petition page GET, req/s (median)",
            "empty": f"{empty['page_per_s']:,.0f}",
            "full": f"{full['page_per_s']:,.0f}",
            "ratio": f"{page_ratio:.0%}",
            "target": "≥ 90%",
            "ok": "yes" if page_ratio >= 0.9 else "NO",
        },
    ]
    for name, timing in pages.items():
        ok = timing["max_s"] < LIMIT_S and all(s in (200, 302) for s in timing["statuses"])
        rows.append(
            {
                "what": f"{name}, ms (median of {len(timing['statuses'])})",
                "empty": "",
                "full": f"{timing['median_s'] * 1000:,.0f}",
                "ratio": "",
                "target": "< 1,000",
                "ok": "yes" if ok else "NO",
            }
        )
    rows.append(
        {
            "what": "signons_maintenance (recount everything), s",
            "empty": "",
            "full": f"{maintenance_s:.1f}",
            "ratio": "",
            "target": "< 60",
            "ok": "yes" if maintenance_s < 60 else "NO",
        }
    )
    rows.append(
        {
            "what": "signatories CSV export, s / gunicorn peak RSS MB",
            "empty": "",
            "full": f"{export['seconds']:.1f} s / {export['peak_rss_mb']:.0f} MB",
            "ratio": "",
            "target": "streamed, memory flat",
            "ok": "yes" if export["status"] == 200 and export["peak_rss_growth_mb"] < 50 else "NO",
        }
    )
    notes = [
        f"{SIZE:,} confirmed signatures (and as many supporters) written by PostgreSQL in "
        f"{seed_s:.0f} s; the petition then held {full['signatures']:,} rows.",
        f"Sign-up p99: {empty['sign_p99_ms']:.0f} ms empty, {full['sign_p99_ms']:.0f} ms full; "
        f"page p99: {empty['page_p99_ms']:.0f} ms empty, {full['page_p99_ms']:.0f} ms full; "
        f"errors: {empty['sign_errors'] + full['sign_errors']} sign-up, "
        f"{empty['page_errors'] + full['page_errors']} page.",
        f"Export: {export['rows']:,} rows, {export['bytes'] / 1e6:,.0f} MB, first byte after "
        f"{export['first_byte_s'] or 0:.2f} s; the serving worker grew by "
        f"{export['peak_rss_growth_mb']:.0f} MB.",
    ]
    summary = (
        f"With {full['signatures']:,} signatures: sign-up {sign_ratio:.0%} and page "
        f"{page_ratio:.0%} of the empty database's rates; staff pages under "
        f"{max(t['max_s'] for t in pages.values()) * 1000:,.0f} ms; upkeep "
        f"{maintenance_s:.0f} s; export {export['seconds']:.0f} s."
    )
    return ScenarioResult(
        name=NAME,
        title=TITLE,
        summary=summary,
        columns=[
            Column("what", "Measure", "left"),
            Column("empty", "Demo data"),
            Column("full", f"{SIZE / 1e6:g} million"),
            Column("ratio", "Ratio"),
            Column("target", "Target"),
            Column("ok", "Met", "left"),
        ],
        rows=rows,
        notes=notes,
        raw={
            "size": SIZE,
            "empty": empty,
            "full": full,
            "seed_s": seed_s,
            "maintenance_s": maintenance_s,
            "staff_pages": pages,
            "export": export,
            "runs": ctx.runs,
            "seconds": ctx.seconds,
        },
    )


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
