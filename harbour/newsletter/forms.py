"""The sign-up form and the preferences form."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from harbour.core.forms import ActionForm, PlainCharField
from harbour.core.postal import PROVINCE_NAMES

# The consent box's words (in English here; the form shows, and the record keeps, the
# translation the person read).
CONSENT_WORDING = gettext_noop(
    "I agree to receive the e-mails of the lists I chose, from the senders named on this "
    "form. I can unsubscribe at any time with the link in every e-mail."
)

PROVINCES = [("", _("Prefer not to say")), *sorted(PROVINCE_NAMES.items(), key=lambda i: str(i[1]))]


class SignupForm(ActionForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = PlainCharField(label=_("Name (optional)"), max_length=200, required=False)
    province = forms.ChoiceField(
        label=_("Province or territory (optional)"), choices=PROVINCES, required=False
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
    lists = forms.TypedMultipleChoiceField(
        label=_("Lists"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label=_(CONSENT_WORDING),
        error_messages={"required": _("Tick the box to agree to receive these e-mails.")},
    )
    newsletter = None  # type: ignore[assignment]
    field_order = ["email", "name", "province", "language", "lists", "consent"]

    def __init__(self, *args: Any, lists: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [(item.pk, item.name) for item in lists]  # type: ignore[attr-defined]
        self.fields["lists"].error_messages["required"] = _("Choose at least one of the lists.")


class PreferencesForm(forms.Form):
    lists = forms.TypedMultipleChoiceField(
        label=_("Your lists"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, lists: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [(item.pk, item.name) for item in lists]  # type: ignore[attr-defined]
