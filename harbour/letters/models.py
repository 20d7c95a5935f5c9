"""E-mail-your-representative campaigns: the page holds the words and settings; letters
and their deliveries (one per representative) are rows of their own."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from harbour.core.models import ActionPage

RICH = ["bold", "italic", "link", "ol", "ul", "h2", "h3"]
PLACEHOLDER_HELP = _(
    "Placeholders: {greeting} (Dear Minister Anand, / Dear Jennifer McKelvie, MP,), "
    "{addressee} (The Honourable Anita Anand, Minister of Foreign Affairs), "
    "{representative} (name with honorific), {representative_title} (e.g. Member of "
    "Parliament for Ajax), {district}, {supporter_name}, {supporter_city}. A minister who "
    "is also the supporter's own MP is written to as their MP."
)


class DeliveryMode(models.TextChoices):
    SEND = "send", _("Harbour sends the letters")
    MAILTO = "mailto", _("Supporters send from their own e-mail program")


class LetterCampaignPage(RoutablePageMixin, ActionPage):
    call_to_action = RichTextField(_("call to action"), blank=True, features=RICH)
    talking_points = RichTextField(_("talking points"), blank=True, features=RICH)
    subject_template = models.CharField(_("subject"), max_length=200, help_text=PLACEHOLDER_HELP)
    body_template = models.TextField(_("letter"), help_text=PLACEHOLDER_HELP)
    allow_editing = models.BooleanField(_("supporters may edit the letter"), default=True)
    max_length = models.PositiveIntegerField(_("longest letter (characters)"), default=5000)
    target_own_mp = models.BooleanField(_("send to the supporter's own MP"), default=True)
    fixed_targets = ParentalManyToManyField(
        "representatives.Representative", blank=True, verbose_name=_("also send to")
    )
    target_groups = ParentalManyToManyField(
        "representatives.TargetGroup", blank=True, verbose_name=_("and to these groups")
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.SEND
    )
    daily_digest = models.BooleanField(
        _("one digest per office per day"),
        default=False,
        help_text=_("Each office gets one message a day carrying all of that day's letters."),
    )
    daily_cap_per_target = models.PositiveIntegerField(
        _("letters per office per day"), default=0, help_text=_("0 means no limit.")
    )
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("call_to_action"),
        FieldPanel("talking_points"),
        MultiFieldPanel(
            [
                FieldPanel("subject_template"),
                FieldPanel("body_template"),
                FieldRowPanel([FieldPanel("allow_editing"), FieldPanel("max_length")]),
            ],
            heading=_("Letter"),
        ),
        MultiFieldPanel(
            [FieldPanel("target_own_mp"), FieldPanel("fixed_targets"), FieldPanel("target_groups")],
            heading=_("Recipients"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("delivery"),
                FieldPanel("daily_digest"),
                FieldPanel("daily_cap_per_target"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("Sending"),
        ),
        *ActionPage.presentation_panels,
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("letter campaign")

    def is_open(self) -> bool:
        now = timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    @path("")
    def index_route(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        from .views import campaign_page, submit, write

        # The forms post to the page's own address, so that errors re-render there: the
        # postal code (and "Not your riding?") steps, or the letter itself (step=send).
        if request.method == "POST":
            return (
                submit(request, self)
                if request.POST.get("step") == "send"
                else write(request, self)
            )
        return campaign_page(request, self)

    @path("write/", name="write")
    def write_route(self, request):  # type: ignore[no-untyped-def]
        from .views import write

        return write(request, self)

    @path("send/", name="send")
    def send_route(self, request):  # type: ignore[no-untyped-def]
        from .views import submit

        return submit(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request):  # type: ignore[no-untyped-def]
        from .views import thanks

        return thanks(request, self)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request, token):  # type: ignore[no-untyped-def]
        from .views import confirm

        return confirm(request, self, token)


class LetterState(models.TextChoices):
    """Moves: letters.states.LETTER_MOVES."""

    PENDING = "pending", _("Waiting for e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class Letter(models.Model):
    # PROTECT: letters are never deleted with their campaign page (see signons' Signature).
    campaign = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="letters"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    state = models.CharField(
        max_length=12, choices=LetterState.choices, default=LetterState.PENDING
    )
    district = models.ForeignKey(
        "representatives.ElectoralDistrict",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supporter_name = models.CharField(max_length=200)
    supporter_city = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # True: subject and body are the campaign's template (supporters could not edit it),
    # filled in for each recipient; False: the supporter's words, sent as typed.
    templated = models.BooleanField(default=False)
    # Where supporters edit: the campaign template's opening lines that greet each recipient
    # ("{addressee}", "{greeting}"), filled in per recipient above the supporter's words.
    head = models.TextField(blank=True, default="")
    ip_hash = models.CharField(max_length=64, blank=True)
    # The newsletter choice on the form; recorded as consent only once the address owner
    # confirms (an unconfirmed address cannot agree to anything).
    newsletter = models.BooleanField(default=False)
    # Set (committed) before the supporter's copy goes, so a task run again after a worker
    # died does not send a second copy; cleared if the copy did not leave.
    copy_sent_at = models.DateTimeField(null=True, blank=True)
    # Attempts at the copy, MAX_ATTEMPTS (sending.py) in all: a temporary failure leaves it
    # for the `send_letter` task's retry; a permanent or uncertain one, or an erased
    # supporter, sets it to MAX_ATTEMPTS at once.
    copy_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "state", "confirmed_at"])]
        permissions = [("export_letter", "Can export letter writers")]

    def __str__(self) -> str:
        return f"Letter #{self.pk}"


class DeliveryState(models.TextChoices):
    """Moves: letters.states.DELIVERY_MOVES."""

    QUEUED = "queued", _("Queued")
    DEFERRED = "deferred", _("Held for a later day (daily limit)")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One letter to one representative. `message_id` is recorded before the SMTP call so a
    retried task can tell that a message may already have left (see services)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries")
    representative = models.ForeignKey(
        "representatives.Representative", on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    digest = models.BooleanField(default=False)
    message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "representative"], name="one_delivery_each")
        ]
        indexes = [models.Index(fields=["state", "representative"])]

    def __str__(self) -> str:
        return f"Delivery #{self.pk}"


class MailtoClick(models.Model):
    """A supporter opened the prepared letter in their own e-mail program (counted only)."""

    campaign = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        "representatives.ElectoralDistrict",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"mailto click #{self.pk}"
