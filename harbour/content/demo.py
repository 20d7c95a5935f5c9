"""Demo content, written in our own words from the coalition's documents (../shared/seeds/).

Creates what is missing and leaves existing pages alone, so editors' changes survive.
"""

import datetime
import json
from io import BytesIO
from typing import TextIO

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site

from harbour.core.roles import grant_member_authors_section

from .models import ArticleKind, ArticlePage, Author, HomePage, NewsIndexPage, StandardPage

SITE_NAME = "Alliance Canada Hong Kong"


def _p(text: str) -> dict[str, object]:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def _h(text: str) -> dict[str, object]:
    return {"type": "heading", "value": {"text": text, "size": "h2"}}


def _ul(items: list[str]) -> dict[str, object]:
    return {
        "type": "paragraph",
        "value": "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>",
    }


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
    home = HomePage.objects.first()
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
    return home


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
                    _p(
                        "ACHK brings Canada's Hong Konger community groups together (local and "
                        "national organisations, youth groups and city chapters) so they can take "
                        "political action as one. Alongside that organising, we meet politicians "
                        "and their staff to win concrete support for the pro-democracy movement. "
                        "Our end goal is legislation in Canada that defends democracy and human "
                        "rights in Hong Kong."
                    ),
                    _h("Our vision for the collective"),
                    _p(
                        "A nation-wide Hong Konger community, inclusive of every kind of group, "
                        "equipped through toolkits, webinars and online resources to act civically "
                        "and politically wherever its members live."
                    ),
                    _h("Four core principles"),
                    _ul(
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


def _articles(news: NewsIndexPage, author: Author) -> None:
    _publish(
        news,
        ArticlePage(
            title="Five demands: a new alliance calls on Ottawa to act on Hong Kong",
            slug="five-demands",
            kind=ArticleKind.PRESS_RELEASE,
            date=datetime.date(2020, 1, 21),
            summary="At a press conference on 21 January 2020, ACHK, an alliance of 14 groups "
            "from across Canada, set out five demands for Canadian politicians and officials.",
            body=json.dumps(
                [
                    _p(
                        "Alliance Canada Hong Kong, a newly formed coalition of 14 pro-democracy "
                        "groups from different regions of Canada, presented five demands to the "
                        "federal government at a press conference on Tuesday 21 January 2020. "
                        "Executive Director Cherie Wong opened it wearing, then removing, the "
                        "helmet, goggles and mask that protesters in Hong Kong use against police "
                        "violence."
                    ),
                    _h("What the alliance asks of Canada"),
                    _ul(
                        [
                            "Use the Justice for Victims of Corrupt Foreign Officials Act (Canada's "
                            "Magnitsky law) against Chinese Communist Party authorities and against Hong "
                            "Kong government and police officials responsible for abuses.",
                            "Support people who seek asylum from persecution by the CCP.",
                            "Counter CCP interference in Canadian media and in domestic policy.",
                            "Stop exports of military and police technology and equipment to China.",
                        ]
                    ),
                    _p(
                        "Roughly 300,000 Canadians live in Hong Kong. The alliance argued that "
                        "fear of economic retaliation keeps many politicians silent, and that "
                        "trading away Canadians' safety and freedoms for economic gain is a price "
                        "Canada should refuse to pay."
                    ),
                    {
                        "type": "quote",
                        "value": {
                            "text": "We condemn the Canadian government's inaction on Beijing's "
                            "human rights atrocities.",
                            "attribution": "Cherie Wong, Executive Director, as reported by the "
                            "Vancouver Sun",
                        },
                    },
                ]
            ),
        ),
    )
    _publish(
        news,
        ArticlePage(
            title="Our work over the past few weeks",
            slug="our-work-over-the-past-few-weeks",
            kind=ArticleKind.ANNOUNCEMENT,
            date=datetime.date(2020, 7, 15),
            summary="Since June, ACHK has campaigned on the National Security Law and the "
            "extradition treaty, resettlement for Hong Kongers, Magnitsky sanctions, and "
            "building our communities' skills.",
            body=json.dumps(
                [
                    _h("The National Security Law and the extradition treaty"),
                    _ul(
                        [
                            "30 June: a joint statement with 19 groups asked Ottawa to revoke Hong "
                            "Kong's special status and end the extradition treaty.",
                            "30 June: an e-mail campaign to ministers and MPs about the treaty and the "
                            "new law reached about 15,000 people.",
                            "2 July: we met senior advisors in the Prime Minister's Office.",
                            "3 July: Canada suspended the extradition treaty and banned sensitive "
                            "military exports to Hong Kong, meeting one of our five demands.",
                        ]
                    ),
                    _h("Resettlement for Hong Kongers"),
                    _ul(
                        [
                            "17 and 24 June: meetings with Global Affairs officials and the "
                            "Parliamentary Secretary for Foreign Affairs on refugee and immigration "
                            "options.",
                            "26 June to 7 July: our policy brief on immigration and resettlement went "
                            "to senior officials, to the offices of the Prime Minister and Deputy "
                            "Prime Minister, and to every MP and Senator.",
                            "2 July: a detailed review of the brief with the immigration department's "
                            "policy director.",
                        ]
                    ),
                    _h("Magnitsky sanctions"),
                    _ul(
                        [
                            "3 to 8 July: a proposed sanctions list went to MPs and Minister "
                            "Champagne.",
                            "10 July: the list was made public.",
                            "14 July: a joint letter calling for sanctions gathered nearly 100 "
                            "signatories, including MPs of every major party and Uyghur, Tibetan, "
                            "Chinese and Hong Konger community groups.",
                        ]
                    ),
                    _h("Other campaigns and milestones"),
                    _ul(
                        [
                            "7 July: members had by now met MPs of the Liberal, Conservative, Bloc, "
                            "NDP and Green parties.",
                            "7 July: an e-mail campaign urging the MPs of the Subcommittee on "
                            "International Human Rights (SDIR) to reconvene reached about 33,000 "
                            "people; on 11 July the subcommittee reconvened.",
                            "13 July: with the Toronto Association for Democracy in China and Amnesty "
                            "International Canada, we laid a wreath at Liu Xiaobo's Empty Chair "
                            "Memorial in Ottawa.",
                            "1 June to 14 July: three private skills-sharing webinars on advocacy, "
                            "Canada's political parties and community engagement.",
                        ]
                    ),
                ]
            ),
        ),
    )
    opinion = _publish(
        news,
        ArticlePage(
            title="HongKong Action Group: What we accomplished in 2020",
            slug="hongkong-action-group-2020",
            kind=ArticleKind.OPINION,
            date=datetime.date(2020, 12, 19),
            summary="A look back at a hard year: rallies, statements, meetings with MPs of "
            "every party, sanctions lists and a House of Commons petition.",
            body=json.dumps(
                [
                    _p(
                        "For Hongkongers everywhere, 2020 was a hard year. In Toronto, our action "
                        "group worked alongside local and global groups, and with Canadian MPs, "
                        "for human rights and fundamental freedoms. Some of what we did:"
                    ),
                    _ul(
                        [
                            "Before the pandemic, we co-hosted a rally for global sanctions against "
                            "the Chinese regime; the United States has since published three rounds "
                            "of sanctioned officials, and Japan and others have followed.",
                            "We met, virtually, with MPs of several parties, and helped local teams "
                            "meet their own MP about Canada's China policy and Huawei's 5G plans.",
                            "We co-hosted an online panel on the anniversary of the anti-extradition "
                            "movement.",
                            "We published statements on the disqualification of sitting Hong Kong "
                            "legislators and kept pressing MPs for action in Parliament.",
                            "With Tibetan and Uyghur groups, we pushed for Canada's Magnitsky law to "
                            "cover officials in Hong Kong and China, and helped draw up a list of "
                            "officials who deserve sanctions.",
                            "We wrote a template letter for Canadians with ties to Hong Kong to send "
                            "their MP.",
                            "We co-hosted a national press conference with the main opposition "
                            "parties calling for a safe-haven programme; in late November, "
                            "Immigration, Refugees and Citizenship Canada eased its rules for "
                            "Hongkongers.",
                            "We launched a House of Commons petition against foreign interference, "
                            "which became a private member's motion.",
                        ]
                    ),
                    _p("The struggle goes on."),
                ]
            ),
        ),
    )
    if not opinion.authors.exists():
        opinion.authors.add(author)
        opinion.save_revision().publish()


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
    _articles(news, author)
    _campaigns(home, news)
