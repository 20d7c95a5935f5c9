"""Where a mailing's time goes, in one Django process (no queue, no other worker): a list of
its own with N subscribers, a mailing started in process (`mailing_start` writes the rows;
the batch tasks it queued are deleted), then `mailing_batch_send` for the first half of the
rows, timed with its SQL counted, and for the second half under cProfile, into the
scenario's sink. The share of sending (`mail_send_bytes` or `mail_send`, after a row's claim
is committed, before it is recorded) is the window in which a killed worker leaves a row
`uncertain` that never left.

Run like newsletter_django's functions (`run_in_django`, the scenario's environment).
Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import time

from .events_profile import _measured
from .letters_inproc import bench_input, bench_output
from .newsletter_django import mailing_write, subscribers_write

PARTS = {
    "personal": "newsletter/rendering.py:personal",
    "bytes": "newsletter/rendering.py:recipient_bytes",
    "send_bytes": "core/mailsend.py:mail_send_bytes",
    "render": "newsletter/rendering.py:recipient_message",
    "version": "newsletter/rendering.py:version_render",
    "tokens_unsubscribe": "newsletter/services.py:unsubscribe_token",
    "tokens_preferences": "newsletter/services.py:preferences_token",
    "suppression_hash": "newsletter/services.py:address_hash",
    "connect": "newsletter/sending.py:_connect",
    "claim": "newsletter/mailing_states.py:recipient_claim",
    "claims": "newsletter/mailing_states.py:recipient_move",
    "state_checks": "newsletter/sending.py:_still_sending",
    "commit": "django/db/transaction.py:__exit__",
    "send": "core/mailsend.py:mail_send",
    "mime_build": "django/core/mail/message.py:message",
    "mime_bytes": "django/core/mail/message.py:as_bytes",
    "smtp_send": "django/core/mail/backends/smtp.py:_send",
    "sql": "django/db/backends/utils.py:execute",
}


def profile_batch() -> None:
    from django.contrib.auth import get_user_model
    from django_tasks_db.models import DBTaskResult

    from harbour.newsletter.models import MailingRecipient, MailingState
    from harbour.newsletter.sending import mailing_batch_send, mailing_start

    cfg = bench_input()
    tag, count = f"{cfg['session']}p", int(cfg["count"])
    user = get_user_model().objects.get(pk=int(cfg["user_id"]))
    mailing_list = subscribers_write(tag, count)
    mailing = mailing_write(mailing_list.pk, user, tag, state=MailingState.SENDING)
    started = time.perf_counter()
    written = mailing_start(mailing_id=mailing.pk)
    start_s = time.perf_counter() - started
    DBTaskResult.objects.filter(
        task_path="harbour.newsletter.tasks.send_mailing_batch",
        args_kwargs__args__0=mailing.pk,
        status="READY",
    ).delete()
    ids = list(
        MailingRecipient.objects.filter(mailing=mailing).order_by("pk").values_list("pk", flat=True)
    )
    halves = [ids[: len(ids) // 2], ids[len(ids) // 2 :]]

    def send() -> int:
        part = halves.pop(0)
        claimed_by = f"profile-{len(halves)}"
        return mailing_batch_send(
            mailing_id=mailing.pk, first=part[0], last=part[-1], claimed_by=claimed_by
        )

    measured = _measured(send, PARTS)
    bench_output(
        {
            "recipients": count,
            "rows_written": written,
            "start_s": start_s,
            "start_ms_per_row": 1000 * start_s / max(1, written),
            **measured,
        }
    )


SIGNUP_PARTS = {
    "routing": "wagtail/models/pages.py:route_for_request",
    "view": "newsletter/views.py:signup",
    "create": "newsletter/services.py:signup_create",
    "person": "people/services.py:person_get_or_create",
    "limits": "core/ratelimit.py:hits",
    "form": "django/forms/forms.py:is_valid",
    "sql": "django/db/backends/utils.py:execute",
}


def profile_signups() -> None:
    """N sign-ups posted to /newsletter/ one at a time, as wrk posts them (one visitor's
    CSRF pair, a new address each, the flash message's cookie dropped); N more under
    cProfile."""
    import re
    import urllib.parse

    from django.test import Client

    cfg = bench_input()
    path, run_id, count, fields = cfg["path"], cfg["run_id"], int(cfg["count"]), cfg["fields"]
    visitor = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    page = visitor.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError(f"GET {path} showed no form token")
    data = dict(urllib.parse.parse_qsl(fields, keep_blank_values=True))
    sent = {"n": 0}

    def sign_up(times: int) -> int:
        for _ in range(times):
            sent["n"] += 1
            email = f"bench-{run_id}-0-{sent['n']}@example.invalid"
            form = {**data, "csrfmiddlewaretoken": token.group(1), "email": email}
            response = visitor.post(path, form)
            visitor.cookies.pop("messages", None)
            if response.status_code != 302:
                raise RuntimeError(f"POST {path} answered {response.status_code}")
        return times

    sign_up(1)  # warm: first-request imports and caches are not what a spike pays
    bench_output(_measured(lambda: sign_up(count), SIGNUP_PARTS))
