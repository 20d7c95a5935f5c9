"""Canadian postal codes: validation, normalisation (`k1a0a6` -> `K1A 0A6`), province."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# First letters name the province or territory (Canada Post); D, F, I, O, Q, U never appear,
# and W, Z never start a code.
_PATTERN = re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s?(\d[ABCEGHJ-NPRSTV-Z]\d)$")
PROVINCE_BY_FIRST_LETTER = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC",
    "K": "ON", "L": "ON", "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK",
    "T": "AB", "V": "BC", "Y": "YT",
}  # fmt: skip
PROVINCE_NAMES = {
    "AB": _("Alberta"), "BC": _("British Columbia"), "MB": _("Manitoba"),
    "NB": _("New Brunswick"), "NL": _("Newfoundland and Labrador"), "NS": _("Nova Scotia"),
    "NT": _("Northwest Territories"), "NU": _("Nunavut"), "ON": _("Ontario"),
    "PE": _("Prince Edward Island"), "QC": _("Quebec"), "SK": _("Saskatchewan"),
    "YT": _("Yukon"),
}  # fmt: skip


def postal_code_normalise(value: str) -> str:
    """`K1A 0A6` from any spacing and case; ValidationError with a clear message otherwise."""
    compact = re.sub(r"[\s-]+", "", value or "").upper()
    match = _PATTERN.match(compact)
    if not match:
        raise ValidationError(
            _("Enter a Canadian postal code such as K1A 0A6."), code="invalid_postal_code"
        )
    return f"{match.group(1)} {match.group(2)}"


def postal_code_province(postal_code: str) -> str:
    """Two-letter province of a normalised code; X is split between NT and NU (blank)."""
    return PROVINCE_BY_FIRST_LETTER.get(postal_code[:1], "")
