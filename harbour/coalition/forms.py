"""The public form of a group's application to join."""

from django import forms
from django.utils.translation import gettext_lazy as _

from harbour.core.forms import ActionForm, PlainCharField, PlainTextField

from .models import PROVINCE_CHOICES


class ApplicationForm(ActionForm):
    """An action form (its honeypot, every error shown) without the newsletter box: the
    application is the group's, not a supporter's."""

    group_name = PlainCharField(label=_("Your group's name"), max_length=200)
    city = PlainCharField(label=_("City"), max_length=120)
    province = forms.ChoiceField(label=_("Province or territory"), choices=PROVINCE_CHOICES)
    website = forms.URLField(
        label=_("Website (optional)"), required=False, max_length=200, assume_scheme="https"
    )
    contact_name = PlainCharField(label=_("Contact person"), max_length=200)
    email = forms.EmailField(label=_("Contact e-mail"), max_length=254)
    activities = PlainTextField(label=_("What does your group do?"), max_length=2000)
    principles_agreed = forms.BooleanField(
        label=_("Our group agrees to the alliance's principles, as written above."),
        error_messages={"required": _("A group joins by agreeing to the principles.")},
    )
    newsletter = None  # type: ignore[assignment]
    field_order = [
        "group_name", "city", "province", "website", "contact_name", "email", "activities",
        "principles_agreed",
    ]  # fmt: skip


class InvitationForm(forms.Form):
    name = PlainCharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("The password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ContactForm(ActionForm):
    """The contact form of a group's page: a message to its organisers."""

    name = PlainCharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"), max_length=254)
    message = PlainTextField(label=_("Message"), max_length=3000)
    wants_membership = forms.BooleanField(
        label=_("I would like to become a member of this group"), required=False
    )
    newsletter = None  # type: ignore[assignment]
    field_order = ["name", "email", "message", "wants_membership"]


class SigninLinkForm(forms.Form):
    email = forms.EmailField(label=_("The e-mail address of your member account"), max_length=254)
