"""A mailing as e-mail: each language version rendered once, CSS inlined (css-inline) and a
plain-text part made from the same blocks; each recipient's message is that version with
their own links put in, the RFC 8058 one-click unsubscribe headers, and a Message-ID that
names the recipient's row (bounces are matched by it).

The personal links are put in by replacing placeholders, so 50,000 messages cost one
template rendering per language, not 50,000."""

import html as html_lib
import re
from dataclasses import dataclass, field
from email.utils import formataddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from harbour.core.branding import Brand, brand
from harbour.core.tokens import token_make

from .models import Mailing, MailingLink, MailingRecipient, MailingVersion, Subscription
from .registry import latest_news
from .services import preferences_token, senders, unsubscribe_token

UNSUBSCRIBE = "https://harbour.invalid/unsubscribe-placeholder"
PREFERENCES = "https://harbour.invalid/preferences-placeholder"
TOKEN = "TOKEN-PLACEHOLDER"  # noqa: S105 (where a token goes; no secret)
LINK_SALT = "harbour.newsletter.link"
_HREF = re.compile(r'(href|src)="(/[^"]*)"')


@dataclass
class RenderedVersion:
    language: str
    subject: str
    html: str  # with UNSUBSCRIBE and PREFERENCES where each recipient's links go
    text: str
    unsubscribe_path: str = ""  # with TOKEN
    preferences_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def absolute(html: str) -> str:
    """Links and images as absolute addresses: an e-mail has no site to be relative to."""
    return _HREF.sub(lambda m: f'{m[1]}="{settings.SITE_URL}{m[2]}"', html)


def html_to_text(markup: str) -> str:
    """Rich text as plain text: paragraphs, list items, and each link's address after it."""

    def link(match: re.Match[str]) -> str:
        label = strip_tags(match[2]).strip()
        return match[1] if label in ("", match[1]) else f"{label} ({match[1]})"

    markup = re.sub(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', link, markup, flags=re.S | re.I)
    markup = re.sub(r"<li[^>]*>", "- ", markup, flags=re.I)
    markup = re.sub(r"<br\s*/?>", "\n", markup, flags=re.I)
    markup = re.sub(r"</(p|h2|h3|h4|li|ul|ol|div)>", "\n", markup, flags=re.I)
    text = html_lib.unescape(strip_tags(markup))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sender_name(mailing: Mailing, sender: Brand) -> str:
    """A member group's list is sent in the group's name, with the alliance (CASL's
    identification of every sender)."""
    group = mailing.mailing_list.group
    return f"{group.title} ({sender.name})" if group is not None else sender.name


def version_for(mailing: Mailing, language: str) -> MailingVersion | None:
    versions = list(mailing.versions.all())
    for version in versions:
        if version.language == language:
            return version
    return versions[0] if versions else None


def _blocks(version: MailingVersion) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for block in version.body:
        if block.block_type == "text":
            markup = absolute(expand_db_html(block.value.source))
            blocks.append({"kind": "text", "html": mark_safe(markup), "text": html_to_text(markup)})  # noqa: S308 (sanitised by Wagtail's rich text)
        elif block.block_type == "image":
            rendition = block.value["image"].get_rendition("width-600")
            blocks.append(
                {
                    "kind": "image",
                    "src": rendition.url
                    if rendition.url.startswith(("http://", "https://"))
                    else f"{settings.SITE_URL}{rendition.url}",
                    "width": rendition.width,
                    "alt": block.value["description"],
                }
            )
        elif block.block_type == "button":
            blocks.append(
                {"kind": "button", "label": block.value["label"], "url": block.value["url"]}
            )
        elif block.block_type == "latest_news":
            items = latest_news(block.value["count"], version.language)
            blocks.append({"kind": "news", "items": items})
    return blocks


def version_render(mailing: Mailing, version: MailingVersion) -> RenderedVersion:
    """The version's subject, HTML (CSS inlined) and text, with placeholders for the
    recipient's own links; with click counting on, each link goes through the site's
    counter (the same address for everyone: it counts clicks, never who clicked)."""
    import css_inline

    sender = brand()
    context = {
        "brand": sender,
        "version": version,
        "blocks": _blocks(version),
        "sender_name": sender_name(mailing, sender),
        "senders": senders([mailing.mailing_list]),
        "list_name": mailing.mailing_list.name,
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
    }
    with translation.override(version.language):
        markup: str = render_to_string("newsletter/mailing/email.html", context)
        text: str = render_to_string("newsletter/mailing/email.txt", context)
        unsubscribe_path = reverse("newsletter_unsubscribe", args=[TOKEN])
        preferences_path = reverse("newsletter_preferences", args=[TOKEN])
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    markup = inliner.inline(markup)
    if mailing.count_clicks:
        markup = _counted_links(mailing, markup)
    return RenderedVersion(
        language=version.language,
        subject=version.subject,
        html=markup,
        text=text,
        unsubscribe_path=unsubscribe_path,
        preferences_path=preferences_path,
    )


def _counted_links(mailing: Mailing, markup: str) -> str:
    def counted(match: re.Match[str]) -> str:
        url = html_lib.unescape(match[1])
        if url in (UNSUBSCRIBE, PREFERENCES) or not url.startswith(("http://", "https://")):
            return match[0]
        link, _created = MailingLink.objects.get_or_create(mailing=mailing, url=url)
        token = token_make(link.pk, salt=LINK_SALT)
        return f'href="{settings.SITE_URL}{reverse("newsletter_link", args=[token])}"'

    return re.sub(r'href="([^"]*)"', counted, markup)


class MailingRenderer:
    """Each recipient's message of one mailing, every language version rendered once."""

    def __init__(self, mailing: Mailing) -> None:
        self.mailing = mailing
        self.brand = brand()
        self.domain = self.brand.sender.rpartition("@")[2] or "localhost"
        self.from_email = formataddr((sender_name(mailing, self.brand), self.brand.sender))
        self.mailto = settings.HARBOUR_MAILING_UNSUBSCRIBE_MAILTO or f"unsubscribe@{self.domain}"
        self.list_id = f"<{mailing.mailing_list.slug}.{self.domain}>"
        self._versions: dict[str, RenderedVersion] = {}

    def version(self, language: str) -> RenderedVersion:
        version = version_for(self.mailing, language)
        if version is None:
            raise ValueError("A mailing needs at least one language version.")
        if version.language not in self._versions:
            self._versions[version.language] = version_render(self.mailing, version)
        return self._versions[version.language]

    def message_id(self, recipient_id: int) -> str:
        return f"<harbour.m{self.mailing.pk}.r{recipient_id}@{self.domain}>"

    def message(
        self,
        *,
        to: str,
        language: str,
        unsubscribe_url: str,
        preferences_url: str,
        message_id: str,
        one_click_token: str = "",
        subject_prefix: str = "",
    ) -> EmailMultiAlternatives:
        rendered = self.version(language)
        headers = {"Message-ID": message_id, "List-Id": self.list_id}
        if one_click_token:  # RFC 8058: mail programs POST the https address, no login
            mailto = f"mailto:{self.mailto}?subject={quote('unsubscribe ' + one_click_token)}"
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        html_part = rendered.html.replace(UNSUBSCRIBE, html_lib.escape(unsubscribe_url))
        html_part = html_part.replace(PREFERENCES, html_lib.escape(preferences_url))
        text = rendered.text.replace(UNSUBSCRIBE, unsubscribe_url)
        text = text.replace(PREFERENCES, preferences_url)
        message = EmailMultiAlternatives(
            subject=f"{subject_prefix}{rendered.subject}",
            body=text,
            from_email=self.from_email,
            to=[to],
            headers=headers,
        )
        message.attach_alternative(html_part, "text/html")
        return message

    def recipient_message(
        self, row: MailingRecipient, subscription: Subscription
    ) -> EmailMultiAlternatives:
        """The message to one recipient's row (its person and subscription loaded)."""
        person = row.person
        assert person is not None and person.email
        rendered = self.version(row.language)
        token = unsubscribe_token(subscription)
        unsubscribe_url = settings.SITE_URL + rendered.unsubscribe_path.replace(TOKEN, token)
        preferences_url = settings.SITE_URL + rendered.preferences_path.replace(
            TOKEN, preferences_token(person)
        )
        return self.message(
            to=person.email,
            language=row.language,
            unsubscribe_url=unsubscribe_url,
            preferences_url=preferences_url,
            message_id=self.message_id(row.pk),
            one_click_token=token,
        )
