"""What each staff role holds in publishing (assembled by core.roles)."""

from harbour.core.roles import ADMINISTRATORS, EDITORS, MEMBER_AUTHORS, MODERATORS

AUTHORS = ["content.add_author", "content.change_author", "content.view_author"]

PERMISSIONS = {
    MEMBER_AUTHORS: ["content.view_author"],
    EDITORS: AUTHORS,
    MODERATORS: AUTHORS + ["content.delete_author"],
    ADMINISTRATORS: AUTHORS + ["content.delete_author"],
}
