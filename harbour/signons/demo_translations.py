"""The demo's 6 January statement and foreign-interference petition in French and
Traditional Chinese (our own wording): signatures on any of them count on the original."""

from typing import Any

from harbour.core.demo_translation import translation_publish

from .models import PetitionPage, StatementDemand, StatementPage

STATEMENT: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Déclaration commune condamnant les arrestations massives du 6 janvier 2021 "
        "à Hong Kong",
        "preamble": "<p>Tout groupe ou organisme canadien peut encore signer cette lettre "
        "ouverte.</p>",
        "body": (
            "<p>Le matin du 6 janvier 2021, heure de Hong Kong, la police a arrêté plus de 50 "
            "législateurs prodémocratie, candidats aux primaires et organisateurs, les accusant "
            "de subversion en vertu de la loi sur la sécurité nationale. Nous condamnons cette "
            "attaque contre les libertés de la population de Hong Kong : la Loi fondamentale "
            "elle-même garantit aux résidents permanents le droit de voter et de se porter "
            "candidats.</p><p>Ces arrestations montrent la volonté du Parti communiste chinois "
            "et de ses représentants de faire taire toute dissidence. Témoin de la Déclaration "
            "commune sino-britannique et de la Loi fondamentale, le Canada ne peut plus tolérer "
            "ces violations : il doit agir avec fermeté et constance pour les droits de la "
            "personne, la liberté et la démocratie.</p><p>Nous demandons au gouvernement du "
            "Canada de :</p>"
        ),
        "closing": "<p>Hong Kong est en première ligne entre l'autoritarisme et la démocratie. "
        "Le Canada doit reconnaître la menace que le Parti communiste chinois fait peser sur les "
        "valeurs démocratiques partout dans le monde, et agir vite, avec ses alliés.</p>",
        "demands": [
            "Imposer des sanctions Magnitsky aux responsables de l'atteinte aux droits et "
            "libertés des Hongkongais.",
            "Condamner l'arrestation massive des prodémocrates qui ont participé aux primaires "
            "et exhorter les gouvernements de Hong Kong et de la Chine à respecter les droits "
            "des Hongkongais.",
            "Accélérer les mesures spéciales pour les Hongkongais persécutés ou menacés de "
            "persécution politique.",
            "Bâtir avec nos alliés une approche stratégique et durable envers la Chine.",
        ],
    },
    "zh-hant": {
        "title": "譴責 2021 年 1 月 6 日香港大搜捕的聯合聲明",
        "preamble": "<p>任何加拿大團體或組織仍可聯署這封公開信。</p>",
        "body": (
            "<p>香港時間 2021 年 1 月 6 日早上，警方以《國家安全法》「顛覆國家政權」罪名拘捕了五十多"
            "名民主派議員、初選參選人及組織者。我們譴責這次對香港人自由的打壓：《基本法》本身保障"
            "永久性居民的選舉權和被選舉權。</p><p>這次拘捕顯示中國共產黨及其委任官員決意壓制一切"
            "異見聲音。加拿大是《中英聯合聲明》和《基本法》的見證者，不能再容忍這些侵犯，必須堅定"
            "而一貫地為人權、自由和民主採取行動。</p><p>我們促請加拿大政府：</p>"
        ),
        "closing": "<p>香港站在威權與民主之間的最前線。加拿大必須正視中國共產黨對全球民主價值的"
        "威脅，並與盟友迅速行動。</p>",
        "demands": [
            "對侵害香港人權利和自由的官員實施馬格尼茨基制裁。",
            "譴責大規模拘捕參與初選的民主派人士，並促請香港和中國政府尊重香港人的權利。",
            "加快為正受或可能受政治迫害的香港人推出特別措施。",
            "與國際盟友共同建立具策略性和長遠的對華方針。",
        ],
    },
}

PETITION: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Protéger les gens au Canada contre l'ingérence étrangère",
        "target": "la Chambre des communes",
        "summary": "Demandez à la Chambre des communes un registre des agents étrangers et un "
        "moyen sûr de signaler la répression transnationale.",
        "preamble": "<p>Au Canada même, des membres des diasporas sont surveillés, menacés et "
        "mis sous pression par des agents de gouvernements étrangers.</p>",
        "body": "<p>Nous demandons à la Chambre des communes de créer un registre des agents "
        "étrangers, d'offrir aux victimes de répression transnationale un moyen sûr de la "
        "signaler, et d'enquêter sur l'ingérence dans les médias, les universités et les "
        "élections au Canada.</p>",
    },
    "zh-hant": {
        "title": "保護在加拿大的人免受外國干預",
        "target": "加拿大眾議院",
        "summary": "促請眾議院設立外國代理人登記冊，並為跨國鎮壓的受害者提供安全的舉報途徑。",
        "preamble": "<p>就在加拿大，離散社群的成員正受到外國政府人員的監視、威脅和施壓。</p>",
        "body": "<p>我們促請眾議院設立外國代理人登記冊，為跨國鎮壓的受害者提供安全的舉報途徑，"
        "並調查對加拿大傳媒、大學和選舉的干預。</p>",
    },
}


def load() -> None:
    statement = StatementPage.objects.filter(slug="jan-6-mass-arrests", locale__language_code="en")
    petition = PetitionPage.objects.filter(
        slug="stop-foreign-interference", locale__language_code="en"
    )
    for language, words in STATEMENT.items():
        if original := statement.first():
            fields = {k: v for k, v in words.items() if k != "demands"}

            def demands(page: Any, texts: list[str] = words["demands"]) -> None:
                page.demands = [
                    StatementDemand(sort_order=order, text=text) for order, text in enumerate(texts)
                ]

            translation_publish(original, language, fields, demands)
        if original := petition.first():
            translation_publish(original, language, dict(PETITION[language]))
