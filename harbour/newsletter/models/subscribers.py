"""The newsletter: its lists, the page where people subscribe, each person's subscriptions
with the consent that allows them, and the addresses no mailing may reach.

A sign-up is one more confirmed action (core.confirmed_action): a `SignupRequest` keeps what
was asked (the lists, the language, the words of the consent shown) until its owner presses
the button of the e-mailed link; only then do `Subscription`s exist. Canada's anti-spam law
(CASL) asks for the consent record kept with each: people.Consent (the wording, when, which
form) and the identity of the senders (the alliance, and the member group a list belongs
to). An unsubscribe withdraws the subscription and its consent (kept, marked withdrawn)."""

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from harbour.core.pagecache import CachedServeMixin


# django-stubs cannot follow a relation from modelcluster's ClusterableModel (Mailing).
class MailingList(models.Model):  # type: ignore[django-manager-missing]
    """A list people subscribe to ("alliance news", "action alerts", a member group's own)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.ForeignKey(
        "coalition.MemberGroupPage",
        verbose_name=_("member group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A member group's own list: the group co-sends its mailings."),
    )
    offered = models.BooleanField(
        _("offered on the sign-up form"),
        default=True,
        help_text=_("Listed for anyone to choose on the newsletter form."),
    )
    default = models.BooleanField(
        _("the newsletter boxes of action forms subscribe to it"), default=False
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("group"),
        FieldPanel("offered"),
        FieldPanel("default"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("mailing list")

    def __str__(self) -> str:
        return self.name


class NewsletterPage(CachedServeMixin, RoutablePageMixin, Page):
    """/newsletter/: the sign-up form, its thanks, and the confirmation link's page."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("newsletter page")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.url and request.path != self.url:  # a link's page is never cached
            return RoutablePageMixin.serve(self, request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    @path("")
    def form_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import signup

        return signup(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import thanks

        return thanks(request, self)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import confirm

        return confirm(request, self, token)


class SignupRequest(models.Model):
    """A sign-up waiting for its owner's confirmation: what they asked for, as they saw it."""

    page = models.ForeignKey(NewsletterPage, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="newsletter_signups"
    )
    lists = models.ManyToManyField(MailingList, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    province = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=10, blank=True)
    wording = models.TextField()  # the consent's words, as the form showed them
    wording_language = models.CharField(max_length=10, blank=True)  # ... in this language
    source = models.CharField(max_length=200)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Newsletter sign-up {self.pk}"


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("subscribed")
    WITHDRAWN = "withdrawn", _("unsubscribed")


class Subscription(models.Model):
    """A person on a list, by the consent recorded when they confirmed."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="subscriptions"
    )
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    state = models.CharField(
        max_length=10, choices=SubscriptionState.choices, default=SubscriptionState.ACTIVE
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    consent = models.ForeignKey(
        "people.Consent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscribed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "mailing_list"], name="one_subscription_per_list"
            )
        ]
        indexes = [models.Index(fields=["mailing_list", "state"], name="subscription_list_state")]

    def __str__(self) -> str:
        return f"Subscription {self.pk}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("stopped all e-mail")
    HARD_BOUNCE = "hard_bounce", _("hard bounce")
    COMPLAINT = "complaint", _("spam complaint")
    SOFT_BOUNCES = "soft_bounces", _("repeated soft bounces")
    ERASED = "erased", _("erased")


class Suppression(models.Model):
    """An address no mailing may reach, kept only as a keyed hash (core.privacy), so that
    an erased supporter's address is not on file and a later import cannot subscribe it."""

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Suppressed ({self.reason})"
