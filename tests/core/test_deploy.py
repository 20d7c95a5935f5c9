"""The systemd units in deploy/ start commands that exist."""

import configparser
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SCHEDULED = {
    "signons_maintenance",
    "letters_daily",
    "actions_purge_expired",
    "tasks_recover",
}


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_every_scheduled_command_has_a_timer_that_runs_an_existing_command():
    timers = sorted(DEPLOY.glob("harbour-*.timer"))
    started = set()
    for timer in timers:
        unit = _unit(timer)["Timer"]
        assert unit["OnCalendar"] and unit["Persistent"] == "true"
        job = unit["Unit"]
        assert job.startswith("harbour-job@") and job.endswith(".service")
        started.add(job.removeprefix("harbour-job@").removesuffix(".service"))
    assert started == SCHEDULED
    assert started <= set(get_commands())
    job = _unit(DEPLOY / "harbour-job@.service")["Service"]
    assert job["Type"] == "oneshot"
    assert job["ExecStart"].endswith("manage.py %i")


def test_the_access_log_keeps_no_confirmation_token():
    import datetime
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config

    from harbour.core.accesslog import RedactingLogger

    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    assert conf["logger_class"] == "harbour.core.accesslog.RedactingLogger"
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/petition/confirm/SECRETtoken123/",
        "PATH_INFO": "/petition/confirm/SECRETtoken123/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(0, 1))
    line = conf["access_log_format"] % atoms
    assert '"POST /petition/confirm/[token]/"' in line
    assert "SECRETtoken123" not in line and "203.0.113.9" not in line
    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf.example").read_text()
    assert '"$request_method $harbour_logged_uri"' in nginx


def test_task_workers_come_back_after_any_exit_however_long_the_outage():
    """A worker exits when its database goes away (bench: faults restarts PostgreSQL):
    systemd starts it again every few seconds and never gives up, and it runs at a lower
    priority than the web answers on a shared host."""
    unit = _unit(DEPLOY / "harbour-worker@.service")
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"
    service = unit["Service"]
    assert service["Restart"] == "always" and int(service["RestartSec"]) >= 1
    assert int(service["Nice"]) > 0
    assert service["ExecStart"].endswith("manage.py task_worker --queue-name default")
