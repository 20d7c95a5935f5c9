from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import MailingList


class MailingListViewSet(SnippetViewSet):
    model = MailingList
    icon = "mail"
    menu_label = "Mailing lists"
    list_display = ["name", "slug", "group", "offered"]


register_snippet(MailingListViewSet)
