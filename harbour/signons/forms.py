"""The "Add your name" forms, one per kind of signer. Validation only: the rules are in
services.py."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harbour.core.forms import ActionForm, PlainCharField
from harbour.core.postal import postal_code_normalise, postal_code_province

from .models import Listing, Office, SignerKind


class SignatureForm(ActionForm):
    kind: str = ""
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    group_contact = forms.BooleanField(required=False)

    def __init__(self, *args: Any, group_contact_label: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.kind)
        super().__init__(*args, **kwargs)
        if group_contact_label:  # the page names groups a signer may let contact them
            self.fields["group_contact"].label = group_contact_label
        else:
            del self.fields["group_contact"]


class OrganisationSignatureForm(SignatureForm):
    kind = SignerKind.ORGANISATION
    organisation = PlainCharField(label=_("Organisation name"), max_length=200)
    city = PlainCharField(label=_("City"), max_length=100)
    region = PlainCharField(label=_("Province or country"), max_length=100)
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    contact_name = PlainCharField(label=_("Contact person (not published)"), max_length=200)
    field_order = ["organisation", "city", "region", "website", "contact_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Contact e-mail (not published)")


class ParliamentarianSignatureForm(SignatureForm):
    kind = SignerKind.PARLIAMENTARIAN
    honorific = PlainCharField(
        label=_("Honorific"), max_length=40, required=False, help_text=_("For example: Hon.")
    )
    name = PlainCharField(label=_("Name"), max_length=200)
    office = forms.ChoiceField(label=_("Office"), choices=Office.choices)
    region = PlainCharField(label=_("Province or territory"), max_length=100)
    field_order = ["honorific", "name", "office", "region", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "An official parliamentary address confirms you at once; any other address is "
            "checked by a moderator first."
        )


class IndividualSignatureForm(SignatureForm):
    kind = SignerKind.INDIVIDUAL
    given_name = PlainCharField(label=_("Given name"), max_length=100)
    family_name = PlainCharField(label=_("Family name"), max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    city = PlainCharField(label=_("City"), max_length=100, required=False)
    listing = forms.ChoiceField(
        label=_("How should we list you?"),
        choices=Listing.choices,
        initial=Listing.FULL_NAME,
        widget=forms.RadioSelect,
    )
    field_order = ["given_name", "family_name", "email", "postal_code", "city", "listing"]

    def clean_postal_code(self) -> str:
        return postal_code_normalise(self.cleaned_data["postal_code"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("listing") == Listing.INITIALS_CITY and not cleaned.get("city"):
            self.add_error("city", _("Enter your city to be listed by initials and city."))
        if cleaned.get("postal_code"):
            cleaned["province"] = postal_code_province(cleaned["postal_code"])
        return cleaned


FORMS: dict[str, type[SignatureForm]] = {
    SignerKind.ORGANISATION: OrganisationSignatureForm,
    SignerKind.PARLIAMENTARIAN: ParliamentarianSignatureForm,
    SignerKind.INDIVIDUAL: IndividualSignatureForm,
}
