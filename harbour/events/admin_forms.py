"""The event's edit form in the Wagtail admin: an organiser (who is not also an editor)
chooses among their own groups only, and names at least one, so an event they make is
always their group's and never another's."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from harbour.coalition.models import MemberGroupPage
from harbour.coalition.organisers import groups_managed_by
from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS


def _organiser_only(user: Any) -> bool:
    if user is None or user.is_superuser:
        return False
    return not user.groups.filter(name__in=[EDITORS, MODERATORS, ADMINISTRATORS]).exists()


class EventPageForm(WagtailAdminPageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.restricted = _organiser_only(self.for_user) and "organising_groups" in self.fields
        if self.restricted:
            field = self.fields["organising_groups"]
            already = self.instance.organising_groups.all() if self.instance.pk else []
            keys = [group.translation_key for group in groups_managed_by(self.for_user)]
            keys += [group.translation_key for group in already]
            field.queryset = MemberGroupPage.objects.filter(
                translation_key__in=keys, locale__language_code=settings.LANGUAGE_CODE
            ).order_by("title")

    def clean_organising_groups(self) -> Any:
        groups = self.cleaned_data.get("organising_groups")
        if self.restricted and not groups:
            raise forms.ValidationError(_("Choose your group: it organises this event."))
        return groups
