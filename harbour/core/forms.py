"""Form fields every public form shares."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .sanitise import plain_text
from .validation import InvalidInput


class PlainCharField(forms.CharField):
    """One line of plain text stored as typed (names are shown publicly, escaped on output):
    control and bidirectional-override characters removed, whitespace collapsed."""

    def to_python(self, value: Any) -> str:
        return plain_text(super().to_python(value) or "")


class PlainTextField(forms.CharField):
    """Several lines of plain text (a letter), stored as typed but for control and
    bidirectional-override characters."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> str:
        return plain_text(super().to_python(value) or "", multiline=True)


class EveryErrorShown(forms.Form):
    """A form whose templates show its own errors and the errors of `shown_fields` beside
    their inputs: the errors of every other field (hidden ones, or ones this step of the page
    does not draw) join the form's own errors, named by the field's label, so a 400 always
    says what was wrong."""

    shown_fields: tuple[str, ...] | None = None  # None: the visible fields

    def non_field_errors(self) -> ErrorList:
        errors: list[str | Exception] = [str(e) for e in super().non_field_errors()]
        shown = (
            self.shown_fields
            if self.shown_fields is not None
            else tuple(field.name for field in self.visible_fields())
        )
        for name, field_errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name in shown:
                continue
            label = self.fields[name].label or name.replace("_", " ").capitalize()
            errors += [f"{label}: {error}" for error in field_errors]
        return ErrorList(errors, error_class="nonfield", renderer=self.renderer)

    def refusal_show(self, invalid: InvalidInput) -> None:
        """Show a service's refusal (its rules, beyond what the form checked): each message
        beside its field, or with the form's own errors when the form has no such field."""
        for field, messages in invalid.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


# The newsletter box on every action form, and the wording its consent record keeps
# (people.consent_record): one text, so what is recorded is what was shown (in English; the
# form shows its translation).
NEWSLETTER_WORDING = gettext_noop(
    "Send me the coalition's news and campaign updates (unsubscribe any time)."
)


class ActionForm(EveryErrorShown):
    """What every public action's form has: the newsletter box with its one wording, a
    honeypot, and every error shown. Subclasses list their own fields first (`field_order`);
    these two come last."""

    newsletter = forms.BooleanField(label=_(NEWSLETTER_WORDING), required=False)
    # Honeypot: hidden from people by CSS, filled in by bots; a filled one is answered as a
    # success and stores nothing.
    nickname = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("nickname")))
