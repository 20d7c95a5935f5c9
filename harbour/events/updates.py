"""When an event is published: registrants are told of what changed, and its reminders are
scheduled.

- time or place changed: every registrant with a place gets the invitation again with a
  higher SEQUENCE (their calendar moves the entry);
- cancelled or postponed: every live registrant is told (the cancelled invitation CANCELs
  the entry);
- more places (or no limit any more): the wait-list moves up (registrations.places_offer);
- reminders are queued for each offset before the start; a reminder whose start has since
  moved finds itself stale and sends nothing (a new one was queued for the new time).

Only the original page (the site's default language) counts: its translations share its
schedule, and registrations belong to it."""

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from harbour.coalition.organisers import organised_page_permissions_set
from harbour.core.roles import grant_organisers_section

from .models import EventPage, EventSchedule, EventStatus, reminder_offsets_parse
from .registrations import event_locked, later, places_offer


def schedule_fingerprint(event: EventPage) -> str:
    parts = [
        event.starts_at.isoformat(),
        event.ends_at.isoformat(),
        event.time_zone,
        event.format,
        event.venue,
        event.address,
        event.city,
        event.province,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def reminder_key(event: EventPage, offset: int) -> str:
    """What one reminder is: its offset and the start it was for."""
    return f"{offset}:{event.starts_at.isoformat()}"


def on_event_published(sender: Any, instance: EventPage, **kwargs: Any) -> None:
    original = instance.action_page()
    # The organisers of its groups may edit it, in every language (coalition.organisers).
    groups = list(original.organising_groups.all())  # type: ignore[attr-defined]
    for page in EventPage.objects.filter(translation_key=instance.translation_key):
        organised_page_permissions_set(page, groups)
    if original.pk == instance.pk:
        event_published(event_id=instance.pk)


def on_listing_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Organisers may create events under an events listing (core.roles)."""
    if created:
        grant_organisers_section(instance)


def event_published(*, event_id: int) -> EventSchedule:
    """Compare the published event with what registrants were told, and tell them."""
    from .tasks import send_event_notices

    with transaction.atomic():
        event = event_locked(event_id)
        fingerprint = schedule_fingerprint(event)
        schedule, created = EventSchedule.objects.select_for_update().get_or_create(
            event=event,
            defaults={
                "fingerprint": fingerprint,
                "status": event.status,
                "capacity": event.capacity,
            },
        )
        moved = not created and schedule.fingerprint != fingerprint
        status_changed = not created and schedule.status != event.status
        if moved or (status_changed and event.status == EventStatus.CANCELLED):
            schedule.sequence += 1
        more_places = not created and (
            event.capacity is None
            or (schedule.capacity is not None and event.capacity > schedule.capacity)
        )
        schedule.fingerprint, schedule.status = fingerprint, event.status
        schedule.capacity = event.capacity
        schedule.save()
        if status_changed and event.status != EventStatus.SCHEDULED:
            send_event_notices.enqueue(event.pk, str(event.status), str(schedule.sequence))
        elif moved:
            send_event_notices.enqueue(event.pk, "changed", str(schedule.sequence))
        if more_places or (status_changed and event.status == EventStatus.SCHEDULED):
            places_offer(event)
        # Queued again at each publication (the offsets may have changed): a reminder is
        # claimed per registrant, so one queued twice is still sent once.
        reminders_schedule(event)
    return schedule


def reminders_schedule(event: EventPage) -> None:
    """Queue one reminder task per offset still ahead (on a backend that can wait)."""
    from .tasks import send_event_notices

    now = timezone.now()
    for offset in reminder_offsets_parse(event.reminders):
        due = event.starts_at - datetime.timedelta(minutes=offset)
        if due > now:
            later(send_event_notices, due, event.pk, "reminder", reminder_key(event, offset))


def event_sequence(event: EventPage) -> int:
    schedule = EventSchedule.objects.filter(event=event).first()
    return schedule.sequence if schedule else 0
