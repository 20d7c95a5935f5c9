"""The parts of the events scenario that run inside Django, with the project's own code and
the scenario's environment (the bench server's settings and secrets, its Redis, EMAIL_URL
pointing at its SMTP sink): `manage.py shell -c "from ... import prepare; prepare()"`. Each
reads its input from and writes its answer to the files named by BENCH_IN and BENCH_OUT
(JSON), as the letters scenario's do.

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import datetime
import multiprocessing
import random
import time
from typing import Any

from .letters_inproc import bench_input, bench_output, drain_in_process

MEETING = "https://meet.example.invalid/harbour-bench-room"


def _event(listing: Any, title: str, slug: str, *, days: int, capacity: int | None) -> Any:
    """An online event under the demo's listing, published as an editor would publish it
    (which schedules its reminders and records what registrants were told)."""
    from django.utils import timezone

    from harbour.events.models import EventPage

    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    event = EventPage(
        title=title,
        slug=slug,
        summary="A bench event: many people want a place.",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        format="online",
        meeting_url=MEETING,
        capacity=capacity,
    )
    listing.add_child(instance=event)
    event.save_revision().publish()
    return event


def _listing() -> Any:
    """The demo's events listing (/events/), in the site's main language."""
    from django.conf import settings

    from harbour.events.models import EventIndexPage

    return EventIndexPage.objects.get(locale__language_code=settings.LANGUAGE_CODE)


def _registrants(event: Any, prefix: str, count: int) -> None:
    """`count` people, PREFIX-N@example.invalid, each with a confirmed registration."""
    from django.utils import timezone

    from harbour.events.models import Registration, RegistrationState
    from harbour.people.models import Person

    now = timezone.now()
    people = Person.objects.bulk_create(
        Person(email=f"{prefix}-{n}@example.invalid", language="en") for n in range(count)
    )
    Registration.objects.bulk_create(
        (
            Registration(
                event=event,
                person=person,
                name=f"Bench registrant {n}",
                state=RegistrationState.CONFIRMED,
                confirmed_at=now,
            )
            for n, person in enumerate(people)
        ),
        batch_size=1000,
    )


def prepare() -> None:
    """The spike's event (CAPACITY places, nobody registered) and the reminders' event with
    N registrants already confirmed (people and registrations written in bulk, as if they
    had registered over the past weeks); Wagtail's indexing tasks that publishing queued
    are run here, so that the queue holds only the events' deferred reminders."""
    from harbour.events.updates import reminder_key

    cfg = bench_input()
    session, count = cfg["session"], int(cfg["registrants"])
    listing = _listing()
    spike = _event(
        listing,
        f"Bench spike {session}",
        f"bench-spike-{session}",
        days=30,
        capacity=int(cfg["capacity"]),
    )
    reminders = _event(
        listing, f"Bench reminders {session}", f"bench-reminders-{session}", days=2, capacity=None
    )
    started = time.perf_counter()
    _registrants(reminders, f"remind-{session}", count)
    create_s = time.perf_counter() - started
    drain_s = drain_in_process()
    bench_output(
        {
            "session": session,
            "spike": {"id": spike.pk, "url": spike.url, "title": spike.title},
            "reminders": {
                "id": reminders.pk,
                "url": reminders.url,
                "offsets": [1440, 60],
                # The 1-day reminder, as reminders_schedule queued it (deferred to its time).
                "key": reminder_key(reminders, 1440),
            },
            "registrants": count,
            "create_s": create_s,
            "drain_s": drain_s,
        }
    )


def _confirm_one(call: tuple[int, str]) -> tuple[int, float, float, str]:
    """One press of a confirmation button: the registration, when the call began and
    returned on the machine's monotonic clock (shared by every process), and the state it
    answered (or the exception's name)."""
    from harbour.events.registrations import registration_confirm

    registration_id, token = call
    began = time.monotonic()
    try:
        state = str(registration_confirm(token=token).state)
    except Exception as error:  # noqa: BLE001 (counted as a failed check, not hidden)
        state = f"error: {type(error).__name__}"
    return registration_id, began, time.monotonic(), state


def confirm_all() -> None:
    """Confirm every pending registration of the event with `registration_confirm`, the
    service behind the e-mail's button, from several processes at once, each token twice
    in random order: the places are taken under the lock on the event's row."""
    from django.db import connections

    from harbour.events.models import Registration, RegistrationState
    from harbour.events.registrations import confirmation_token

    cfg = bench_input()
    pending = Registration.objects.filter(
        event_id=int(cfg["event_id"]), state=RegistrationState.PENDING
    ).order_by("pk")
    calls = [(r.pk, confirmation_token(r)) for r in pending] * int(cfg["presses"])
    random.Random(int(cfg["seed"])).shuffle(calls)
    connections.close_all()  # each forked process opens its own
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(int(cfg["processes"])) as pool:
        answers = list(pool.imap_unordered(_confirm_one, calls, chunksize=4))
    seconds = time.perf_counter() - started
    bench_output({"seconds": seconds, "calls": answers})


def enqueue_reminder() -> None:
    """Queue the event's reminder task now, as its deferred one would be run at its time
    (`send_event_notices`, the key of one of the event's offsets); answers the commit's time
    on the machine's monotonic clock (the one the sink stamps arrivals with)."""
    from django.db import transaction

    from harbour.events.tasks import send_event_notices

    cfg = bench_input()
    with transaction.atomic():
        result = send_event_notices.enqueue(int(cfg["event_id"]), "reminder", cfg["key"])
    bench_output({"task_id": str(result.id), "committed_at": time.monotonic()})
