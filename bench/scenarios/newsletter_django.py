"""The parts of the newsletter scenario that run inside Django, with the project's own code
and the scenario's environment (EMAIL_URL at its SMTP sink): `manage.py shell -c "from ...
import prepare; prepare()"`, input and answer as JSON in the files BENCH_IN and BENCH_OUT
name (bench.server.run_in_django).

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import json
import time
from typing import Any

from .letters_inproc import bench_input, bench_output, drain_in_process

CHUNK = 5000
WORDING = "I agree to receive the e-mails of the lists I chose (bench import)."
PARAGRAPH = (
    "<p>This month the alliance met twelve members of Parliament, delivered 4,000 letters "
    "and held its first online workshop. <b>Thank you</b> to everyone who wrote, signed and "
    'came. <a href="https://example.org/report">Read the whole report</a>.</p>'
)
BODY = json.dumps(
    [
        {"type": "text", "value": "<h2>What we did this month</h2>" + PARAGRAPH * 3},
        {"type": "button", "value": {"label": "Sign the statement", "url": "https://example.org/sign"}},
        {"type": "text", "value": "<p>Next month: the committee's hearing. Stay tuned.</p>"},
    ]
)  # fmt: skip


def subscribers_write(tag: str, count: int) -> Any:
    """A list of its own (not offered on the form) with `count` confirmed subscribers
    written in bulk, as an import would leave them: a person, their consent and the
    subscription, each table in one multi-row INSERT per CHUNK rows."""
    from django.db import transaction

    from harbour.newsletter.models import MailingList, Subscription
    from harbour.people.models import Consent, Person

    with transaction.atomic():
        mailing_list = MailingList.objects.create(
            name=f"Bench subscribers {tag}", slug=f"bench-{tag}", offered=False
        )
        people = Person.objects.bulk_create(
            (Person(email=f"nl-{tag}-{n}@example.invalid", language="en")
             for n in range(count)),
            batch_size=CHUNK,
        )  # fmt: skip
        consents = Consent.objects.bulk_create(
            (
                Consent(
                    person=p,
                    topic="newsletter",
                    granted=True,
                    wording=WORDING,
                    language="en",
                    source="bench",
                )
                for p in people
            ),
            batch_size=CHUNK,
        )
        Subscription.objects.bulk_create(
            (
                Subscription(person=p, mailing_list=mailing_list, language="en", consent=c)
                for p, c in zip(people, consents, strict=True)
            ),
            batch_size=CHUNK,
        )
    return mailing_list


def mailing_write(list_id: int, user: Any, title: str, **fields: Any) -> Any:
    """A mailing to the list, in English: a heading, three paragraphs, a button."""
    from harbour.newsletter.models import Mailing, MailingVersion

    mailing = Mailing.objects.create(
        title=title, mailing_list_id=list_id, created_by=user, **fields
    )
    MailingVersion.objects.create(
        mailing=mailing,
        language="en",
        subject="News of the alliance",
        preheader="What we did this month",
        body=BODY,
        sort_order=0,
    )
    return mailing


def prepare() -> None:
    """The list and its subscribers (subscribers_write), and a superuser who sends."""
    from django.contrib.auth import get_user_model

    cfg = bench_input()
    session, count = cfg["session"], int(cfg["subscribers"])
    started = time.perf_counter()
    mailing_list = subscribers_write(session, count)
    create_s = time.perf_counter() - started
    user = get_user_model().objects.create(
        username=f"bench-sender-{session}",
        email=f"bench-sender-{session}@example.invalid",
        is_staff=True,
        is_superuser=True,
    )
    drain_s = drain_in_process()  # whatever the writes queued: the runs start from none
    bench_output(
        {
            "session": session,
            "list_id": mailing_list.pk,
            "user_id": user.pk,
            "subscribers": count,
            "create_s": create_s,
            "drain_s": drain_s,
        }
    )


def send_mailing() -> None:
    """A mailing to the list (mailing_write) sent now as an organiser sends it
    (`mailing_send`: draft to sending, its start task queued, one transaction); answers
    its id and the commit's time on the machine's monotonic clock (the sink's)."""
    from django.contrib.auth import get_user_model

    from harbour.newsletter.mailings import mailing_send

    cfg = bench_input()
    user = get_user_model().objects.get(pk=int(cfg["user_id"]))
    mailing = mailing_write(int(cfg["list_id"]), user, cfg["title"])
    mailing_send(mailing=mailing, user=user)
    committed_at = time.monotonic()
    bench_output({"mailing_id": mailing.pk, "committed_at": committed_at})
