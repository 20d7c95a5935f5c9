"""Members sign in with their password (Wagtail's front-end login) or with a one-time link
sent to their address: the link is valid for HARBOUR_SIGNIN_LINK_MINUTES and once (it is
bound to the account's last sign-in and password, which signing in changes). Staff never
sign in this way: their accounts need the second factor of the admin's sign-in. Asking for
a link answers the same whether or not the address belongs to a member."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from harbour.core.confirmed_action import InvalidLink
from harbour.core.mailsend import owner_mail_send
from harbour.core.tokens import TokenExpired, TokenInvalid, content_digest, token_make, token_open
from harbour.people.services import normalise_email

from .models import GroupMember

SALT = "harbour.coalition.signin"


class SigninRefused(InvalidLink):
    pass


def _digest(user: Any) -> bytes:
    last = user.last_login.isoformat() if user.last_login else ""
    return content_digest(user.pk, user.password, last)


def _member(email: str) -> Any:
    """The active, non-staff account of a member with this address, or None."""
    user = (
        get_user_model()
        .objects.filter(email__iexact=normalise_email(email), is_active=True, is_staff=False)
        .first()
    )
    if user is None or not GroupMember.objects.filter(user=user).exists():
        return None
    return user


def signin_link_request(*, email: str) -> None:
    """Queue a sign-in link to `email` if it is a member's; nothing otherwise (the caller
    answers the same either way)."""
    from .tasks import send_signin_link

    user = _member(email)
    if user is not None:
        send_signin_link.enqueue(user.pk)


def signin_url(user: Any) -> str:
    token = token_make(user.pk, salt=SALT, digest=_digest(user))
    return f"{settings.SITE_URL}/account/sign-in-link/confirm/{token}/"


def signin_link_send(*, user_id: int, claim: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id, is_active=True, is_staff=False).first()
    if user is None or not user.email:
        return False
    return owner_mail_send(
        to=user.email,
        language=settings.LANGUAGE_CODE,
        template="coalition/email/signin_link",
        context={"url": signin_url(user), "minutes": settings.HARBOUR_SIGNIN_LINK_MINUTES},
        claim=claim,
    )


def signin_user(*, token: str) -> Any:
    """The member a link signs in, if the link is still good; SigninRefused says why not."""
    age = datetime.timedelta(minutes=settings.HARBOUR_SIGNIN_LINK_MINUTES)
    try:
        user_id, digest = token_open(token, salt=SALT, max_age=age)
    except TokenExpired:
        raise SigninRefused(_("This sign-in link has expired: ask for a new one.")) from None
    except TokenInvalid:
        raise SigninRefused(_("This sign-in link is not valid.")) from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True, is_staff=False).first()
    if user is None or _digest(user) != digest:
        raise SigninRefused(_("This sign-in link has been used already, or is not valid."))
    return user
