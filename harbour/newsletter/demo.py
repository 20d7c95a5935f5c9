"""Demo newsletter: the /newsletter/ page, two lists (alliance news, action alerts) and a few
hundred generated subscribers (example.invalid addresses) in three languages, each with the
consent record a confirmed sign-up leaves."""

from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext, override
from wagtail.models import Site

from harbour.core.demo_translation import translation_publish
from harbour.people.models import Consent, ConsentTopic, Person

from .forms import CONSENT_WORDING
from .models import MailingList, NewsletterPage, Subscription

LISTS = [
    ("alliance-news", "Alliance news", "The alliance's news, about once a month.", True),
    ("action-alerts", "Action alerts", "When a letter, a petition or a vote needs you now.", False),
]
SUBSCRIBERS = 300
LANGUAGES = ["en", "fr", "zh-hant"]


def load(*, stdout: TextIO) -> None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return
    home = site.root_page
    page = NewsletterPage.objects.filter(locale=home.locale).first()
    if page is None:
        page = NewsletterPage(
            title="Newsletter",
            slug="newsletter",
            intro="News of the alliance and alerts when action is needed, in your language.",
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        translation_publish(page, "fr", {"title": "Infolettre"})
        translation_publish(page, "zh-hant", {"title": "電子通訊"})
    lists = []
    for order, (slug, name, description, default) in enumerate(LISTS):
        mailing_list, _ = MailingList.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "default": default,
                "sort_order": order,
            },
        )
        lists.append(mailing_list)
    if Subscription.objects.exists():
        return
    with transaction.atomic():
        for n in range(SUBSCRIBERS):
            language = LANGUAGES[n % 3]
            person, _ = Person.objects.get_or_create(
                email=f"reader{n}@newsletter.example.invalid", defaults={"language": language}
            )
            with override(language):
                wording = gettext(CONSENT_WORDING)
            for mailing_list in lists[: 1 + (n % 2)]:
                consent = Consent.objects.create(
                    person=person,
                    topic=ConsentTopic.NEWSLETTER,
                    granted=True,
                    wording=wording,
                    source=f"newsletter form (demo): {mailing_list.name}",
                )
                Subscription.objects.create(
                    person=person, mailing_list=mailing_list, language=language, consent=consent
                )
