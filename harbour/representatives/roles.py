"""What each staff role holds over representatives (assembled by core.roles)."""

from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS

# Editors keep the representatives' records and the target groups current.
KEEP_CURRENT = [
    "representatives.change_representative",
    "representatives.view_representative",
    "representatives.view_electoraldistrict",
    "representatives.add_targetgroup",
    "representatives.change_targetgroup",
    "representatives.view_targetgroup",
    "representatives.add_role",
    "representatives.change_role",
    "representatives.delete_role",
    "representatives.view_role",
]

PERMISSIONS = {
    EDITORS: KEEP_CURRENT,
    MODERATORS: KEEP_CURRENT,
    ADMINISTRATORS: KEEP_CURRENT
    + [
        "representatives.add_representative",
        "representatives.change_electoraldistrict",
        # Where supporters' letters go: administrators only (issue 11).
        "representatives.change_representative_contact",
    ],
}
