"""Demo content, written in our own words from the coalition's documents (../shared/seeds/).

Creates what is missing and leaves existing pages alone, so editors' changes survive.
"""

import json
from io import BytesIO
from typing import TextIO

from django.conf import settings
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site

from harbour.core.roles import grant_member_authors_section

from . import demo_translations
from .demo_articles import bullet_list, heading, load_articles, paragraph
from .models import Author, HomePage, NewsIndexPage, StandardPage
from .services import site_address_sync

SITE_NAME = "Alliance Canada Hong Kong"


def _publish(parent: Page, page: Page) -> Page:
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _avatar(initials: str, name: str) -> Image:
    title = f"Portrait placeholder: {name}"
    image = Image.objects.filter(title=title).first()
    if image:
        return image
    canvas = PILImage.new("RGB", (400, 400), (179, 18, 45))
    draw = ImageDraw.Draw(canvas)
    draw.text((150, 170), initials, fill=(255, 255, 255), font_size=96)
    buffer = BytesIO()
    canvas.save(buffer, format="PNG")
    slug = name.lower().replace(" ", "-")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{slug}.png"))


def _home(root: Page) -> HomePage:
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is not None:
        return home
    # Wagtail's first migration leaves a "Welcome to Wagtail" page at slug "home".
    for placeholder in root.get_children().filter(slug="home"):
        if placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()
    home = HomePage(
        title=SITE_NAME,
        slug="home",
        tagline="A non-partisan national campaign of pro-democracy Hong Kongers in Canada.",
        mission=(
            "<ul><li><b>Collective power</b>: community groups from across the country, "
            "allied, carry more weight with Canadians and their representatives than any "
            "one group alone.</li><li><b>Community empowerment</b>: groups that join get "
            "resources, mentoring and a place to trade what their organisers have learned."
            "</li><li><b>Legislative agenda</b>: together we press Parliament for laws that "
            "support democracy and human rights in Hong Kong.</li></ul>"
        ),
    )
    root.add_child(instance=home)
    principles = [
        (
            "Community first",
            "A campaign for Hong Kongers and by Hong Kongers, including "
            "Hong Kongers who are not ethnically Chinese.",
        ),
        (
            "Solidarity",
            "We stand with BIPOC and LGBTQA2+ communities and with Taiwanese, "
            "Tibetan and Uyghur communities who also face the Chinese Communist Party.",
        ),
        (
            "Equity, diversity and inclusion",
            "Every strategic and day-to-day decision is "
            "checked against these values, so the work stays healthy for everyone in it.",
        ),
        (
            "Multi-partisan",
            "We seek support from every political party and look for the "
            "common ground between them.",
        ),
    ]
    for order, (title, text) in enumerate(principles):
        home.principles.create(sort_order=order, title=title, text=text)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=SITE_NAME,
        )
    else:
        site.root_page = home
        site.site_name = SITE_NAME
        site.save()
    _branding()
    return home


def _branding() -> None:
    """The coalition's name on the site and in its e-mails (kept if an editor changed it)."""
    from harbour.core.models import Branding

    site = Site.objects.get(is_default_site=True)
    branding = Branding.for_site(site)
    if branding.name == "Harbour":
        branding.name = SITE_NAME
        branding.save()


def _about(home: HomePage) -> None:
    _publish(
        home,
        StandardPage(
            title="About ACHK",
            slug="about",
            intro="Alliance Canada Hong Kong (ACHK) is a non-partisan national campaign led "
            "by pro-democracy Hong Kongers living in Canada.",
            body=json.dumps(
                [
                    paragraph(
                        "ACHK brings Canada's Hong Konger community groups together (local and "
                        "national organisations, youth groups and city chapters) so they can take "
                        "political action as one. Alongside that organising, we meet politicians "
                        "and their staff to win concrete support for the pro-democracy movement. "
                        "Our end goal is legislation in Canada that defends democracy and human "
                        "rights in Hong Kong."
                    ),
                    heading("Our vision for the collective"),
                    paragraph(
                        "A nation-wide Hong Konger community, inclusive of every kind of group, "
                        "equipped through toolkits, webinars and online resources to act civically "
                        "and politically wherever its members live."
                    ),
                    heading("Four core principles"),
                    bullet_list(
                        [
                            "<b>Community first</b>: by and for Hong Kongers, of every ethnicity.",
                            "<b>Solidarity</b> with marginalised communities here and abroad.",
                            "<b>Equity, diversity and inclusion</b> in every decision we make.",
                            "<b>Multi-partisan</b>: common ground with every political party.",
                        ]
                    ),
                ]
            ),
        ),
    )


def _news(home: HomePage) -> NewsIndexPage:
    news = _publish(
        home,
        NewsIndexPage(
            title="News",
            slug="news",
            intro="Announcements, press releases and opinions from the alliance and its members.",
        ),
    )
    grant_member_authors_section(news)
    return news


def _author() -> Author:
    author, created = Author.objects.get_or_create(
        slug="mimi-lee",
        defaults={
            "name": "Mimi Lee",
            "location": "Markham, Ontario",
            "bio": (
                "<p>Mimi Lee is a lead organiser of the Torontonian HongKongers Action Group, "
                "which has held events in Toronto since June 2019 to build awareness of, and "
                "support for, Hong Kong's pro-democracy movement. The Moral and National "
                "Education controversy of 2012 first opened her eyes to Hong Kong's decline "
                "since 1997; after the Umbrella Movement of 2014 she moved from supporting "
                "from afar to helping run initiatives of her own.</p>"
            ),
        },
    )
    if created:
        author.picture = _avatar("ML", author.name)
        author.save()
    return author


def _campaigns(home: HomePage, news: NewsIndexPage) -> None:
    if home.campaigns.exists():
        return
    update = news.get_children().filter(slug="our-work-over-the-past-few-weeks").first()
    campaigns = [
        (
            "National Security Law and the extradition treaty",
            "Canada suspended its extradition treaty with Hong Kong in July 2020; we keep "
            "watch on the law's reach into Canada.",
        ),
        (
            "Resettlement for Hong Kongers",
            "Safe-haven immigration and refugee pathways for Hong Kongers facing persecution.",
        ),
        (
            "Magnitsky sanctions",
            "Sanctions on the officials responsible for dismantling Hong Kong's freedoms.",
        ),
        (
            "Community solidarity and skills",
            "Webinars, skills sharing and briefings for member groups and political leaders.",
        ),
    ]
    for order, (title, summary) in enumerate(campaigns):
        home.campaigns.create(sort_order=order, title=title, summary=summary, link_page=update)
    home.save_revision().publish()


def load(*, stdout: TextIO) -> None:
    root = Page.get_first_root_node()
    home = _home(root)
    _about(home)
    news = _news(home)
    author = _author()
    load_articles(news, author, publish=_publish)
    _campaigns(home, news)
    demo_translations.load(home)
    site_address_sync()  # every run: `make run PORT=...` moves the site's address
