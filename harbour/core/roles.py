"""The staff roles as Wagtail groups, each with the least it needs.

| role           | pages                               | users | approves opinions | supporters |
|----------------|-------------------------------------|-------|-------------------|------------|
| Member authors | add (and edit their own) under News | no    | no                | no         |
| Editors        | add, edit, publish anywhere         | no    | no                | no         |
| Moderators     | editors' rights plus lock, delete   | no    | yes (workflow)    | yes        |
| Administrators | everything, with users and groups   | yes   | yes               | yes        |
| Organisers     | edit their own member group's pages | no    | no                | no         |

Where supporters' letters go (a representative's e-mail and photo) is changed by
administrators only (`representatives.change_representative_contact`); every change is
audited and announced to them.

"Supporters" is the people's personal data and signer lists: search, export, erase,
moderate signatures and export signatories.

Each app declares what these roles hold of its models in its own `roles.py` and registers
it from `AppConfig.ready()` (`role_permissions_add`); this module holds the platform's own
permissions (admin access, media, users, sites, workflows, redirects) and assembles them.

Only a publisher can make a page public; a member author's opinion goes through Wagtail's
"Moderators approval" workflow, whose task belongs to the Moderators group. An organiser's
rights over their own group's pages are given page by page (coalition.organisers), never on
the site's root: their changes go to moderators for approval the same way.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS = "Editors"
MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"
MEMBER_AUTHORS = "Member authors"
ORGANISERS = "Organisers"

ADMIN_ACCESS = ["wagtailadmin.access_admin"]
MEDIA = [
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
]
MEDIA_MANAGE = ["wagtailimages.change_image", "wagtaildocs.change_document"]
# Each app declares what its roles hold next to its models (`<app>/roles.py`) and registers
# it from its AppConfig.ready(); this module only assembles them with the platform's own.
_APP_PERMISSIONS: dict[str, list[str]] = {}


def role_permissions_add(permissions: dict[str, list[str]]) -> None:
    """Add an app's model permissions to roles (`{role: ["app.codename", ...]}`)."""
    for role, names in permissions.items():
        if role not in PLATFORM_PERMISSIONS:
            raise ValueError(f"No such role: {role}")
        held = _APP_PERMISSIONS.setdefault(role, [])
        held.extend(name for name in names if name not in held)


def role_permissions(role: str) -> list[str]:
    """Everything a role holds: the platform's permissions and every app's."""
    return PLATFORM_PERMISSIONS[role] + _APP_PERMISSIONS.get(role, [])


# The platform's own (Wagtail, users, sites): the apps add theirs.
PLATFORM_PERMISSIONS: dict[str, list[str]] = {
    MEMBER_AUTHORS: ADMIN_ACCESS,
    ORGANISERS: ADMIN_ACCESS,
    EDITORS: ADMIN_ACCESS,
    MODERATORS: ADMIN_ACCESS,
    ADMINISTRATORS: ADMIN_ACCESS
    + [
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.view_group",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "wagtailcore.add_task",
        "wagtailcore.change_task",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        "core.manage_tasks",
    ],
}
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    MEMBER_AUTHORS: MEDIA,
    ORGANISERS: MEDIA,
    EDITORS: MEDIA + MEDIA_MANAGE,
    MODERATORS: MEDIA + MEDIA_MANAGE,
    ADMINISTRATORS: MEDIA + MEDIA_MANAGE,
}
# Page permission types on the site root (everyone but member authors).
ROOT_PAGE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: ["add", "change", "publish"],
    MODERATORS: ["add", "change", "publish", "lock", "unlock", "bulk_delete"],
    ADMINISTRATORS: ["add", "change", "publish", "lock", "unlock", "bulk_delete"],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(kind: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{kind}_page")


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or reset the four role groups to exactly the permissions above (idempotent)."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in PLATFORM_PERMISSIONS}
    root_collection = Collection.get_first_root_node()
    root_page = Page.get_first_root_node()
    for name, group in groups.items():
        group.permissions.set([_permission(p) for p in role_permissions(name)])
        if root_collection is not None:
            GroupCollectionPermission.objects.filter(group=group).delete()
            for dotted in COLLECTION_PERMISSIONS[name]:
                GroupCollectionPermission.objects.create(
                    group=group, collection=root_collection, permission=_permission(dotted)
                )
        if root_page is not None:
            GroupPagePermission.objects.filter(group=group, page=root_page).exclude(
                permission__codename__in=[
                    f"{kind}_page" for kind in ROOT_PAGE_PERMISSIONS.get(name, [])
                ]
            ).delete()
            for kind in ROOT_PAGE_PERMISSIONS.get(name, []):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=_page_permission(kind)
                )
    _ensure_moderation_workflow(groups[MODERATORS])
    return groups


def grant_member_authors_section(page: Any) -> None:
    """Let member authors draft pages under `page` (the news index) without publishing."""
    from wagtail.models import GroupPagePermission

    group = Group.objects.get(name=MEMBER_AUTHORS)
    GroupPagePermission.objects.get_or_create(
        group=group, page=page, permission=_page_permission("add")
    )


def grant_organisers_section(page: Any) -> None:
    """Let organisers of member groups create pages under `page` (the events listing); they
    edit what they created, and their group's pages, and publish through moderation."""
    from wagtail.models import GroupPagePermission

    group = Group.objects.get_or_create(name=ORGANISERS)[0]
    GroupPagePermission.objects.get_or_create(
        group=group, page=page, permission=_page_permission("add")
    )


def _ensure_moderation_workflow(moderators: Group) -> None:
    """Wagtail's default workflow ("Moderators approval") on the root page, tasked to Moderators."""
    from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage

    root_page = Page.get_first_root_node()
    if root_page is None:
        return
    task = GroupApprovalTask.objects.filter(name="Moderators approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.set([moderators])
    workflow, _ = Workflow.objects.get_or_create(name="Moderators approval")
    if not workflow.workflow_tasks.filter(task=task).exists():
        workflow.workflow_tasks.create(task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=root_page, defaults={"workflow": workflow})


def ensure_roles_after_migrate(**kwargs: Any) -> None:
    """post_migrate hook: runs once the whole schema (Wagtail's and ours) is in place."""
    from django.apps import apps

    if not apps.is_installed("wagtail") or not Permission.objects.exists():
        return
    ensure_roles()
