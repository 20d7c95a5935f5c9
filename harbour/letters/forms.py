from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harbour.core.forms import ActionForm, EveryErrorShown, PlainCharField, PlainTextField
from harbour.core.postal import postal_code_normalise


class PostalCodeForm(EveryErrorShown):
    shown_fields = ("postal_code",)  # the district and its search come from other steps
    postal_code = forms.CharField(label=_("Your postal code"), max_length=10)
    district = forms.CharField(
        label=_("Riding"), required=False, max_length=10, widget=forms.HiddenInput
    )
    district_query = PlainCharField(
        label=_("Not your riding? Search by district name or city"),
        required=False,
        max_length=100,
    )

    def clean_postal_code(self) -> str:
        return postal_code_normalise(self.cleaned_data["postal_code"])


class LetterForm(ActionForm):
    field_order = [
        "postal_code",
        "district",
        "subject",
        "body",
        "given_name",
        "family_name",
        "email",
        "city",
    ]
    postal_code = forms.CharField(
        label=_("Your postal code"), max_length=10, widget=forms.HiddenInput
    )
    district = forms.CharField(
        label=_("Riding"), max_length=10, required=False, widget=forms.HiddenInput
    )
    subject = PlainCharField(label=_("Subject"), max_length=200)
    body = PlainTextField(label=_("Your letter"), widget=forms.Textarea(attrs={"rows": 16}))
    given_name = PlainCharField(label=_("Given name"), max_length=100)
    family_name = PlainCharField(label=_("Family name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    city = PlainCharField(label=_("City"), max_length=100, required=False)

    def __init__(self, *args: Any, max_length: int = 5000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def clean_postal_code(self) -> str:
        return postal_code_normalise(self.cleaned_data["postal_code"])

    def clean_body(self) -> str:
        # Plain text, kept as typed: escaped wherever it is shown, sent as text/plain.
        text = self.cleaned_data["body"]
        if len(text) > self.max_length:
            raise forms.ValidationError(
                _("Keep your letter under %(n)d characters.") % {"n": self.max_length}
            )
        if len(text) < 20:
            raise forms.ValidationError(_("Your letter is too short."))
        return text
