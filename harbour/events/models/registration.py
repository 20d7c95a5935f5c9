"""A person's registration for an event, its states, and what registrants were last told
of the event's schedule."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pages import EventPage, EventStatus


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("waiting for e-mail confirmation")
    AWAITING = "awaiting", _("waiting for an organiser's approval")
    CONFIRMED = "confirmed", _("registered")
    WAITLISTED = "waitlisted", _("on the wait-list")
    OFFERED = "offered", _("offered a place")
    CANCELLED = "cancelled", _("cancelled")
    DECLINED = "declined", _("declined by an organiser")
    LAPSED = "lapsed", _("offer not taken in time")


# The states that hold one of the event's places (an offer holds it while it waits).
HOLDS_PLACE = (RegistrationState.CONFIRMED, RegistrationState.OFFERED)
# The states of a registration still alive: one per address and event.
ACTIVE = (
    RegistrationState.PENDING,
    RegistrationState.AWAITING,
    RegistrationState.CONFIRMED,
    RegistrationState.WAITLISTED,
    RegistrationState.OFFERED,
)


def join_key_new() -> str:
    return secrets.token_hex(16)


class Registration(models.Model):
    """One person's registration for an event, confirmed by e-mail."""

    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=RegistrationState.choices,
        default=RegistrationState.PENDING,
    )
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    accessibility = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    newsletter = models.BooleanField(default=False)
    # "Let <the organising groups> contact me": recorded as consents when confirmed.
    group_contact = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The wait-list's order: when the registrant joined it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # Part of the personal join link: a new key revokes every link given before.
    join_key = models.CharField(max_length=32, default=join_key_new)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=models.Q(state__in=[s.value for s in ACTIVE]),
                name="one_live_registration_per_person",
            )
        ]
        indexes = [models.Index(fields=["event", "state"], name="registration_event_state")]

    def __str__(self) -> str:
        return f"Registration {self.pk}"


class EventSchedule(models.Model):
    """What registrants were last told of an event (kept apart from the page, whose fields
    each published revision overwrites): the invitation's SEQUENCE, and the schedule,
    status and places it described. events.updates compares a published event with it."""

    event = models.OneToOneField(EventPage, on_delete=models.CASCADE, related_name="schedule")
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=EventStatus.choices)
    capacity = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Schedule of event {self.event_id}"
