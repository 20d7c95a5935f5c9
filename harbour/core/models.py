from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page


class AuditEntry(models.Model):
    """One recorded staff action. See core/audit.py."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=200)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.CharField(_("record id"), max_length=64)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}#{self.target_id}"


class MailClaim(models.Model):
    """One e-mail that a task run is sending or has sent, keyed by what asked for it (the
    task's id): a task run again (its worker killed, a retry) finds the claim and sends
    nothing twice. See core/mailsend.py `claimed_mail_send`."""

    SENDING, SENT, UNCERTAIN = "sending", "sent", "uncertain"
    STATES = [(SENDING, _("sending")), (SENT, _("sent")), (UNCERTAIN, _("may have left"))]

    key = models.CharField(max_length=100, primary_key=True)
    state = models.CharField(max_length=10, choices=STATES, default=SENDING)
    claimed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("e-mail claim")
        verbose_name_plural = _("e-mail claims")

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class TaskWorker(models.Model):
    """A running task worker's heartbeat (core.taskrecovery): a task claimed by a worker
    whose heartbeat has stopped is put back in the queue. Holds no personal data."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        permissions = [("manage_tasks", _("See failed background tasks and run them again"))]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class ActionPage(Page):
    """A public action's page (statement, petition, letter campaign, ...): the fields that
    present it elsewhere on the site (Take action, the home page)."""

    summary = models.TextField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for the action's card on Take action and the home page."),
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown first, with its image.")
    )
    feature_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    presentation_panels = [
        MultiFieldPanel(
            [FieldPanel("summary"), FieldPanel("featured"), FieldPanel("feature_image")],
            heading=_("Take action card"),
        )
    ]

    class Meta:
        abstract = True

    def action_page(self) -> "ActionPage":
        """The page actions on this one are stored against: the original, in the site's
        default language. A statement in three languages is one statement: one list of
        signers, one count, whichever translation a supporter signed."""
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return self
        original = (
            Page.objects.filter(
                translation_key=self.translation_key,
                locale__language_code=settings.LANGUAGE_CODE,
            )
            .specific()
            .first()
        )
        return original if isinstance(original, ActionPage) else self

    def in_language(self, language: str) -> "ActionPage":
        """This action's page in `language` (live), or this page when not translated."""
        if not language or self.locale.language_code == language:
            return self
        found = (
            Page.objects.live()
            .filter(translation_key=self.translation_key, locale__language_code=language)
            .specific()
            .first()
        )
        return found if isinstance(found, ActionPage) else self


COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour as #rrggbb, e.g. #b3122d."))


@register_setting(icon="site")
class Branding(BaseSiteSetting):
    """Who the site and its e-mails speak for (Settings > Branding; core/branding.py)."""

    name = models.CharField(
        _("coalition name"),
        max_length=120,
        default="Harbour",
        help_text=_("Shown in the header, page titles, e-mails and the statement PDF."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Also the browser tab's icon. Square works best."),
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b3122d", validators=[COLOUR]
    )
    ink_colour = models.CharField(
        _("text colour"), max_length=7, default="#1d2330", validators=[COLOUR]
    )
    sender_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("The From address of every e-mail (empty: the server's DEFAULT_FROM_EMAIL)."),
    )
    postal_address = models.TextField(
        _("postal address"),
        max_length=400,
        blank=True,
        help_text=_(
            "Canada's anti-spam law (CASL) asks every e-mail to identify its sender with a "
            "mailing address: it is printed at the foot of each one."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("logo"),
        FieldRowPanel([FieldPanel("accent_colour"), FieldPanel("ink_colour")]),
        FieldPanel("sender_email"),
        FieldPanel("postal_address"),
    ]

    class Meta:
        verbose_name = _("branding")

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        from .branding import brand_forget

        brand_forget()
