"""The system under test: an isolated database, prepared with the project's own commands, and
gunicorn with deploy/gunicorn.conf.py on loopback.

Everything that is started or created registers its own undo on an `ExitStack`, so an error
or Ctrl-C at any step still stops gunicorn, drops the bench database and removes temp files.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_DATABASE = "harbour_bench"
PG_ADMIN_DSN = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"


class BenchSetupError(RuntimeError):
    """A preparation step failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class Database:
    url: str
    label: str


def choose_database(stack: ExitStack, tmp: Path) -> Database:
    """DATABASE_URL if set, else a fresh PostgreSQL database on loopback, else SQLite."""
    given = os.environ.get("DATABASE_URL")
    if given:
        scheme = given.split(":", 1)[0]
        return Database(url=given, label=f"DATABASE_URL as given ({scheme})")
    postgres = _fresh_postgres_database(stack)
    if postgres is not None:
        return postgres
    path = tmp / "bench.sqlite3"
    return Database(url=f"sqlite:///{path}", label="SQLite (file in a temp dir, WAL)")


def _fresh_postgres_database(stack: ExitStack) -> Database | None:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            pass
    except OSError:
        return None
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=5, autocommit=True) as conn:
            version = conn.info.parameter_status("server_version") or "?"
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.Error as exc:
        print(f"PostgreSQL answers on {PG_HOST}:{PG_PORT} but: {exc}".strip(), flush=True)
        return None
    stack.callback(_drop_postgres_database)
    return Database(
        url=f"postgres://postgres@{PG_HOST}:{PG_PORT}/{PG_DATABASE}",
        label=f"PostgreSQL {version.split()[0]} on {PG_HOST}:{PG_PORT} (fresh `{PG_DATABASE}`)",
    )


def _drop_postgres_database() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=5, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        print(f"Dropped the PostgreSQL database {PG_DATABASE}.", flush=True)
    except psycopg.Error as exc:
        print(f"Could not drop {PG_DATABASE}: {exc}", file=sys.stderr, flush=True)


def production_environment(database: Database, tmp: Path) -> dict[str, str]:
    """Production settings with throwaway secrets, plain HTTP on loopback, the bench view."""
    static_root = tmp / "static"
    media_root = tmp / "media"
    static_root.mkdir()
    media_root.mkdir()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "harbour.settings.production",
        "DATABASE_URL": database.url,
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "HARBOUR_IP_HASH_KEY": secrets.token_urlsafe(32),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HARBOUR_REQUIRE_2FA": "false",
        "HARBOUR_BENCH": "true",
        "HARBOUR_DB_CONN_MAX_AGE": "600",
        "HARBOUR_STATIC_ROOT": str(static_root),
        "HARBOUR_MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str, timeout: int) -> None:
    """Run `manage.py ARGS` from the project root; a failure raises with its output's tail."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchSetupError(f"manage.py {' '.join(args)} took over {timeout} s") from exc
    if done.returncode != 0:
        output = _tail(done.stdout + done.stderr)
        raise BenchSetupError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{output}")
    print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s", flush=True)


def prepare_database(env: dict[str, str]) -> None:
    """The same steps as a deployment, then drain the indexing tasks the demo enqueued."""
    manage(env, "migrate", "--noinput", timeout=600)
    manage(env, "collectstatic", "--noinput", timeout=300)
    manage(env, "load_demo", timeout=300)
    manage(env, "db_worker", "--batch", "--no-startup-delay", timeout=300)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    stack: ExitStack,
    env: dict[str, str],
    *,
    port: int,
    workers: int,
    max_requests: int | None,
    log_path: Path,
) -> str:
    """Start gunicorn in its own process group (stopped on exit); return its base URL.

    `max_requests` overrides the config file's value (command-line options take precedence in
    gunicorn); None keeps it.
    """
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        # One log line per request would cost the server CPU the benchmark wants to measure.
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    command = [
        str(VENV_BIN / "gunicorn"),
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "harbour.wsgi",
    ]
    if max_requests is not None:
        command[-1:-1] = ["--max-requests", str(max_requests)]
    log = stack.enter_context(log_path.open("wb"))
    process = subprocess.Popen(
        command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    stack.callback(stop_process_group, process)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchSetupError(f"gunicorn exited ({process.returncode}):\n{log_tail(log_path)}")
        try:
            status, _ = http_get(f"{base_url}/bench/ping/", timeout=2)
        except OSError:
            status = 0
        if status == 200:
            return base_url
        time.sleep(0.25)
    raise BenchSetupError(f"gunicorn did not answer within 60 s:\n{log_tail(log_path)}")


def stop_process_group(
    process: subprocess.Popen[bytes], *, grace_s: float = 30, name: str = "gunicorn"
) -> None:
    """SIGTERM the group (gunicorn's or a task worker's graceful stop), SIGKILL it if it
    lingers; says so for gunicorn (name="" stays quiet)."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        if name:
            print(f"Stopped {name}.", flush=True)
        return


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http_get(url: str, *, timeout: float = 10) -> tuple[int, str]:
    """GET on loopback without following redirects: a 3xx is reported, not hidden."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"the benchmark only talks to loopback, not {url}")
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def log_tail(path: Path) -> str:
    try:
        return _tail(path.read_text(errors="replace"))
    except OSError:
        return "(no log)"


def run_in_django(
    env: dict[str, str], tmp: Path, module: str, function: str, data: Any, *, timeout: int
) -> Any:
    """Run `bench.scenarios.MODULE.FUNCTION()` in `manage.py shell` with `env`: it reads
    JSON from $BENCH_IN and writes its answer as JSON to $BENCH_OUT."""
    in_path = tmp / f"{module}-{function}-in.json"
    out_path = tmp / f"{module}-{function}-out.json"
    in_path.write_text(json.dumps(data))
    code = f"from bench.scenarios.{module} import {function}; {function}()"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env={**env, "BENCH_IN": str(in_path), "BENCH_OUT": str(out_path)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"manage.py shell ({function}) failed:\n{output}")
    print(f"  manage.py shell ({function}): {time.monotonic() - started:.1f} s", flush=True)
    return json.loads(out_path.read_text())
