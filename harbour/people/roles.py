"""Supporters' personal data: moderators and administrators only (assembled by core.roles)."""

from harbour.core.roles import ADMINISTRATORS, MODERATORS

SUPPORTERS = ["people.view_person", "people.export_person", "people.erase_person"]

PERMISSIONS = {MODERATORS: SUPPORTERS, ADMINISTRATORS: SUPPORTERS}
