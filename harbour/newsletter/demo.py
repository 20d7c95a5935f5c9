"""Demo newsletter: the /newsletter/ page, two lists (alliance news, action alerts) and a few
hundred generated subscribers (example.invalid addresses) in three languages, each with the
consent record a confirmed sign-up leaves; one mailing sent (with its results) and one
draft, each written in the three languages."""

import datetime
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override
from wagtail.models import Site

from harbour.core.demo_translation import translation_publish
from harbour.people.models import Consent, ConsentTopic, Person

from .audiences import audience
from .forms import CONSENT_WORDING
from .models import (
    Mailing,
    MailingList,
    MailingRecipient,
    MailingState,
    MailingVersion,
    NewsletterPage,
    RecipientState,
    Subscription,
    SuppressionReason,
)
from .services import senders, suppress

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
    if not Subscription.objects.exists():
        _subscribers(lists)
    if not Mailing.objects.exists():
        _mailings(lists)


def _subscribers(lists: list[MailingList]) -> None:
    with transaction.atomic():
        for n in range(SUBSCRIBERS):
            language = LANGUAGES[n % 3]
            person, _ = Person.objects.get_or_create(
                email=f"reader{n}@newsletter.example.invalid", defaults={"language": language}
            )
            with override(language):
                wording = f"{gettext(CONSENT_WORDING)} ({senders(lists[: 1 + (n % 2)])})"
            for mailing_list in lists[: 1 + (n % 2)]:
                consent = Consent.objects.create(
                    person=person,
                    topic=ConsentTopic.NEWSLETTER,
                    granted=True,
                    wording=wording,
                    language=language,
                    source=f"newsletter form (demo): {mailing_list.name}",
                )
                Subscription.objects.create(
                    person=person, mailing_list=mailing_list, language=language, consent=consent
                )


def _text(*paragraphs: str) -> dict[str, str]:
    return {"type": "text", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}


SENT = {
    "en": (
        "Alliance news: a month on Parliament Hill",
        "Meetings with MPs, a new sanctions list, and what comes next",
        [
            _text(
                "This month member groups from Vancouver to Montreal met members of "
                "Parliament about foreign interference and the people it targets here.",
                "We also sent ministers our updated list of officials we ask Canada to "
                "sanction, with the evidence for each name.",
            ),
            {
                "type": "button",
                "value": {"label": "Write to your MP", "url": "SITE_URL/"},
            },
            {"type": "latest_news", "value": {"count": 3}},
        ],
    ),
    "fr": (
        "Nouvelles de l'alliance : un mois sur la Colline",
        "Rencontres avec des députés, une nouvelle liste de sanctions",
        [
            _text(
                "Ce mois-ci, des groupes membres de Vancouver à Montréal ont rencontré des "
                "députés au sujet de l'ingérence étrangère et des personnes qu'elle vise ici.",
                "Nous avons aussi remis aux ministres notre liste à jour des responsables que "
                "nous demandons au Canada de sanctionner.",
            ),
            {"type": "latest_news", "value": {"count": 3}},
        ],
    ),
    "zh-hant": (
        "聯盟通訊：國會山莊的一個月",
        "與國會議員會面、新的制裁名單",
        [
            _text(
                "本月，從溫哥華到滿地可的成員團體與國會議員會面，討論外國干預及其在加拿大針對的人。",
                "我們亦向部長提交了最新的建議制裁官員名單，並附上每個名字的證據。",
            ),
            {"type": "latest_news", "value": {"count": 3}},
        ],
    ),
}
DRAFT = {
    "en": (
        "Action alert: one week left to write to your MP",
        "",
        [
            _text(
                "The committee meets next week. A letter from you, in your own words, is read by "
                "your MP's office: it takes two minutes."
            )
        ],
    ),
    "fr": (
        "Alerte : une semaine pour écrire à votre député",
        "",
        [
            _text(
                "Le comité se réunit la semaine prochaine. Une lettre de vous, dans vos mots, est "
                "lue par le bureau de votre député : cela prend deux minutes."
            )
        ],
    ),
    "zh-hant": (
        "行動提示：還有一星期致函你的國會議員",
        "",
        [_text("委員會下星期開會。你親筆寫的信會由議員辦公室閱讀，只需兩分鐘。")],
    ),
}


def _mailing(title: str, mailing_list: MailingList, versions: dict) -> Mailing:  # type: ignore[type-arg]
    import json

    mailing = Mailing.objects.create(title=title, mailing_list=mailing_list)
    for order, (language, (subject, preheader, blocks)) in enumerate(versions.items()):
        MailingVersion.objects.create(
            mailing=mailing,
            language=language,
            subject=subject,
            preheader=preheader,
            body=json.dumps(blocks).replace("SITE_URL/", f"{settings.SITE_URL}/"),
            sort_order=order,
        )
    return mailing


def _mailings(lists: list[MailingList]) -> None:
    """The sent mailing's results are made here as the worker would have left them (the
    demo sends nothing): most sent, two hard bounces (their addresses suppressed, as the
    bounce would have done), one refused for good."""
    news, alerts = lists
    with transaction.atomic():
        sent = _mailing("November news", news, SENT)
        when = timezone.now() - datetime.timedelta(days=12)
        rows = [
            MailingRecipient(
                mailing=sent,
                person_id=recipient.person_id,
                subscription_id=recipient.subscription_id,
                language=recipient.language,
                state=RecipientState.SENT,
                sent_at=when,
            )
            for recipient in audience(sent)
        ]
        for row in rows[:2]:
            row.state = RecipientState.BOUNCED
        bounced = Person.objects.filter(pk__in=[row.person_id for row in rows[:2]])
        for email in bounced.values_list("email", flat=True):
            suppress(email or "", SuppressionReason.HARD_BOUNCE)
        if len(rows) > 2:
            rows[2].state, rows[2].sent_at, rows[2].error = RecipientState.FAILED, None, "550"
        MailingRecipient.objects.bulk_create(rows)
        Mailing.objects.filter(pk=sent.pk).update(
            state=MailingState.SENT, started_at=when, finished_at=when
        )
        _mailing("Action alert: the committee meets", alerts, DRAFT)
