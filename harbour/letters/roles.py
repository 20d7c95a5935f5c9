"""Letter writers' list: moderators and administrators only (assembled by core.roles)."""

from harbour.core.roles import ADMINISTRATORS, MODERATORS

WRITERS = ["letters.export_letter"]

PERMISSIONS = {MODERATORS: WRITERS, ADMINISTRATORS: WRITERS}
