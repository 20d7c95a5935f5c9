"""The mailing's edit form in the Wagtail admin: the lists the organiser may mail, the
narrowings other apps offer (registry), and click counting for administrators only."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from harbour.core.postal import PROVINCE_NAMES
from harbour.core.roles import ADMINISTRATORS

from .mailings import lists_for
from .models import MailingState
from .registry import ACTION, DISTRICT, audience_filter_choices


def _is_administrator(user: Any) -> bool:
    return bool(user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists())


class MailingForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        anyone: list[tuple[str, Any]] = [("", _("Everyone on the list"))]
        self.fields["province"] = forms.ChoiceField(
            label=_("Only in the province or territory"),
            choices=anyone + sorted(PROVINCE_NAMES.items(), key=lambda item: item[1]),
            required=False,
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Only those reading in"),
            choices=anyone + list(settings.LANGUAGES),
            required=False,
        )
        self.fields["district"] = forms.ChoiceField(
            label=_("Only in the federal district"),
            choices=anyone + audience_filter_choices(DISTRICT),
            required=False,
        )
        self.fields["action"] = forms.ChoiceField(
            label=_("Only those who took this action and agreed to be contacted"),
            choices=anyone + audience_filter_choices(ACTION),
            required=False,
        )
        if user is not None:
            self.fields["mailing_list"].queryset = lists_for(user)
            if not _is_administrator(user):
                self.fields["count_clicks"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if self.instance.pk and self.instance.state not in (MailingState.DRAFT,):
            raise forms.ValidationError(
                _("This mailing has been scheduled or sent: it can no longer be changed.")
            )
        return cleaned
