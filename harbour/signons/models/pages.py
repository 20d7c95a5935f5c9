"""Statement, open-letter and petition pages: their words and settings. Signatures are rows
of `Signature`; the page only renders them through the selectors."""

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from harbour.core.models import ActionPage

from .signatures import SignerKind

RICH = ["bold", "italic", "link", "ol", "ul", "h2", "h3"]


class SignOnPage(RoutablePageMixin, ActionPage):
    """What statements and petitions share: dates, text, and who may sign."""

    date = models.DateField(_("date"), default=timezone.localdate)
    organising_groups = ParentalManyToManyField(
        "coalition.MemberGroupPage",
        verbose_name=_("organising member groups"),
        blank=True,
        related_name="+",
        help_text=_("Signers may let these groups contact them (a box on the form)."),
    )
    preamble = RichTextField(_("preamble"), blank=True, features=RICH)
    body = RichTextField(_("body"), blank=True, features=RICH)
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # How long signers' details are kept after the page closes (signons.retention); empty:
    # kept. Petitions default to six months, as the UK Parliament's petitions site does.
    retention_months = models.PositiveSmallIntegerField(
        _("keep signers' details for (months after closing)"),
        null=True,
        blank=True,
        help_text=_(
            "After this many months from the closing date, individual signers' names, "
            "e-mail addresses and postal areas are removed; the counts (by province and "
            "district too) stay. Organisations and parliamentarians stay listed. Leave "
            "empty to keep them."
        ),
    )

    search_fields = [*Page.search_fields, index.SearchField("preamble"), index.SearchField("body")]
    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    # Which kinds of signer this page accepts (overridden per page type or by fields).
    def accepted_kinds(self) -> list[str]:
        return [SignerKind.INDIVIDUAL]

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    def has_closed(self) -> bool:
        return self.closes_at is not None and timezone.now() >= self.closes_at

    @path("")
    def index_route(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from harbour.signons.views import signon_page

        return signon_page(request, self)

    @path("sign/", name="sign")
    def sign_route(self, request: HttpRequest) -> HttpResponse:
        from harbour.signons.views import sign

        return sign(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request: HttpRequest) -> HttpResponse:
        from harbour.signons.views import thanks

        return thanks(request, self)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request: HttpRequest, token: str) -> HttpResponse:
        from harbour.signons.views import confirm

        return confirm(request, self, token)

    @path("print/", name="print")
    def print_route(self, request: HttpRequest) -> HttpResponse:
        from harbour.signons.views import printable

        return printable(request, self)

    @path("pdf/", name="pdf")
    def pdf_route(self, request: HttpRequest) -> HttpResponse:
        from harbour.signons.views import pdf

        return pdf(request, self)


class StatementKind(models.TextChoices):
    JOINT_STATEMENT = "statement", _("Joint statement")
    OPEN_LETTER = "open_letter", _("Open letter")


class StatementPage(SignOnPage):
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=StatementKind.choices,
        default=StatementKind.JOINT_STATEMENT,
    )
    allow_organisations = models.BooleanField(_("organisations may sign"), default=True)
    allow_parliamentarians = models.BooleanField(_("parliamentarians may sign"), default=True)
    allow_individuals = models.BooleanField(_("individuals may sign"), default=False)
    closing = RichTextField(_("closing"), blank=True, features=RICH)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]),
        FieldPanel("organising_groups"),
        FieldPanel("preamble"),
        FieldPanel("body"),
        InlinePanel("demands", label=_("Demands")),
        FieldPanel("closing"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("retention_months"),
                FieldPanel("allow_organisations"),
                FieldPanel("allow_parliamentarians"),
                FieldPanel("allow_individuals"),
            ],
            heading=_("Signing"),
        ),
        *ActionPage.presentation_panels,
    ]

    class Meta:
        verbose_name = _("statement or open letter")

    def accepted_kinds(self) -> list[str]:
        allowed = [
            (self.allow_organisations, SignerKind.ORGANISATION),
            (self.allow_parliamentarians, SignerKind.PARLIAMENTARIAN),
            (self.allow_individuals, SignerKind.INDIVIDUAL),
        ]
        return [kind for on, kind in allowed if on]


class StatementDemand(Orderable):
    page = ParentalKey(StatementPage, related_name="demands", on_delete=models.CASCADE)
    text = models.TextField(_("demand"), max_length=1000)

    panels = [FieldPanel("text")]

    def __str__(self) -> str:
        return self.text[:60]


class PetitionPage(SignOnPage):
    target = models.CharField(
        _("addressed to"), max_length=200, help_text=_("Who the petition is addressed to.")
    )
    goal = models.PositiveIntegerField(_("signature goal"), default=1000)
    retention_months = models.PositiveSmallIntegerField(
        _("keep signers' details for (months after closing)"),
        null=True,
        blank=True,
        default=6,
        help_text=SignOnPage._meta.get_field("retention_months").help_text,
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("target"), FieldPanel("goal"), FieldPanel("date")]),
        FieldPanel("organising_groups"),
        FieldPanel("preamble"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Signing")),
        FieldPanel("retention_months"),
        *ActionPage.presentation_panels,
    ]

    @path("districts/", name="districts")
    def districts_route(self, request: HttpRequest) -> HttpResponse:
        from harbour.signons.views import districts

        return districts(request, self)

    class Meta:
        verbose_name = _("petition")
