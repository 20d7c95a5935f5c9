"""Subscribers and mailings for the newsletter's tests."""

import json
from typing import Any

from harbour.newsletter.models import Mailing, MailingList, MailingVersion, Subscription
from harbour.people.models import Consent, Person


def subscriber(
    email: str, mailing_list: MailingList, *, language: str = "en", **person: Any
) -> Subscription:
    """A confirmed subscriber, with the consent that allows it."""
    found = Person.objects.filter(email=email).first()
    if found is None:
        found = Person.objects.create(email=email, language=language, **person)
    consent = Consent.objects.create(
        person=found,
        topic="newsletter",
        granted=True,
        wording="I agree.",
        language="en",
        source="test",
    )
    return Subscription.objects.create(
        person=found, mailing_list=mailing_list, language=language, consent=consent
    )


def body(*blocks: tuple[str, Any]) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


ENGLISH = body(
    (
        "text",
        "<h2>Our week</h2><p>We met our MP. "
        '<a href="https://example.org/report">Read the report</a>.</p>',
    ),
    ("button", {"label": "Sign the statement", "url": "https://example.org/sign"}),
    ("latest_news", {"count": 2}),
)  # fmt: skip
FRENCH = body(("text", "<p>Nous avons rencontré notre députée.</p>"))


def make_mailing(
    mailing_list: MailingList, *, title: str = "November news", **fields: Any
) -> Mailing:
    mailing = Mailing.objects.create(title=title, mailing_list=mailing_list, **fields)
    MailingVersion.objects.create(
        mailing=mailing, language="en", subject="News of the alliance", preheader="What we did",
        body=ENGLISH, sort_order=0,
    )  # fmt: skip
    MailingVersion.objects.create(
        mailing=mailing, language="fr", subject="Nouvelles de l'alliance", body=FRENCH,
        sort_order=1,
    )  # fmt: skip
    return mailing
