"""The coalition's pages: the member groups' directory and one page per group, the
resource library, and "Join the alliance".

Groups are Wagtail pages so that editors translate their descriptions with wagtail-localize,
publish and unpublish them, and find them in the page tree like everything else public. A
group is the same group in every language: what points at one (an organiser, a statement a
moderator linked to it) points at one of its pages, and is found through the page's
`translation_key`, shared by all its translations."""

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from harbour.core.pagecache import CachedServeMixin
from harbour.core.postal import PROVINCE_NAMES

PROVINCE_CHOICES = sorted(PROVINCE_NAMES.items(), key=lambda item: str(item[1]))


def filter_refused(
    page: Page, request: HttpRequest, message: Any, *args: Any, **kwargs: Any
) -> HttpResponse:
    """A listing page asked for with a filter value it does not know: the page, unfiltered,
    with `message`, as a 400."""
    context = page.get_context(request, *args, **kwargs)
    context["error"] = message
    return TemplateResponse(request, page.get_template(request), context, status=400)


class MemberGroupIndexPage(CachedServeMixin, Page):
    """The directory: every member group, filtered by province."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["coalition.MemberGroupPage"]
    max_count = 1

    class Meta:
        verbose_name = _("member groups directory")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        province = request.GET.get("province", "")
        if province and province not in PROVINCE_NAMES:
            message = _("There is no province or territory with that code.")
            return filter_refused(self, request, message, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..selectors import member_groups, provinces_with_groups

        context = super().get_context(request, *args, **kwargs)
        province = request.GET.get("province", "")
        province = province if province in PROVINCE_NAMES else ""
        context["province"] = province
        context["provinces"] = provinces_with_groups(self)
        context["join_page"] = JoinPage.objects.live().filter(locale=self.locale).first()
        context["groups"] = member_groups(self, province=province)
        return context


class MemberGroupPage(CachedServeMixin, RoutablePageMixin, Page):
    """One member group: who they are, where, what they did with the coalition, and its
    contact form (coalition.contact)."""

    city = models.CharField(_("city"), max_length=120, blank=True)
    province = models.CharField(
        _("province or territory"), max_length=2, blank=True, choices=PROVINCE_CHOICES
    )
    summary = models.TextField(
        _("short description"), max_length=400, blank=True, help_text=_("One or two sentences.")
    )
    description = RichTextField(
        _("description"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("city"), FieldPanel("province")], heading=_("Where")),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldPanel("website"),
        InlinePanel("links", label=_("Social links")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("city"),
        index.FilterField("province"),
    ]
    parent_page_types = ["coalition.MemberGroupIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("member group")

    @property
    def province_name(self) -> str:
        return str(PROVINCE_NAMES.get(self.province, ""))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..forms import ContactForm
        from ..registry import group_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = group_sections(self)
        context.setdefault("contact_form", ContactForm())
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Only the group's own page is kept in the anonymous page cache, never a
        # confirmation link's page.
        if self.url and request.path != self.url:
            return RoutablePageMixin.serve(self, request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    @path("")
    def page_route(self, request):  # type: ignore[no-untyped-def]
        return self.render(request)

    @path("contact/", name="contact")
    def contact_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import contact

        return contact(request, self)

    @path("contact/thanks/", name="contact_thanks")
    def contact_thanks_route(self, request):  # type: ignore[no-untyped-def]
        from django.template.response import TemplateResponse

        context = {"page": self, "self": self}
        return TemplateResponse(request, "coalition/contact/thanks.html", context)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import contact_confirm

        return contact_confirm(request, self, token)


class MemberGroupLink(Orderable):
    """A social or other link of a group (Facebook, Instagram, a mailing list...)."""

    page = ParentalKey(MemberGroupPage, related_name="links", on_delete=models.CASCADE)
    label = models.CharField(_("label"), max_length=60)
    url = models.URLField(_("address"))

    panels = [FieldPanel("label"), FieldPanel("url")]


class ResourceKind(models.TextChoices):
    TOOLKIT = "toolkit", _("Toolkit")
    TEMPLATE = "template", _("Template")
    RECORDING = "recording", _("Recorded webinar")
    GUIDE = "guide", _("Guide")


class ResourceTag(TaggedItemBase):
    content_object = ParentalKey(
        "coalition.ResourcePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ResourceIndexPage(CachedServeMixin, Page):
    """The library of toolkits, templates, recorded webinars and guides: by kind, by tag,
    and searched. A members-only resource is listed to those who may open it only."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["coalition.ResourcePage"]
    max_count = 1

    class Meta:
        verbose_name = _("resource library")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = request.GET.get("kind", "")
        if kind and kind not in ResourceKind.values:
            message = _("There is no kind of resource with that name.")
            return filter_refused(self, request, message, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..selectors import resources_for

        context = super().get_context(request, *args, **kwargs)
        kind = request.GET.get("kind", "")
        kind = kind if kind in ResourceKind.values else ""
        tag = request.GET.get("tag", "")[:100]
        query = request.GET.get("q", "").strip()[:200]
        context.update(
            kinds=ResourceKind.choices,
            kind=kind,
            tag=tag,
            query=query,
            resources=resources_for(request, self, kind=kind, tag=tag, query=query),
        )
        return context


class ResourcePage(CachedServeMixin, Page):
    """One resource: what it is for, and its files (Wagtail documents). A resource for
    members only is a page with Wagtail's privacy set to the Members group, its files in a
    collection restricted the same way, so neither opens for the public, even by address."""

    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    summary = models.TextField(_("summary"), max_length=400, blank=True)
    body = RichTextField(_("body"), blank=True, features=["h2", "bold", "italic", "link", "ul"])
    link = models.URLField(
        _("link"), blank=True, help_text=_("A recording or page elsewhere, if any.")
    )
    tags = ClusterTaggableManager(through=ResourceTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("link"),
        InlinePanel("files", label=_("Files")),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["coalition.ResourceIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("resource")


class ResourceFile(Orderable):
    page = ParentalKey(ResourcePage, related_name="files", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("file"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("document")]


class JoinPage(RoutablePageMixin, Page):
    """ "Join the alliance": the principles in full and the application form of a group."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("principles", label=_("Principles a group agrees to")),
    ]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("join page")

    @path("")
    def form_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import join

        return join(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request):  # type: ignore[no-untyped-def]
        from ..views import join_thanks

        return join_thanks(request, self)

    @path("confirm/<str:token>/", name="confirm")
    def confirm_route(self, request, token):  # type: ignore[no-untyped-def]
        from ..views import join_confirm

        return join_confirm(request, self, token)


class JoinPrinciple(Orderable):
    page = ParentalKey(JoinPage, related_name="principles", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=1200)

    panels = [FieldPanel("title"), FieldPanel("text")]
