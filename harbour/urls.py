from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from harbour.content.views import search

handler500 = "harbour.core.views.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Providers' bounce and complaint webhooks (anymail's views, with their authentication:
    # ANYMAIL={"WEBHOOK_SECRET": "user:password"}); newsletter.bounces applies them.
    path("anymail/", include("anymail.urls")),
]
# The public site in three languages: English at the root, /fr/... and /zh-hant/...; the
# prefix sets the interface's language, and Wagtail serves the page in that locale.
localised: list[URLPattern | URLResolver] = [
    path("search/", search, name="search"),
    path("", include("harbour.core.urls")),
    path("", include("harbour.coalition.urls")),
    path("", include("harbour.newsletter.urls")),
    path("", include("harbour.signons.urls")),  # ends with the sign-on pages' catch-all
]

if settings.HARBOUR_BENCH:
    urlpatterns.append(path("", include("harbour.benchviews.urls")))


def media_patterns() -> list[URLPattern]:
    """Uploaded media from Django itself (`make run` only; production: nginx serves them).
    Not documents/: a document opens through Wagtail's view, which checks its privacy."""
    from django.urls import re_path
    from django.views.static import serve

    media = settings.MEDIA_URL.lstrip("/")
    return [
        re_path(
            rf"^{media}(?P<path>(?!documents/).*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    ]


if settings.DEBUG or getattr(settings, "HARBOUR_SERVE_MEDIA", False):
    urlpatterns += media_patterns()

urlpatterns += i18n_patterns(
    *localised, path("", include(wagtail_urls)), prefix_default_language=False
)
