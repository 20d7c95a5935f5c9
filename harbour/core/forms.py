"""Form fields every public form shares."""

from typing import Any

from django import forms

from .sanitise import plain_text


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
