"""A mailing as e-mail: each language version rendered once, CSS inlined (css-inline) and a
plain-text part made from the same blocks; each recipient's message is that version with
their own links put in, the RFC 8058 one-click unsubscribe headers, and a Message-ID that
names the recipient's row (bounces are matched by it).

The personal links are put in by replacing placeholders, so 50,000 messages cost one
template rendering per language, not 50,000."""

import html as html_lib
import logging
import re
from dataclasses import dataclass, field
from email.utils import formataddr, formatdate
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
from harbour.core.sanitise import clean_html
from harbour.core.tokens import token_make

from .models import Mailing, MailingLink, MailingRecipient, MailingVersion, Subscription
from .registry import latest_news
from .services import preferences_token, senders, unsubscribe_token

logger = logging.getLogger(__name__)
HEADINGS = frozenset({"h2", "h3"})  # the text block's tags beyond core.sanitise's

UNSUBSCRIBE = "https://harbour.invalid/unsubscribe-placeholder"
PREFERENCES = "https://harbour.invalid/preferences-placeholder"
# Where each recipient's own values go in a message serialised once (recipient_bytes).
TO = "harbour-recipient@placeholder.invalid"
MESSAGE_ID = "<harbour-message-id@placeholder.invalid>"
DATE = "HarbourDatePlaceholder"
LIST_UNSUBSCRIBE = "<https://harbour.invalid/list-unsubscribe-placeholder>"
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
            # The editor writes only its features' tags, but a body stored by other means
            # (an import, the API) is not the editor's: cleaned here, as every HTML is.
            markup = clean_html(absolute(expand_db_html(block.value.source)), extra_tags=HEADINGS)
            blocks.append({"kind": "text", "html": mark_safe(markup), "text": html_to_text(markup)})  # noqa: S308 (cleaned by nh3 just above)
        elif block.block_type == "image":
            rendition = _rendition(block.value["image"])
            if rendition is None:
                continue  # deleted from the library, or its file lost: left out, not fatal
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


def _rendition(image: Any) -> Any:
    """The image at the e-mail's width, or None when it can no longer be had."""
    from wagtail.images.models import SourceImageIOError

    if image is None:
        return None
    try:
        return image.get_rendition("width-600")
    except SourceImageIOError:
        logger.warning("A mailing's image %s lost its file; the mailing goes without.", image.pk)
        return None


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
        self._templates: dict[str, bytes | None] = {}

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
        if one_click_token:
            headers["List-Unsubscribe"] = self.list_unsubscribe(unsubscribe_url, one_click_token)
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

    def personal(self, row: MailingRecipient, subscription: Subscription) -> "Personal":
        """One recipient's own parts (their row's person and subscription loaded)."""
        person = row.person
        assert person is not None and person.email
        rendered = self.version(row.language)
        token = unsubscribe_token(subscription)
        return Personal(
            to=person.email,
            language=row.language,
            unsubscribe_url=settings.SITE_URL + rendered.unsubscribe_path.replace(TOKEN, token),
            preferences_url=settings.SITE_URL
            + rendered.preferences_path.replace(TOKEN, preferences_token(person)),
            message_id=self.message_id(row.pk),
            token=token,
        )

    def recipient_message(self, personal: "Personal") -> EmailMultiAlternatives:
        return self.message(
            to=personal.to,
            language=personal.language,
            unsubscribe_url=personal.unsubscribe_url,
            preferences_url=personal.preferences_url,
            message_id=personal.message_id,
            one_click_token=personal.token,
        )

    def recipient_bytes(self, personal: "Personal") -> bytes | None:
        """The message as SMTP carries it, made from the version's message serialised once
        with placeholders (a mailing's 50,000 messages would otherwise each be built and
        encoded by the email package); None where that cannot be done safely (an address
        or a link that is not plain ASCII, a version whose parts the encoder rewrapped)."""
        parts = {
            TO: personal.to,
            MESSAGE_ID: personal.message_id,
            LIST_UNSUBSCRIBE: self.list_unsubscribe(personal.unsubscribe_url, personal.token),
            DATE: formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            UNSUBSCRIBE: personal.unsubscribe_url,
            PREFERENCES: personal.preferences_url,
        }
        if not all(value.isascii() for value in parts.values()) or any(
            html_lib.escape(parts[url]) != parts[url] for url in (UNSUBSCRIBE, PREFERENCES)
        ):
            return None
        template = self._template(personal.language)
        if template is None:
            return None
        data = template
        for placeholder, value in parts.items():
            data = data.replace(placeholder.encode(), value.encode())
        return data

    def list_unsubscribe(self, unsubscribe_url: str, token: str) -> str:
        """RFC 8058: mail programs POST the https address (no login); the mailto too."""
        mailto = f"mailto:{self.mailto}?subject={quote('unsubscribe ' + token)}"
        return f"<{unsubscribe_url}>, <{mailto}>"

    def _template(self, language: str) -> bytes | None:
        rendered = self.version(language)
        if rendered.language not in self._templates:
            self._templates[rendered.language] = self._template_make(rendered)
        return self._templates[rendered.language]

    def _template_make(self, rendered: RenderedVersion) -> bytes | None:
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=self.from_email,
            to=[TO],
            headers={
                "Message-ID": MESSAGE_ID,
                "Date": DATE,
                "List-Id": self.list_id,
                "List-Unsubscribe": LIST_UNSUBSCRIBE,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(rendered.html, "text/html")
        # Django's MIME classes take a line separator, as its SMTP backend sends them.
        data: bytes = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
        expected = {
            TO: 1,
            MESSAGE_ID: 1,
            DATE: 1,
            LIST_UNSUBSCRIBE: 1,
            UNSUBSCRIBE: rendered.html.count(UNSUBSCRIBE) + rendered.text.count(UNSUBSCRIBE),
            PREFERENCES: rendered.html.count(PREFERENCES) + rendered.text.count(PREFERENCES),
        }
        # A part the encoder wrapped or encoded (quoted-printable for a line over 998
        # characters) no longer holds its placeholders as written: then each message is
        # built the ordinary way.
        if any(data.count(key.encode()) != count for key, count in expected.items()):
            return None
        return data


@dataclass(frozen=True)
class Personal:
    to: str
    language: str
    unsubscribe_url: str
    preferences_url: str
    message_id: str
    token: str
