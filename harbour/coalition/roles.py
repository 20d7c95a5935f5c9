"""Members: supporters' accounts linked to a member group, who may open members-only pages
and files (Wagtail's page and collection privacy, restricted to this group). Members have no
staff rights: no admin access, so no second factor is asked of them."""

from typing import Any

from django.contrib.auth.models import Group
from wagtail.models import Collection, CollectionViewRestriction

from harbour.core.roles import ADMINISTRATORS

# Deciding on groups' applications: administrators only (assembled by core.roles).
PERMISSIONS = {ADMINISTRATORS: ["coalition.review_application"]}

MEMBERS = "Members"
MEMBERS_ONLY_COLLECTION = "Members only"


def members_group() -> Group:
    return Group.objects.get_or_create(name=MEMBERS)[0]


def members_only_collection() -> Collection:
    """The collection whose files open for members only (by any address)."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=MEMBERS_ONLY_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=MEMBERS_ONLY_COLLECTION)
    restriction, _ = CollectionViewRestriction.objects.get_or_create(
        collection=collection, defaults={"restriction_type": CollectionViewRestriction.GROUPS}
    )
    restriction.groups.add(members_group())
    return collection


def is_member(user: Any) -> bool:
    """A member of a member group (or staff, who see what members see)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.groups.filter(name=MEMBERS).exists())
