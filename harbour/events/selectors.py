"""Reads of events: the listing, the home page's cards, a group's upcoming events, counts."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from harbour.coalition.models import MemberGroupPage
from harbour.coalition.registry import GroupSection, SectionItem
from harbour.core.actions import ActionCard
from harbour.core.postal import PROVINCE_NAMES

from .models import EventPage, Registration, RegistrationState

UPCOMING_SHOWN = 50
PAST_SHOWN = 30


@dataclass(frozen=True)
class EventFilters:
    group: MemberGroupPage | None = None
    province: str = ""

    @property
    def group_id(self) -> int | None:
        return self.group.pk if self.group else None


def listing_filters(query: QueryDict) -> EventFilters:
    """The listing's filters from its query string; ValueError (its message for the
    visitor) for a group or province it does not know."""
    province = query.get("province", "")
    if province and province not in PROVINCE_NAMES:
        raise ValueError(_("There is no province or territory with that code."))
    group = None
    raw = query.get("group", "")
    if raw:
        group = group_choices().filter(pk=int(raw)).first() if raw.isdigit() else None
        if group is None:
            raise ValueError(_("There is no member group with that number."))
    return EventFilters(group=group, province=province)


def group_choices() -> QuerySet[MemberGroupPage]:
    """The groups an event may be filtered by: live, in the site's main language."""
    return (
        MemberGroupPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("title")
    )


def public_events(root: Page | None = None) -> QuerySet[EventPage]:
    events = EventPage.objects.live().public()
    if root is not None:
        events = events.child_of(root)  # type: ignore[attr-defined]
    return events


def events_listed(index: Page, filters: EventFilters) -> tuple[list[EventPage], list[EventPage]]:
    """(upcoming soonest first, past latest first) of a listing page, filtered."""
    events = public_events(index)
    if filters.group is not None:
        events = events.filter(organising_groups__translation_key=filters.group.translation_key)
    if filters.province:
        events = events.filter(province=filters.province)
    now = timezone.now()
    events = events.distinct()
    upcoming = events.filter(ends_at__gte=now).order_by("starts_at")[:UPCOMING_SHOWN]
    past = events.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_SHOWN]
    return list(upcoming), list(past)


def counts(event: EventPage) -> dict[str, int]:
    """How many registrations are in each state, and attended / no-show."""
    rows = Registration.objects.filter(event=event).values("state").annotate(n=Count("pk"))
    found: dict[str, int] = {state: 0 for state in RegistrationState.values}
    found.update({row["state"]: row["n"] for row in rows})
    attendance = Registration.objects.filter(event=event).aggregate(
        came=Count("pk", filter=Q(attended=True)),
        missed=Count("pk", filter=Q(attended=False)),
    )
    return {**found, "attended": attendance["came"], "no_show": attendance["missed"]}


def event_cards() -> list[ActionCard]:
    """Events open for registration, as cards for Take action and the home page (members'
    events are not advertised there)."""
    now = timezone.now()
    events = (
        public_events()
        .filter(locale__language_code=settings.LANGUAGE_CODE, members_only=False)
        .filter(status="scheduled", starts_at__gt=now)
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        .select_related("feature_image", "locale")
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__state=RegistrationState.CONFIRMED)
            )
        )
    )
    return [
        ActionCard.for_page(
            event,
            kind=_("Event"),
            verb=_("Register"),
            count=event.registered,
            counted=_("registered"),
            goal=event.capacity,
        )
        for event in events
    ]


def group_events_section(group: MemberGroupPage) -> GroupSection | None:
    """A group page's upcoming events, those it organises."""
    events = (
        public_events()
        .filter(organising_groups__translation_key=group.translation_key)
        .filter(locale=group.locale, ends_at__gte=timezone.now())
        .order_by("starts_at")
        .distinct()[:10]
    )
    items = [
        SectionItem(
            title=event.title,
            url=event.url,
            note=date_format(event.local_start, "DATETIME_FORMAT"),
        )
        for event in events
    ]
    return GroupSection(title=_("Upcoming events"), items=items)


def registrations_of(event: EventPage) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).select_related("person").order_by("created_at")


def sequences(events: list[EventPage]) -> dict[int, int]:
    from .models import EventSchedule

    rows = EventSchedule.objects.filter(event__in=events).values_list("event_id", "sequence")
    return dict(rows)
