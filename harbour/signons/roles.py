"""Signer lists: moderators and administrators only (assembled by core.roles)."""

from harbour.core.roles import ADMINISTRATORS, MODERATORS

SIGNERS = ["signons.moderate_signature", "signons.export_signature"]

PERMISSIONS = {MODERATORS: SIGNERS, ADMINISTRATORS: SIGNERS}
