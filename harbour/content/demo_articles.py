"""The demo's news articles, written in our own words from the coalition's documents."""

import datetime
import json
from collections.abc import Callable

from wagtail.models import Page

from .models import ArticleKind, ArticlePage, Author, NewsIndexPage


def paragraph(text: str) -> dict[str, object]:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def heading(text: str) -> dict[str, object]:
    return {"type": "heading", "value": {"text": text, "size": "h2"}}


def bullet_list(items: list[str]) -> dict[str, object]:
    return {
        "type": "paragraph",
        "value": "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>",
    }


def load_articles(
    news: NewsIndexPage, author: Author, *, publish: Callable[[Page, Page], Page]
) -> None:
    publish(
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
                    paragraph(
                        "Alliance Canada Hong Kong, a newly formed coalition of 14 pro-democracy "
                        "groups from different regions of Canada, presented five demands to the "
                        "federal government at a press conference on Tuesday 21 January 2020. "
                        "Executive Director Cherie Wong opened it wearing, then removing, the "
                        "helmet, goggles and mask that protesters in Hong Kong use against police "
                        "violence."
                    ),
                    heading("What the alliance asks of Canada"),
                    bullet_list(
                        [
                            "Use the Justice for Victims of Corrupt Foreign Officials Act (Canada's "
                            "Magnitsky law) against Chinese Communist Party authorities and against Hong "
                            "Kong government and police officials responsible for abuses.",
                            "Support people who seek asylum from persecution by the CCP.",
                            "Counter CCP interference in Canadian media and in domestic policy.",
                            "Stop exports of military and police technology and equipment to China.",
                        ]
                    ),
                    paragraph(
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
    publish(
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
                    heading("The National Security Law and the extradition treaty"),
                    bullet_list(
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
                    heading("Resettlement for Hong Kongers"),
                    bullet_list(
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
                    heading("Magnitsky sanctions"),
                    bullet_list(
                        [
                            "3 to 8 July: a proposed sanctions list went to MPs and Minister "
                            "Champagne.",
                            "10 July: the list was made public.",
                            "14 July: a joint letter calling for sanctions gathered nearly 100 "
                            "signatories, including MPs of every major party and Uyghur, Tibetan, "
                            "Chinese and Hong Konger community groups.",
                        ]
                    ),
                    heading("Other campaigns and milestones"),
                    bullet_list(
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
    opinion = publish(
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
                    paragraph(
                        "For Hongkongers everywhere, 2020 was a hard year. In Toronto, our action "
                        "group worked alongside local and global groups, and with Canadian MPs, "
                        "for human rights and fundamental freedoms. Some of what we did:"
                    ),
                    bullet_list(
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
                    paragraph("The struggle goes on."),
                ]
            ),
        ),
    )
    if not opinion.authors.exists():
        opinion.authors.add(author)
        opinion.save_revision().publish()
