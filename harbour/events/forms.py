"""The public registration form of an event."""

from django import forms
from django.utils.translation import gettext_lazy as _

from harbour.core.forms import ActionForm, PlainCharField, PlainTextField


class RegistrationForm(ActionForm):
    name = PlainCharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    postal_code = forms.CharField(
        label=_("Postal code (optional)"),
        max_length=7,
        required=False,
        help_text=_("Lets organisers see where people come from; never shown."),
    )
    accessibility = PlainTextField(
        label=_("Accessibility needs (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the event's organisers read this."),
    )
    group_contact = forms.BooleanField(required=False)
    field_order = ["name", "email", "postal_code", "accessibility", "group_contact"]

    def __init__(self, *args: object, group_contact_label: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if group_contact_label:
            self.fields["group_contact"].label = group_contact_label
        else:
            del self.fields["group_contact"]
