"""Pages of the public site: home, news index, articles, standard pages, author profiles.

Pages hold content; likes are plain rows of their own model, so publishing a new revision
of an article never resets its count.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from harbour.core.actions import open_actions
from harbour.core.pagecache import CachedServeMixin

from .blocks import ArticleStreamBlock


class ArticleKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    PRESS_RELEASE = "press_release", _("Press release")
    OPINION = "opinion", _("Opinion")


class Author(index.Indexed, models.Model):
    """Whoever signs an article: a member author's public profile ("About the author").

    Linked to a staff account when the author writes in the admin; guest authors have none.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    bio = RichTextField(_("about the author"), blank=True, features=["bold", "italic", "link"])
    picture = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("picture"),
    )
    user = models.OneToOneField(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        verbose_name=_("staff account"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("location"),
        FieldPanel("picture"),
        FieldPanel("bio"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name


register_snippet(Author)


class HomePageCampaign(Orderable):
    """A current campaign featured on the home page."""

    page = ParentalKey("content.HomePage", related_name="campaigns", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    link_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [FieldPanel("title"), FieldPanel("summary"), FieldPanel("link_page")]


class HomePagePrinciple(Orderable):
    page = ParentalKey("content.HomePage", related_name="principles", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=800)

    panels = [FieldPanel("title"), FieldPanel("text")]


HOME_ACTIONS = 6  # the home page shows this many open actions; Take action lists them all


class HomePage(CachedServeMixin, Page):
    tagline = models.CharField(_("tagline"), max_length=255, blank=True)
    mission = RichTextField(_("mission"), blank=True, features=["bold", "italic", "link", "ul"])
    newsletter_heading = models.CharField(
        _("newsletter heading"), max_length=120, default="Sign up to receive our latest news"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("tagline"),
        FieldPanel("mission"),
        InlinePanel("principles", label=_("Principles")),
        InlinePanel("campaigns", label=_("Current campaigns")),
        FieldPanel("newsletter_heading"),
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = live_articles().select_related("image")[:5]
        actions = open_actions()
        context["actions"] = actions[:HOME_ACTIONS]
        # A campaign theme that leads to an open action shows that action's progress.
        by_url = {card.url: card for card in actions}
        context["themes"] = [
            (theme, by_url.get(theme.link_page.url) if theme.link_page else None)
            for theme in self.campaigns.select_related("link_page")
        ]
        return context


class StandardPage(CachedServeMixin, Page):
    """A page of prose, such as "About"."""

    intro = models.TextField(_("introduction"), blank=True, max_length=800)
    body = StreamField(ArticleStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(CachedServeMixin, RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=800)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.ArticlePage"]
    parent_page_types = ["content.HomePage"]
    max_count = 1
    page_size = 10

    class Meta:
        verbose_name = _("news index")

    def articles(self) -> models.QuerySet["ArticlePage"]:
        return live_articles().descendant_of(self)  # type: ignore[attr-defined]

    @path("")
    def index_view(self, request: HttpRequest) -> HttpResponse:
        articles = self.articles().select_related("image")
        kind = request.GET.get("kind", "")
        if kind in ArticleKind.values:
            articles = articles.filter(kind=kind)
        tag = request.GET.get("tag", "")[:100]
        if tag:
            articles = articles.filter(tags__name=tag)
        paginator = Paginator(articles, self.page_size)
        try:
            page_of_articles = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_of_articles = paginator.page(1)
        return self.render(
            request,
            context_overrides={
                "articles": page_of_articles,
                "kinds": ArticleKind.choices,
                "current_kind": kind,
                "current_tag": tag,
            },
        )

    @path("authors/<slug:slug>/", name="author")
    def author_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        author = get_object_or_404(Author.objects.select_related("picture"), slug=slug)
        return self.render(
            request,
            template="content/author_profile.html",
            context_overrides={
                "author": author,
                "articles": self.articles().filter(authors=author),
            },
        )

    @path("feed/rss/", name="rss")
    def rss_view(self, request: HttpRequest) -> HttpResponse:
        from .feeds import NewsRssFeed

        return NewsRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_view(self, request: HttpRequest) -> HttpResponse:
        from .feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(CachedServeMixin, RoutablePageMixin, Page):
    kind = models.CharField(
        _("kind"), max_length=20, choices=ArticleKind.choices, default=ArticleKind.ANNOUNCEMENT
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    body = StreamField(ArticleStreamBlock(), blank=True, verbose_name=_("body"))
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    authors = ParentalManyToManyField(Author, blank=True, related_name="articles")

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("date"),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("About this article"),
        ),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("date"),
    ]
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        ordering = ["-date"]

    @property
    def description(self) -> str:
        return self.search_description or self.summary

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from .services import like_count, visitor_has_liked

        context = super().get_context(request, *args, **kwargs)
        context["like_count"] = like_count(page=self)
        context["liked"] = visitor_has_liked(page=self, request=request)
        context["article_authors"] = self.authors.select_related("picture")
        return context

    @path("like/", name="like")
    def like_view(self, request: HttpRequest) -> HttpResponse:
        from .views import like_article

        return like_article(request, self)


def live_articles() -> models.QuerySet[ArticlePage]:
    """Articles the public may see: published and not behind a view restriction; each once,
    in its original language (a translation is reached from its page's language links)."""
    return (
        ArticlePage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("-date", "-first_published_at")
    )


class ArticleLike(models.Model):
    """One like per browser per article. The browser is known by a keyed hash of a random
    token in its cookie: no account, no IP address."""

    page = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="likes")
    visitor_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "visitor_hash"], name="one_like_per_browser")
        ]

    def __str__(self) -> str:
        return f"Like of page {self.page_id}"
