"""Failures of our tasks, described without personal data.

django-tasks-db stores a failed task's traceback and its signal handler logs it; an SMTP
refusal's message names the refused address, a database error can quote a row. Our tasks
therefore raise `TaskFailure` instead, whose message is the failure's kind, the error's
class and where it happened (file, line, function), never the error's own text, and whose
traceback holds no chained exception."""

import functools
import smtplib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from django.db import InterfaceError, OperationalError

P = ParamSpec("P")
R = TypeVar("R")

PERMANENT, TEMPORARY, UNKNOWN = "permanent", "temporary", "unknown"


class TaskFailure(Exception):
    """A task of ours failed; the message says how, never with whose data."""


class TemporaryTaskFailure(TaskFailure):
    """A failure that trying again later may mend (an SMTP 4xx, no connection, a database
    that went away): core.taskrecovery runs the task again, with back-off."""


def failure_kind(error: BaseException) -> str:
    """TEMPORARY: trying again later may work (an SMTP 4xx, no connection, a database that
    went away); PERMANENT: it will not (an SMTP 5xx); UNKNOWN otherwise."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return PERMANENT if codes and all(code >= 500 for code in codes) else TEMPORARY
    code = getattr(error, "smtp_code", 0)
    if isinstance(code, int) and code >= 500:
        return PERMANENT
    if isinstance(code, int) and code >= 400:
        return TEMPORARY
    if isinstance(error, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return TEMPORARY
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return TEMPORARY
    return UNKNOWN


def failure_describe(error: BaseException) -> str:
    """The failure as `<kind>: <ErrorClass> at <file>:<line> in <function>`."""
    where = ""
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        where = f" at {Path(last.filename).name}:{last.lineno} in {last.name}"
    return f"{failure_kind(error)}: {type(error).__name__}{where}"


def scrubbed(function: Callable[P, R]) -> Callable[P, R]:
    """For task functions (under @task()): any exception leaves as a TaskFailure that names
    its kind, class and place only."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except TaskFailure:
            raise  # already described without personal data
        except Exception as error:
            failure = TemporaryTaskFailure if failure_kind(error) == TEMPORARY else TaskFailure
            raise failure(failure_describe(error)) from None

    return run
