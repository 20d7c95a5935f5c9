"""The sign-up's e-mails: the confirmation link, or (an address on every list it asked for
already) its preferences link. Nothing else reaches an unconfirmed address."""

from django.conf import settings

from harbour.core.mailsend import confirmation_url, owner_mail_send
from harbour.people.models import Person

from .models import SignupRequest
from .services import confirmation_token, preferences_token


def preferences_url(person: Person) -> str:
    return f"{settings.SITE_URL}/newsletter-preferences/{preferences_token(person)}/"


def signup_mail_send(*, person_id: int, kind: str, signup_id: int, claim: str) -> bool:
    person = Person.objects.filter(pk=person_id, erased_at__isnull=True).first()
    if person is None or not person.email:
        return False
    context: dict[str, object] = {"kind": kind, "preferences_url": preferences_url(person)}
    if kind == "confirm":
        signup = SignupRequest.objects.select_related("page").filter(pk=signup_id).first()
        if signup is None or signup.confirmed_at is not None:
            return False
        context["url"] = confirmation_url(signup.page, confirmation_token(signup))
        context["lists"] = list(signup.lists.all())
        context["days"] = settings.HARBOUR_CONFIRM_DAYS
    return owner_mail_send(
        to=person.email,
        language=person.language,
        template="newsletter/email/signup",
        context=context,
        claim=claim,
    )
