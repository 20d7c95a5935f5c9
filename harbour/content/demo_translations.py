"""The demo's home and About pages in French and Traditional Chinese (our own wording of the
same facts).

Made with Wagtail's `copy_for_translation`, as an editor's manual translation is; an
editor can re-translate any of them with wagtail-localize's "Translate" action."""

import json
from collections.abc import Callable
from typing import Any

from wagtail.models import Page

from harbour.core.demo_translation import translation_publish

from .demo_articles import bullet_list, heading, paragraph
from .models import HomePage, HomePagePrinciple, StandardPage

HOME: dict[str, dict[str, Any]] = {
    "fr": {
        "tagline": "Une campagne nationale et non partisane de Hongkongais prodémocratie au Canada.",
        "mission": (
            "<ul><li><b>La force du collectif</b> : alliés, les groupes communautaires de tout "
            "le pays pèsent davantage auprès de la population et des élus qu'un groupe seul."
            "</li><li><b>Des communautés outillées</b> : les groupes membres reçoivent des "
            "ressources, du mentorat et un lieu où partager l'expérience de leurs "
            "organisateurs.</li><li><b>Un programme législatif</b> : ensemble, nous demandons "
            "au Parlement des lois qui soutiennent la démocratie et les droits de la personne "
            "à Hong Kong.</li></ul>"
        ),
        "newsletter_heading": "Inscrivez-vous pour recevoir nos nouvelles",
        "principles": [
            (
                "La communauté d'abord",
                "Une campagne des Hongkongais, pour les Hongkongais, y compris ceux qui ne "
                "sont pas d'origine chinoise.",
            ),
            (
                "Solidarité",
                "Nous sommes aux côtés des communautés PANDC et LGBTQA2+, et des communautés "
                "taïwanaise, tibétaine et ouïghoure, elles aussi visées par le Parti "
                "communiste chinois.",
            ),
            (
                "Équité, diversité et inclusion",
                "Chaque décision, stratégique ou quotidienne, est mesurée à ces valeurs, pour "
                "que le travail reste sain pour toutes les personnes qui y prennent part.",
            ),
            (
                "Multipartisme",
                "Nous cherchons l'appui de tous les partis et le terrain d'entente entre eux.",
            ),
        ],
    },
    "zh-hant": {
        "tagline": "由在加拿大的香港民主派人士發起、不分黨派的全國運動。",
        "mission": (
            "<ul><li><b>集體力量</b>：全國各地的社區團體結盟，比單一團體更能影響加拿大人和他們的"
            "民意代表。</li><li><b>社區充權</b>：加入的團體可獲得資源和指導，並與其他組織者交流經驗。"
            "</li><li><b>立法議程</b>：我們一同促請國會訂立支持香港民主和人權的法律。</li></ul>"
        ),
        "newsletter_heading": "訂閱我們的最新消息",
        "principles": [
            ("社區為先", "由港人發起、為港人服務的運動，包括非華裔的香港人。"),
            (
                "團結",
                "我們與原住民、黑人及有色人種社群和 LGBTQA2+ 社群站在一起，也與同樣受中國共產黨"
                "打壓的台灣、西藏和維吾爾社群並肩。",
            ),
            (
                "平等、多元與共融",
                "每個策略和日常決定都以這些價值檢視，讓每位參與者都能在健康的環境中工作。",
            ),
            ("跨黨派", "我們爭取每個政黨的支持，尋找彼此的共同點。"),
        ],
    },
}

ABOUT: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "À propos de l'ACHK",
        "intro": "Alliance Canada Hong Kong (ACHK) est une campagne nationale non partisane "
        "menée par des Hongkongais prodémocratie qui vivent au Canada.",
        "body": [
            paragraph(
                "L'ACHK réunit les groupes communautaires hongkongais du Canada (organisations "
                "locales et nationales, groupes de jeunes, sections municipales) pour qu'ils "
                "agissent ensemble sur le plan politique. Nous rencontrons aussi les élus et "
                "leur personnel afin d'obtenir un appui concret au mouvement prodémocratie. "
                "Notre but : une loi canadienne qui défende la démocratie et les droits de la "
                "personne à Hong Kong."
            ),
            heading("Notre vision du collectif"),
            paragraph(
                "Une communauté hongkongaise pancanadienne, ouverte à tous les groupes, outillée "
                "par des trousses, des webinaires et des ressources en ligne pour agir, civiquement "
                "et politiquement, là où vivent ses membres."
            ),
            heading("Quatre principes"),
            bullet_list(
                [
                    "<b>La communauté d'abord</b> : par et pour les Hongkongais, de toutes "
                    "origines.",
                    "<b>Solidarité</b> avec les communautés marginalisées, ici et ailleurs.",
                    "<b>Équité, diversité et inclusion</b> dans chacune de nos décisions.",
                    "<b>Multipartisme</b> : un terrain d'entente avec tous les partis.",
                ]
            ),
        ],
    },
    "zh-hant": {
        "title": "關於 ACHK",
        "intro": "加港聯盟（ACHK）是由居於加拿大的香港民主派人士帶領、不分黨派的全國運動。",
        "body": [
            paragraph(
                "ACHK 把加拿大各地的香港人社區團體（地區和全國組織、青年團體及各城市分會）連結起來，"
                "讓大家一起採取政治行動。我們亦與政界人士及其職員會面，爭取他們具體支持民主運動。"
                "我們的最終目標，是在加拿大訂立捍衛香港民主和人權的法律。"
            ),
            heading("我們對集體的願景"),
            paragraph(
                "一個遍佈全國、接納各類團體的香港人社群，透過工具包、網上研討會和網上資源，"
                "讓成員無論身在何處都能參與公民和政治事務。"
            ),
            heading("四項核心原則"),
            bullet_list(
                [
                    "<b>社區為先</b>：由港人發起、為港人服務，不論族裔。",
                    "<b>團結</b>：與本地和海外的邊緣社群同行。",
                    "<b>平等、多元與共融</b>：貫徹於我們的每個決定。",
                    "<b>跨黨派</b>：與每個政黨尋找共同點。",
                ]
            ),
        ],
    },
}


def _principles(rows: list[tuple[str, str]]) -> Callable[[Page], None]:
    def fill(page: Page) -> None:
        page.principles = [  # type: ignore[attr-defined]
            HomePagePrinciple(sort_order=order, title=title, text=text)
            for order, (title, text) in enumerate(rows)
        ]

    return fill


def load(home: HomePage) -> None:
    about = StandardPage.objects.filter(slug="about", locale=home.locale).first()
    for language, words in HOME.items():
        fields = {k: v for k, v in words.items() if k != "principles"}
        translation_publish(home, language, fields, _principles(words["principles"]))
        if about is not None:
            page = ABOUT[language]
            fields = {
                "title": page["title"],
                "intro": page["intro"],
                "body": json.dumps(page["body"]),
            }
            translation_publish(about, language, fields)
