"""The organisers' mailings: what is sent (a version per language), to whom (a list,
narrowed), and each recipient's row, claimed before its message leaves.

A mailing moves draft → scheduled → sending → sent, may be paused and resumed while it is
being sent, and cancelled before it ends (transitions in newsletter.mailing_states). Its
recipients are written once, when sending starts, from the audience of that moment; each
row then moves queued → sending (claimed, committed before the message leaves) → sent, or
failed, or `uncertain` when a worker was killed with the message in its hands (it may have
left, so it is never sent again)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import StreamField
from wagtail.models import Orderable

from ..blocks import MailingBody
from .subscribers import MailingList


class MailingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Mailing(ClusterableModel):
    title = models.CharField(
        _("name"), max_length=120, help_text=_("For the organisers; recipients never see it.")
    )
    mailing_list = models.ForeignKey(
        MailingList,
        verbose_name=_("list"),
        on_delete=models.PROTECT,
        related_name="mailings",
        help_text=_("A member group's list is sent in the group's name, with the alliance."),
    )
    # Narrowings, each optional; an audience is the list's subscribers that match them all.
    province = models.CharField(_("only in the province or territory"), max_length=2, blank=True)
    district = models.CharField(_("only in the federal district"), max_length=40, blank=True)
    language = models.CharField(_("only those reading in"), max_length=10, blank=True)
    action = models.CharField(
        _("only those who took this action and agreed to be contacted"),
        max_length=60,
        blank=True,
    )
    count_clicks = models.BooleanField(
        _("count clicks on links (in total, never per person)"),
        default=False,
        help_text=_("Off by default: supporters' safety comes first. Administrators only."),
    )
    state = models.CharField(
        max_length=10, choices=MailingState.choices, default=MailingState.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        permissions = [("send_mailing", "Can send a mailing")]

    def __str__(self) -> str:
        return self.title


class MailingVersion(Orderable):
    """The mailing in one language; a recipient gets the version in their language, or the
    first one."""

    mailing = ParentalKey(Mailing, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("The line many e-mail programs show after the subject."),
    )
    body = StreamField(MailingBody(), verbose_name=_("body"))

    class Meta(Orderable.Meta):
        verbose_name = _("language version")
        constraints = [
            models.UniqueConstraint(fields=["mailing", "language"], name="one_version_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.mailing} ({self.language})"


class RecipientState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("Interrupted (may have left; not sent again)")
    BOUNCED = "bounced", _("Bounced")
    SKIPPED = "skipped", _("Left the list or suppressed before their turn")


class MailingRecipient(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscription = models.ForeignKey(
        "newsletter.Subscription", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(
        max_length=10, choices=RecipientState.choices, default=RecipientState.QUEUED
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    # The provider's own id of the message (anymail), which its bounce webhooks give.
    provider_message_id = models.CharField(max_length=200, blank=True)
    # The task run that claimed the row: a run of the same task after its worker was killed
    # finds its own claims and knows those messages may have left.
    claimed_by = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="one_row_per_recipient")
        ]
        indexes = [
            models.Index(fields=["mailing", "state"], name="recipient_mailing_state"),
            models.Index(fields=["message_id"], name="recipient_message_id"),
            models.Index(fields=["provider_message_id"], name="recipient_provider_id"),
        ]

    def __str__(self) -> str:
        return f"Recipient {self.pk}"


class MailingLink(models.Model):
    """A link's clicks, in total, for a mailing that counts them (never who clicked)."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    clicks = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Link {self.pk}"


class DeliveryProblem(models.Model):
    """Soft bounces (mailbox full, server busy) of an address, by keyed hash; enough of them
    suppress it (newsletter.bounces)."""

    address_hash = models.CharField(max_length=64, unique=True)
    soft_bounces = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Delivery problems {self.pk}"
