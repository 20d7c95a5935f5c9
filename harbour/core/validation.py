"""What a service says when its input is wrong, and the checks services share.

Services are the only way in (views, admin, the bench, and later importers and an API), so
each validates its own typed input: a form's validation helps the person typing, the
service's is the rule. A refusal is one `InvalidInput` carrying each field's messages,
which a form shows beside its fields and an API returns as they are."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from .postal import postal_code_normalise
from .sanitise import plain_text


class InvalidInput(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(m)}" for field, m in errors.items()))
        self.errors = errors


class Checks:
    """Collects every field's problems, so one refusal names them all."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def text(
        self, field: str, *, max_length: int, required: bool = True, multiline: bool = False
    ) -> str:
        """Plain text as typed (minus control and direction-override characters)."""
        value = plain_text(str(self.data.get(field) or ""), multiline=multiline)
        if required and not value:
            self.fail(field, _("This field is required."))
        elif len(value) > max_length:
            self.fail(field, _("Keep this under %(n)d characters.") % {"n": max_length + 1})
        return value

    def email(self, field: str = "email") -> str:
        value = str(self.data.get(field) or "").strip()
        try:
            if len(value) > 254:
                raise ValidationError("too long")
            validate_email(value)
        except ValidationError:
            self.fail(field, _("Enter a valid e-mail address."))
        return value

    def choice(self, field: str, choices: Iterable[str]) -> str:
        value = str(self.data.get(field) or "")
        if value not in set(choices):
            self.fail(field, _("Choose one of the options."))
        return value

    def postal_code(self, field: str = "postal_code", *, required: bool = True) -> str:
        raw = str(self.data.get(field) or "")
        if not raw and not required:
            return ""
        try:
            return postal_code_normalise(raw)
        except ValidationError as error:
            self.fail(field, " ".join(error.messages))
            return ""

    def url(self, field: str, *, max_length: int) -> str:
        value = str(self.data.get(field) or "").strip()
        if not value:
            return ""
        try:
            if len(value) > max_length:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            self.fail(field, _("Enter a valid web address."))
        return value

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
