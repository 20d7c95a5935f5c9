from typing import Any

from django import forms
from django.http import Http404
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_forms import MailingForm
from .mailings import mailings_for, may_mail
from .models import Mailing, MailingList, SubscriptionState


class SubscribersColumn(Column):
    """How many are subscribed; the CSV for those who may export supporters' data."""

    def get_value(self, instance: MailingList) -> Any:
        return instance.subscriptions.filter(state=SubscriptionState.ACTIVE).count()


class ExportColumn(Column):
    def get_value(self, instance: MailingList) -> Any:
        url = reverse("newsletter_admin:list_export", args=[instance.pk])
        return format_html('<a href="{}">{}</a>', url, _("Subscribers (CSV, audited)"))


class MailingListViewSet(SnippetViewSet):
    model = MailingList
    icon = "mail"
    menu_label = _("Mailing lists")
    list_display = [
        "name",
        "slug",
        "group",
        "offered",
        SubscribersColumn("subscribers", label=_("Subscribed")),
        ExportColumn("export", label=_("Export")),
    ]


class OwnMailingOnly:
    """An organiser opens their own groups' mailings only (not even another's by its URL)."""

    def get_object(self, queryset: Any = None) -> Any:
        found = super().get_object(queryset)  # type: ignore[misc]
        if not may_mail(self.request.user, found):  # type: ignore[attr-defined]
            raise Http404
        return found


class MailingEditView(OwnMailingOnly, snippet_views.EditView):
    pass


class MailingDeleteView(OwnMailingOnly, snippet_views.DeleteView):
    pass


class MailingCopyView(OwnMailingOnly, snippet_views.CopyView):
    pass


class MailingHistoryView(OwnMailingOnly, snippet_views.HistoryView):
    pass


class MailingInspectView(OwnMailingOnly, snippet_views.InspectView):
    pass


class MailingUsageView(OwnMailingOnly, snippet_views.UsageView):
    pass


class ReviewColumn(Column):
    def get_value(self, instance: Mailing) -> Any:
        url = reverse("newsletter_admin:mailing", args=[instance.pk])
        return format_html('<a href="{}">{}</a>', url, _("Review, send and results"))


class MailingViewSet(SnippetViewSet):
    model = Mailing
    icon = "mail"
    menu_label = _("Mailings")
    list_display = [
        "title",
        "mailing_list",
        "state",
        "created_at",
        ReviewColumn("review", label=_("Sending")),
    ]
    list_filter = ["state", "mailing_list"]
    edit_view_class = MailingEditView
    delete_view_class = MailingDeleteView
    copy_view_class = MailingCopyView
    history_view_class = MailingHistoryView
    inspect_view_class = MailingInspectView
    usage_view_class = MailingUsageView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            # A plain list of the lists this user may mail (a chooser would offer them all).
            FieldPanel("mailing_list", widget=forms.Select),
            MultiFieldPanel(
                [
                    FieldPanel("province"),
                    FieldPanel("district"),
                    FieldPanel("language"),
                    FieldPanel("action"),
                ],
                heading=_("Narrow the audience (optional)"),
            ),
            FieldPanel("count_clicks"),
            InlinePanel("versions", heading=_("Language versions"), min_num=1, label=_("Version")),
        ],
        base_form_class=MailingForm,
    )

    def get_queryset(self, request: Any) -> Any:
        return mailings_for(request.user).select_related("mailing_list")


class NewsletterGroup(SnippetViewSetGroup):
    items = (MailingViewSet, MailingListViewSet)
    menu_icon = "mail"
    menu_label = _("Newsletter")
    menu_name = "newsletter"


register_snippet(NewsletterGroup)

urlpatterns = [
    path("mailings/<int:mailing_id>/", admin_views.mailing_page, name="mailing"),
    path(
        "mailings/<int:mailing_id>/preview/<str:language>/",
        admin_views.mailing_preview,
        name="preview",
    ),
    path("lists/<int:list_id>/subscribers.csv", admin_views.list_export, name="list_export"),
]


@hooks.register("register_admin_urls")
def register_newsletter_urls():  # type: ignore[no-untyped-def]
    return [path("newsletter/", include((urlpatterns, "newsletter_admin")))]
