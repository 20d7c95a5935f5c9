"""Applications to join the alliance: stored pending from the public form, confirmed by the
contact's e-mail (core.confirmed_action: the link shows a button, only its POST confirms),
then approved or declined by an administrator, with a note, who and when. Approval makes
the group's page as a draft under the directory, for an editor to complete and publish."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.core.audit import audit_record
from harbour.core.confirmed_action import InvalidLink
from harbour.core.mailsend import action_mail_send, confirmation_url
from harbour.core.postal import PROVINCE_NAMES
from harbour.core.tokens import confirmation_token_read, content_digest, token_make
from harbour.core.validation import Checks
from harbour.people.services import person_get_or_create

from .invitations import organiser_invite
from .models import (
    ApplicationState,
    GroupApplication,
    JoinPage,
    MemberGroupIndexPage,
    MemberGroupPage,
)

CONFIRM_SALT = "harbour.coalition.apply"

MOVES: dict[str, frozenset[str]] = {
    ApplicationState.PENDING: frozenset({ApplicationState.SUBMITTED}),
    ApplicationState.SUBMITTED: frozenset({ApplicationState.APPROVED, ApplicationState.DECLINED}),
    ApplicationState.APPROVED: frozenset(),
    ApplicationState.DECLINED: frozenset(),
}


class ApplicationRefused(Exception):
    """The decision cannot be made; the message says why."""


def application_move(application: GroupApplication, target: str, **fields: Any) -> None:
    """The one way an application changes state (the table above)."""
    if target not in MOVES[application.state]:
        raise ApplicationRefused(
            _("This application is %(state)s already.") % {"state": application.get_state_display()}
        )
    application.state = target
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["state", *fields])


def application_create(
    *,
    page: JoinPage,
    email: str,
    group_name: str,
    city: str,
    province: str,
    website: str,
    contact_name: str,
    activities: str,
    principles_agreed: bool,
    ip_hash: str = "",
    language: str = "",
) -> GroupApplication:
    """Store a pending application and queue its confirmation e-mail to the contact.
    InvalidInput names every wrong field."""
    check = Checks(
        {
            "email": email,
            "group_name": group_name,
            "city": city,
            "province": province,
            "website": website,
            "contact_name": contact_name,
            "activities": activities,
        }
    )
    email = check.email()
    group_name = check.text("group_name", max_length=200)
    city = check.text("city", max_length=120)
    province = check.choice("province", PROVINCE_NAMES)
    website = check.url("website", max_length=200)
    contact_name = check.text("contact_name", max_length=200)
    activities = check.text("activities", max_length=2000, multiline=True)
    if not principles_agreed:
        check.fail("principles_agreed", _("A group joins by agreeing to the principles."))
    check.done()
    from .tasks import send_application_confirmation

    with transaction.atomic():
        person, _created = person_get_or_create(email=email, language=language)
        application = GroupApplication.objects.create(
            page=page,
            person=person,
            group_name=group_name,
            city=city,
            province=province,
            website=website,
            contact_name=contact_name,
            activities=activities,
            principles_agreed=True,
            language=language,
            ip_hash=ip_hash,
        )
        send_application_confirmation.enqueue(application.pk)
    return application


def _digest(application: GroupApplication) -> bytes:
    """What the contact submitted: the link confirms this and nothing else."""
    return content_digest(
        application.page_id,
        application.person_id,
        application.group_name,
        application.city,
        application.province,
        application.website,
        application.contact_name,
        application.activities,
    )


def confirmation_token(application: GroupApplication) -> str:
    return token_make(application.pk, salt=CONFIRM_SALT, digest=_digest(application))


def application_confirmation_send(*, application_id: int, claim: str) -> bool:
    """The confirmation e-mail to the contact, once per `claim`; False if there is nothing
    to confirm."""
    application = (
        GroupApplication.objects.select_related("person", "page").filter(pk=application_id).first()
    )
    if application is None or application.state != ApplicationState.PENDING:
        return False
    page = application.page
    url = confirmation_url(page, confirmation_token(application))
    return action_mail_send(
        application.person,
        page=page,
        template="coalition/email/application_confirm",
        context={"application": application, "url": url},
        claim=claim,
    )


class InvalidConfirmation(InvalidLink):
    pass


def _read(token: str) -> tuple[int, bytes]:
    return confirmation_token_read(token, salt=CONFIRM_SALT, error=InvalidConfirmation)


def application_for_confirmation(*, token: str) -> GroupApplication:
    """The application a link names, changing nothing."""
    application_id, digest = _read(token)
    application = GroupApplication.objects.filter(pk=application_id).first()
    if application is None or _digest(application) != digest:
        raise InvalidConfirmation("invalid")
    return application


def application_confirm(*, token: str) -> GroupApplication:
    """The contact pressed the button: the application waits for an administrator."""
    application_id, digest = _read(token)
    with transaction.atomic():
        application = GroupApplication.objects.select_for_update().filter(pk=application_id).first()
        if application is None or _digest(application) != digest:
            raise InvalidConfirmation("invalid")
        if application.state == ApplicationState.PENDING:
            application_move(application, ApplicationState.SUBMITTED, confirmed_at=timezone.now())
    return application


def application_decide(
    *, application_id: int, approve: bool, note: str, actor: Any
) -> GroupApplication:
    """Approve (the group's page is made as a draft in the directory) or decline, with a
    note; who and when are recorded, and the audit log keeps the decision."""
    if not actor.has_perm("coalition.review_application"):
        raise ApplicationRefused(_("Only administrators decide on applications."))
    note = note.strip()[:500]
    with transaction.atomic():
        application = GroupApplication.objects.select_for_update().filter(pk=application_id).first()
        if application is None:
            raise ApplicationRefused(_("That application no longer exists."))
        target = ApplicationState.APPROVED if approve else ApplicationState.DECLINED
        fields: dict[str, Any] = {
            "decided_at": timezone.now(),
            "decided_by": actor,
            "decision_note": note,
        }
        if approve:
            fields["group"] = _draft_group(application)
        application_move(application, target, **fields)
        contact = application.person
        if approve and fields["group"] is not None and contact is not None and contact.email:
            # Its contact becomes the group's first organiser (an invitation, or at once
            # for an address that has an account).
            organiser_invite(group=fields["group"], email=contact.email, actor=None)
        if not approve:
            from .tasks import send_application_declined

            send_application_declined.enqueue(application.pk)
        audit_record(
            actor=actor,
            action=f"application.{'approve' if approve else 'decline'}",
            target=application,
            details={"note": note},
        )
    return application


def application_declined_send(*, application_id: int, claim: str) -> bool:
    """Tell the contact that the application was declined, with the administrators' note;
    False if there is no one to tell."""
    application = (
        GroupApplication.objects.select_related("person", "page").filter(pk=application_id).first()
    )
    if application is None or application.state != ApplicationState.DECLINED:
        return False
    return action_mail_send(
        application.person,
        page=application.page,
        template="coalition/email/application_declined",
        context={"application": application},
        claim=claim,
    )


def _draft_group(application: GroupApplication) -> MemberGroupPage | None:
    directory = MemberGroupIndexPage.objects.filter(locale=application.page.locale).first()
    if directory is None:
        return None
    # Wagtail makes the slug, unique among the directory's groups (halifax-hongkongers-2).
    group = MemberGroupPage(
        title=application.group_name,
        city=application.city,
        province=application.province,
        website=application.website,
        summary=application.activities[:400],
        live=False,
    )
    directory.add_child(instance=group)
    group.save_revision()
    return group
