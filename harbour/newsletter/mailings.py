"""What organisers do with a mailing: who it reaches, a test to themselves, send now or at
a time, pause, resume, cancel, and its results. Each checks the organiser may (a member
group's organisers mail their own group's lists only) and moves the mailing through
mailing_states; the task worker does the sending (newsletter.sending)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.coalition.organisers import groups_managed_by
from harbour.core.audit import audit_record

from .audiences import audience_subscriptions
from .mailing_states import mailing_move
from .models import Mailing, MailingList, MailingState, RecipientState
from .registry import UnknownAudienceFilter


def audience_unknown_message() -> str:
    return _(
        "This mailing is narrowed by an action or a district that no longer exists here: "
        "edit it and choose another."
    )


class MailingRefused(Exception):
    """The organiser cannot do that now; the message says why."""


def _is_staff_wide(user: Any) -> bool:
    return bool(user.is_superuser or user.has_perm("newsletter.send_mailing"))


def lists_for(user: Any) -> QuerySet[MailingList]:
    """The lists `user` may mail: every list with the send permission (moderators and
    administrators), else their own groups' lists (organisers)."""
    if _is_staff_wide(user):
        return MailingList.objects.all()
    keys = list(groups_managed_by(user).values_list("translation_key", flat=True))
    return MailingList.objects.filter(group__translation_key__in=keys)


def mailings_for(user: Any) -> QuerySet[Mailing]:
    return Mailing.objects.filter(mailing_list__in=lists_for(user))


def may_mail(user: Any, mailing: Mailing) -> bool:
    return lists_for(user).filter(pk=mailing.mailing_list_id).exists()


def _check(user: Any, mailing: Mailing) -> None:
    if not may_mail(user, mailing):
        raise MailingRefused(_("You may send mailings to your own group's lists only."))


def mailing_send(*, mailing: Mailing, user: Any, at: datetime.datetime | None = None) -> Mailing:
    """Send now, or at `at` (in the future); a draft only, with at least one version."""
    from .tasks import start_mailing

    _check(user, mailing)
    if not mailing.versions.exists():
        raise MailingRefused(_("Write the mailing in at least one language first."))
    try:
        audience_subscriptions(mailing)
    except UnknownAudienceFilter as unknown:
        raise MailingRefused(audience_unknown_message()) from unknown
    now = timezone.now()
    if at is not None and at <= now:
        raise MailingRefused(_("Choose a time in the future, or send now."))
    with transaction.atomic():
        if at is None:
            moved = mailing_move(mailing, MailingState.DRAFT, MailingState.SENDING)
            if moved:
                start_mailing.enqueue(mailing.pk)
        else:
            moved = mailing_move(
                mailing, MailingState.DRAFT, MailingState.SCHEDULED, scheduled_at=at
            )
            if moved:
                start_mailing.using(run_after=at).enqueue(mailing.pk)
        if not moved:
            raise MailingRefused(_("This mailing has been sent or scheduled already."))
        audit_record(
            actor=user,
            action="mailing.schedule" if at else "mailing.send",
            target=mailing,
            details={"list": mailing.mailing_list.slug},
        )
    return mailing


def mailing_unschedule(*, mailing: Mailing, user: Any) -> None:
    """A scheduled mailing back to draft (its start task finds it a draft and does nothing)."""
    _check(user, mailing)
    if not mailing_move(mailing, MailingState.SCHEDULED, MailingState.DRAFT, scheduled_at=None):
        raise MailingRefused(_("Only a scheduled mailing can be taken back."))
    audit_record(actor=user, action="mailing.unschedule", target=mailing)


def mailing_pause(*, mailing: Mailing, user: Any) -> None:
    _check(user, mailing)
    if not mailing_move(mailing, MailingState.SENDING, MailingState.PAUSED):
        raise MailingRefused(_("Only a mailing being sent can be paused."))
    audit_record(actor=user, action="mailing.pause", target=mailing)


def mailing_resume(*, mailing: Mailing, user: Any) -> None:
    from .sending import batches_queue, mailing_finish_if_done

    _check(user, mailing)
    with transaction.atomic():
        if not mailing_move(mailing, MailingState.PAUSED, MailingState.SENDING):
            raise MailingRefused(_("Only a paused mailing can be resumed."))
        if not batches_queue(mailing):
            mailing_finish_if_done(mailing)
        audit_record(actor=user, action="mailing.resume", target=mailing)


def mailing_cancel(*, mailing: Mailing, user: Any) -> None:
    """Stop for good: nobody still queued receives it."""
    _check(user, mailing)
    for source in (MailingState.SCHEDULED, MailingState.SENDING, MailingState.PAUSED):
        if mailing_move(mailing, source, MailingState.CANCELLED, finished_at=timezone.now()):
            audit_record(actor=user, action="mailing.cancel", target=mailing)
            return
    raise MailingRefused(_("This mailing cannot be cancelled now."))


def mailing_test(*, mailing: Mailing, user: Any, language: str) -> None:
    """Queue a test of one version to the organiser's own address."""
    from .tasks import send_mailing_test

    _check(user, mailing)
    if not user.email:
        raise MailingRefused(_("Your account has no e-mail address to send the test to."))
    known = language in dict(settings.LANGUAGES)
    if not known or not mailing.versions.filter(language=language).exists():
        raise MailingRefused(_("There is no version in that language."))
    send_mailing_test.enqueue(mailing.pk, user.pk, language)


@dataclass(frozen=True)
class Results:
    total: int
    queued: int
    sent: int
    failed: int
    uncertain: int
    bounced: int
    skipped: int

    @property
    def done(self) -> int:
        return self.total - self.queued

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def mailing_results(mailing: Mailing) -> Results:
    counts = dict(
        mailing.recipients.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return Results(
        total=sum(counts.values()),
        queued=counts.get(RecipientState.QUEUED, 0) + counts.get(RecipientState.SENDING, 0),
        sent=counts.get(RecipientState.SENT, 0),
        failed=counts.get(RecipientState.FAILED, 0),
        uncertain=counts.get(RecipientState.UNCERTAIN, 0),
        bounced=counts.get(RecipientState.BOUNCED, 0),
        skipped=counts.get(RecipientState.SKIPPED, 0),
    )


def mailing_link_follow(*, token: str, count: bool = True) -> str | None:
    """A counted link of a mailing was followed: the address it leads to, and, with
    `count`, one more click in its total (never who); None for a link not one of ours."""
    from django.db.models import F

    from harbour.core.tokens import TokenExpired, TokenInvalid, token_open

    from .models import MailingLink
    from .rendering import LINK_SALT
    from .services import link_lifetime

    try:
        link_id, _digest = token_open(token, salt=LINK_SALT, max_age=link_lifetime())
    except (TokenExpired, TokenInvalid):
        return None
    link = MailingLink.objects.select_related("mailing").filter(pk=link_id).first()
    if link is None:
        return None
    if count and link.mailing.count_clicks:
        MailingLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    return link.url
