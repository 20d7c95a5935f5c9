"""The cells of a subscriber list's import (newsletter.importing): which column holds which
field under the names exports give them, and each cell read as a province, a language, a
consent date or plain text; nothing here decides whether a row is imported."""

import datetime
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from harbour.core.postal import PROVINCE_NAMES
from harbour.core.sanitise import plain_text

from .import_files import ImportFileError

# Each field's column names, folded (lower case, letters and digits only: "E-mail Address"
# is "emailaddress"), best first: a row takes the first of its columns that is not empty.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "courriel", "adressecourriel"),
    "given_name": ("firstname", "givenname", "first", "fname", "prenom", "name", "fullname"),
    "family_name": ("lastname", "familyname", "surname", "lname", "nomdefamille"),
    "province": (
        "province",
        "provinceorterritory",
        "stateprovince",
        "provincestate",
        "state",
        "region",
    ),
    "language": ("language", "lang", "preferredlanguage", "langue"),
    "consent_source": ("consentsource", "source", "optinsource", "signupsource"),
    "consent_date": (
        "consentdate",
        "consenttime",
        "optindate",
        "optintime",
        "confirmtime",
        "confirmdate",
    ),
    # An export of every contact says who was not (or no longer) subscribed there.
    "status": ("subscriptionstatus", "emailstatus", "subscriberstatus", "status"),
}
SUBSCRIBED_STATUSES = {"", "subscribed", "active", "confirmed", "optedin", "yes", "true", "1"}
LANGUAGE_NAMES = {
    "en": "en", "eng": "en", "english": "en", "anglais": "en",
    "fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr",
    "zh": "zh-hant", "zhhant": "zh-hant", "zhtw": "zh-hant", "zhhk": "zh-hant",
    "chinese": "zh-hant", "traditionalchinese": "zh-hant", "chinois": "zh-hant",
    "中文": "zh-hant", "繁體中文": "zh-hant", "繁体中文": "zh-hant",
}  # fmt: skip


def folded(text: str) -> str:
    """Lower case, accents off, letters and digits only: "E-mail Address" is "emailaddress",
    "OPTIN_TIME" is "optintime", "Prénom" is "prenom"."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(char for char in decomposed if char.isalnum())


def columns_recognise(headers: Sequence[str]) -> tuple[dict[str, list[int]], list[str]]:
    """Each field's column positions, best first, and the headers not recognised."""
    keys = [folded(header) for header in headers]
    found: dict[str, list[int]] = {}
    for name, aliases in COLUMNS.items():
        positions = [i for alias in aliases for i, key in enumerate(keys) if key == alias]
        if positions:
            found[name] = positions
    used = {i for positions in found.values() for i in positions}
    ignored = [h for i, h in enumerate(headers) if i not in used and str(h).strip()]
    if "email" not in found:
        raise ImportFileError(
            _('No e-mail column: name one of the columns "email", "Email Address" or "e-mail".')
        )
    return found, ignored


def province_code(value: str) -> str:
    return _province_names().get(folded(value), "")


@cache
def _province_names() -> dict[str, str]:
    """Two-letter codes, and the English and French names (Quebec, Québec)."""
    names = {code.lower(): code for code in PROVINCE_NAMES}
    for language in ("en", "fr"):
        with translation.override(language):
            names.update({folded(str(name)): code for code, name in PROVINCE_NAMES.items()})
    return names


def language_code(value: str) -> str:
    code = LANGUAGE_NAMES.get(folded(value), "")
    if not code:  # en-CA, fr_CA, zh-Hant-TW
        code = LANGUAGE_NAMES.get(re.split(r"[-_\s]", value.strip().casefold())[0], "")
    return code if code in {c for c, _name in settings.LANGUAGES} else ""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")


def consent_moment(value: Any) -> datetime.date | datetime.datetime | None:
    """A consent date as an export writes it: ISO (2021-03-04, 2021-03-04T10:15:00Z) or
    Mailchimp's "2021-03-04 10:15:00", or a workbook's date cell. Nothing else: 03/04/2021
    reads as March or April depending on who wrote it."""
    if isinstance(value, datetime.date):  # a workbook's cell (a datetime is a date too)
        return value
    text = re.sub(r"\s*(?:UTC|GMT)$", "+00:00", str(value).strip(), flags=re.IGNORECASE)
    try:
        if _ISO_DAY.fullmatch(text):
            return datetime.date.fromisoformat(text)
        if _ISO_MOMENT.match(text):
            return datetime.datetime.fromisoformat(text)
    except ValueError:  # shaped like a date, yet none (2021-02-30)
        return None
    return None


def in_future(moment: datetime.date | datetime.datetime) -> bool:
    now = timezone.now()
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return moment > now + datetime.timedelta(minutes=5)  # clocks differ a little
    # Without a time zone, only a day that no place on Earth has reached yet (UTC+14).
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    return day > (now + datetime.timedelta(hours=14)).astimezone(datetime.UTC).date()


def cell_text(value: Any, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return plain_text(text)[:max_length].strip()


def cell_blank(value: Any) -> bool:
    return not cell_text(value, 10)
