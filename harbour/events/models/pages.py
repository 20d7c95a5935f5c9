"""Events and webinars: a listing page, one page per event, and the registrations.

An event is a Wagtail page (editors translate its words, publish, unpublish, postpone). Its
registrations belong to the original page, in the site's default language, whichever
translation a supporter registered on (core.models.ActionPage.action_page), so one event has
one list of places. The online meeting's address (`meeting_url`) is stored here and never
drawn by a public template: registrants reach it through their personal link
(links.attend_url)."""

import datetime
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from harbour.coalition.models import PROVINCE_CHOICES, filter_refused
from harbour.core.models import ActionPage
from harbour.core.pagecache import CachedServeMixin

from ..admin_forms import EventPageForm

# Canada's time zones, as an event is announced in one of them.
TIME_ZONES = [
    ("America/Vancouver", _("Pacific (Vancouver)")),
    ("America/Edmonton", _("Mountain (Edmonton)")),
    ("America/Regina", _("Saskatchewan (Regina)")),
    ("America/Winnipeg", _("Central (Winnipeg)")),
    ("America/Toronto", _("Eastern (Toronto, Ottawa, Montréal)")),
    ("America/Halifax", _("Atlantic (Halifax)")),
    ("America/St_Johns", _("Newfoundland (St. John's)")),
]


def reminder_offsets_parse(text: str) -> list[int]:
    """'1d, 1h' → [1440, 60]: minutes before the start, largest first. ValidationError
    names what it cannot read."""
    units = {"d": 1440, "h": 60, "m": 1}
    minutes: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        number, unit = part[:-1].strip(), part[-1:]
        if unit not in units or not number.isdigit() or not 0 < int(number) <= 60 * 24 * 30:
            raise ValidationError(
                _("Write reminders as “1d, 1h” or “30m”: “%(part)s” is not one.") % {"part": part}
            )
        minutes.add(int(number) * units[unit])
    return sorted(minutes, reverse=True)


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class EventIndexPage(CachedServeMixin, RoutablePageMixin, Page):
    """Every event: upcoming first, then past; by group and by province; and the public
    events' iCalendar feed."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("events listing")

    @path("")
    def listing_route(self, request):  # type: ignore[no-untyped-def]
        from ..selectors import listing_filters

        try:
            listing_filters(request.GET)
        except ValueError as refused:
            return filter_refused(self, request, str(refused))
        return self.render(request)

    @path("feed/", name="feed")
    def feed_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import calendar_feed

        return calendar_feed(request, self)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..selectors import EventFilters, events_listed, group_choices, listing_filters

        context = super().get_context(request, *args, **kwargs)
        try:
            filters = listing_filters(request.GET)
        except ValueError:  # the listing's route answers 400; the page shows everything
            filters = EventFilters()
        context["filters"] = filters
        context["upcoming"], context["past"] = events_listed(self, filters)
        context["group_choices"] = group_choices()
        context["province_choices"] = PROVINCE_CHOICES
        return context


class EventPage(CachedServeMixin, RoutablePageMixin, ActionPage):
    """One event or webinar, its registration form and its registrants' links."""

    description = RichTextField(
        _("description"), blank=True, features=["bold", "italic", "link", "ul", "ol", "h3"]
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=TIME_ZONES, default="America/Toronto"
    )
    format = models.CharField(
        _("format"), max_length=12, choices=EventFormat.choices, default=EventFormat.ONLINE
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    province = models.CharField(
        _("province or territory"), max_length=2, blank=True, choices=PROVINCE_CHOICES
    )
    meeting_url = models.URLField(
        _("online meeting address"),
        blank=True,
        max_length=500,
        help_text=_(
            "Never shown on the site: registrants open it through their personal link, "
            "which is in their e-mails."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when it starts.")
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only members of the alliance's groups may register; not in public feeds."),
    )
    approval_required = models.BooleanField(
        _("approve each registration"),
        default=False,
        help_text=_("For sensitive sessions: an organiser accepts each registrant by hand."),
    )
    organising_groups = ParentalManyToManyField(
        "coalition.MemberGroupPage",
        verbose_name=_("organising groups"),
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    reminders = models.CharField(
        _("reminders"),
        max_length=60,
        default="1d, 1h",
        blank=True,
        help_text=_("How long before the start registrants are reminded, e.g. “1d, 1h”."),
    )
    offer_hold_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offered place"), default=24
    )
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancelling closes (hours before the start)"), default=0
    )
    report = RichTextField(_("report"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    recording_url = models.URLField(
        _("recording (for members)"), blank=True, help_text=_("Shown to members after the event.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("time_zone"),
                FieldPanel("status"),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("format"),
                FieldPanel("venue"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("city"), FieldPanel("province")]),
                FieldPanel("meeting_url"),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel("members_only"),
                FieldPanel("approval_required"),
                FieldPanel("reminders"),
                FieldRowPanel([FieldPanel("offer_hold_hours"), FieldPanel("cancel_cutoff_hours")]),
            ],
            heading=_("Registration"),
        ),
        FieldPanel("organising_groups"),
        MultiFieldPanel(
            [FieldPanel("report"), FieldPanel("recording_url")], heading=_("After the event")
        ),
        FieldPanel("featured"),
        FieldPanel("feature_image"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("starts_at"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []
    base_form_class = EventPageForm

    class Meta:
        verbose_name = _("event")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("An event ends after it starts.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration closes after it opens.")
        if self.format != EventFormat.IN_PERSON and not self.meeting_url:
            errors["meeting_url"] = _("An online event needs its meeting's address.")
        if self.format != EventFormat.ONLINE and not (self.venue or self.address):
            errors["venue"] = _("An event in person needs its venue or address.")
        if self.capacity == 0:
            errors["capacity"] = _("Give at least one place, or leave it empty for no limit.")
        try:
            reminder_offsets_parse(self.reminders)
        except ValidationError as error:
            errors["reminders"] = error.messages
        if errors:
            raise ValidationError(errors)

    # What ActionCard (core.actions) reads of an action page.
    @property
    def opens_at(self) -> datetime.datetime:
        return self.registration_opens_at or self.first_published_at or self.starts_at

    @property
    def closes_at(self) -> datetime.datetime:
        return self.registration_closes_at or self.starts_at

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_online(self) -> bool:
        return self.format != EventFormat.IN_PERSON

    @property
    def has_venue(self) -> bool:
        return self.format != EventFormat.ONLINE

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    def registration_state(self, now: datetime.datetime | None = None) -> str:
        """ "open", or why registering is not possible: "cancelled", "postponed", "not_yet",
        "closed"."""
        now = now or timezone.now()
        if self.status != EventStatus.SCHEDULED:
            return str(self.status)
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        if now >= self.closes_at:
            return "closed"
        return "open"

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Only the event's own page is kept in the anonymous page cache: a personal link's
        # page (the meeting's address, a cancellation) is never stored anywhere.
        if self.url and request.path != self.url:
            return RoutablePageMixin.serve(self, request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    @path("")
    def page_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import event_page

        return event_page(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import thanks

        return thanks(request, self)

    @path("calendar/", name="calendar")
    def calendar_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import event_calendar

        return event_calendar(request, self)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import confirm

        return confirm(request, self, token)

    @path("attend/<str:token>/", name="attend")
    def attend_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import attend

        return attend(request, self, token)

    @path("withdraw/<str:token>/", name="withdraw")
    def withdraw_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import withdraw

        return withdraw(request, self, token)

    @path("accept/<str:token>/", name="accept")
    def accept_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import accept

        return accept(request, self, token)
