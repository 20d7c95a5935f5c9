"""What the coalition keeps about people and groups: organisers and members of a group,
invitations, groups' applications to join, messages to a group, and the consents that
let a group's organisers see a supporter."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pages import PROVINCE_CHOICES, JoinPage, MemberGroupPage


class GroupOrganiser(models.Model):
    """A staff user who organises a member group (the same group in every language)."""

    group = models.ForeignKey(MemberGroupPage, on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organised_groups"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_organiser_row_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user} organises {self.group}"


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("waiting for the contact's confirmation")
    SUBMITTED = "submitted", _("waiting for a decision")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class GroupApplication(models.Model):
    """A group's application to join, from the public form: confirmed by its contact's
    e-mail, then approved or declined by an administrator (who and when, with a note)."""

    page = models.ForeignKey(JoinPage, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="group_applications"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.PENDING,
    )
    group_name = models.CharField(_("group's name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    province = models.CharField(_("province or territory"), max_length=2, choices=PROVINCE_CHOICES)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    activities = models.TextField(_("what the group does"), max_length=2000)
    principles_agreed = models.BooleanField(_("agrees to the principles"), default=False)
    language = models.CharField(max_length=10, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    group = models.ForeignKey(
        MemberGroupPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_application", "Can approve or decline groups' applications")]

    def __str__(self) -> str:
        return self.group_name


class InvitationRole(models.TextChoices):
    ORGANISER = "organiser", _("organiser")
    MEMBER = "member", _("member")


class GroupInvitation(models.Model):
    """An invitation to organise a group, or to be one of its members, for an address with
    no account yet: a one-time, expiring link to choose a password (then, for an organiser,
    the second factor, as all staff)."""

    group = models.ForeignKey(MemberGroupPage, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=InvitationRole.choices, default=InvitationRole.ORGANISER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation to {self.group} as {self.role}"


class GroupMember(models.Model):
    """A member of a member group: a supporter's account (no staff rights) that may open
    the alliance's members-only pages and files (coalition.roles.MEMBERS)."""

    group = models.ForeignKey(MemberGroupPage, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user} is a member of {self.group}"


class ContactState(models.TextChoices):
    PENDING = "pending", _("waiting for the sender's confirmation")
    SENT = "sent", _("sent to the organisers")


class MembershipDecision(models.TextChoices):
    NONE = "", _("not asked")
    WAITING = "waiting", _("waiting for the organisers")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class GroupContact(models.Model):
    """A message to a group's organisers from its page's contact form, perhaps asking to
    become a member: confirmed by the sender's e-mail, then e-mailed to the organisers
    (whose addresses the sender never sees)."""

    group = models.ForeignKey(MemberGroupPage, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="group_contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    message = models.TextField(_("message"), max_length=3000)
    state = models.CharField(
        max_length=10, choices=ContactState.choices, default=ContactState.PENDING
    )
    membership = models.CharField(
        _("membership"), max_length=10, choices=MembershipDecision.choices, blank=True
    )
    language = models.CharField(max_length=10, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Message {self.pk} to {self.group_id}"


class GroupContactConsent(models.Model):
    """A supporter's "let <group> contact me", ticked on one action's form: the consent
    record (people.Consent: the wording shown, when, which form) and the group it names.
    It is what lets the group's organisers see that supporter; withdrawn or erased, they
    no longer do."""

    group = models.ForeignKey(MemberGroupPage, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.CASCADE, related_name="group_contacts"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "consent"], name="one_row_per_group_consent")
        ]

    def __str__(self) -> str:
        return f"Consent {self.consent_id} for group {self.group_id}"
