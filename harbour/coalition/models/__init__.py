"""The coalition's models: its pages (pages.py) and what it keeps about people and groups
(people.py)."""

from .pages import (
    PROVINCE_CHOICES,
    JoinPage,
    JoinPrinciple,
    MemberGroupIndexPage,
    MemberGroupLink,
    MemberGroupPage,
    ResourceFile,
    ResourceIndexPage,
    ResourceKind,
    ResourcePage,
    ResourceTag,
    filter_refused,
)
from .people import (
    ApplicationState,
    ContactState,
    GroupApplication,
    GroupContact,
    GroupContactConsent,
    GroupInvitation,
    GroupMember,
    GroupOrganiser,
    InvitationRole,
    MembershipDecision,
)

__all__ = [
    "PROVINCE_CHOICES",
    "filter_refused",
    "MemberGroupIndexPage",
    "MemberGroupPage",
    "MemberGroupLink",
    "ResourceKind",
    "ResourceTag",
    "ResourceIndexPage",
    "ResourcePage",
    "ResourceFile",
    "JoinPage",
    "JoinPrinciple",
    "GroupOrganiser",
    "ApplicationState",
    "GroupApplication",
    "InvitationRole",
    "GroupInvitation",
    "GroupMember",
    "ContactState",
    "MembershipDecision",
    "GroupContact",
    "GroupContactConsent",
]
