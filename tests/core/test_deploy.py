"""The systemd units in deploy/ start commands that exist."""

import configparser
from pathlib import Path

from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SCHEDULED = {"signons_maintenance", "letters_retry", "letters_daily"}


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
