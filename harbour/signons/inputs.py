"""What a signature needs, checked by the service itself (core.validation): the same rules
as the forms, for every caller."""

from typing import Any

from django.utils.translation import gettext as _

from harbour.core.postal import postal_code_province
from harbour.core.validation import Checks

from .models import Listing, Office, SignerKind


def signer_details(kind: str, email: str, details: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The address and the details of a `kind` signer, cleaned; InvalidInput naming every
    field that is wrong."""
    check = Checks({**details, "email": email})
    cleaned: dict[str, Any] = {
        "newsletter": bool(details.get("newsletter")),
        "group_contact": bool(details.get("group_contact")),
    }
    address = check.email()
    if kind == SignerKind.ORGANISATION:
        cleaned["organisation"] = check.text("organisation", max_length=200)
        cleaned["city"] = check.text("city", max_length=100)
        cleaned["region"] = check.text("region", max_length=100)
        cleaned["website"] = check.url("website", max_length=200)
        cleaned["contact_name"] = check.text("contact_name", max_length=200)
    elif kind == SignerKind.PARLIAMENTARIAN:
        cleaned["honorific"] = check.text("honorific", max_length=40, required=False)
        cleaned["name"] = check.text("name", max_length=200)
        cleaned["office"] = check.choice("office", Office.values)
        cleaned["region"] = check.text("region", max_length=100)
    elif kind == SignerKind.INDIVIDUAL:
        cleaned["given_name"] = check.text("given_name", max_length=100)
        cleaned["family_name"] = check.text("family_name", max_length=100)
        cleaned["postal_code"] = check.postal_code()
        cleaned["city"] = check.text("city", max_length=100, required=False)
        cleaned["listing"] = check.choice("listing", Listing.values)
        if cleaned["listing"] == Listing.INITIALS_CITY and not cleaned["city"]:
            check.fail("city", _("Enter your city to be listed by initials and city."))
        if cleaned["postal_code"]:
            cleaned["province"] = postal_code_province(cleaned["postal_code"])
    else:
        check.fail("kind", _("Choose how you are signing."))
    check.done()
    return address, cleaned
