"""Demo resources: the open-letter-to-your-MP template and the policy-brief outline the
alliance shares with its groups, and a members-only toolkit from the skills-sharing webinars
(our own short texts, as plain-text files)."""

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, PageViewRestriction

from harbour.core.demo_translation import translation_publish

from .models import ResourceFile, ResourceIndexPage, ResourceKind, ResourcePage
from .roles import members_group, members_only_collection

LETTER_TEMPLATE = """Dear [name of your MP],

I live in [your riding] and I am writing about Hong Kong.

[One paragraph: what happened, in your own words.]

[One paragraph: why it matters to you and to Canadians.]

I ask you to [one clear request, e.g. support Magnitsky sanctions against the officials
responsible].

I would welcome a reply, or a short meeting to discuss this.

Sincerely,
[your name, street address and postal code: an MP answers constituents first]
"""

BRIEF_OUTLINE = """Policy brief outline (two pages at most)

1. Summary: the ask in two sentences.
2. Background: the facts, dated and sourced.
3. Why Canada: its interests, its commitments, what allies have done.
4. Recommendations: numbered, each one an action a minister or committee can take.
5. Who we are: the coalition and a contact.
"""

TOOLKIT = """Advocacy toolkit (members only)

- Before a meeting: know the MP's committees and past statements; agree on one ask.
- In the meeting: a personal story, the ask, a one-page leave-behind.
- After: a thank-you e-mail the same day, and a follow-up in two weeks.
"""

RESOURCES = [
    (
        "Open letter to your MP: a template",
        "open-letter-template",
        ResourceKind.TEMPLATE,
        "A one-page letter to adapt: who you are, what happened, one clear request.",
        ["letters", "MPs"],
        ("Letter to your MP (template)", "letter-to-your-mp.txt", LETTER_TEMPLATE),
        False,
    ),
    (
        "Policy brief: an outline",
        "policy-brief-outline",
        ResourceKind.TEMPLATE,
        "The five parts of a brief that officials read to the end.",
        ["policy", "briefs"],
        ("Policy brief outline", "policy-brief-outline.txt", BRIEF_OUTLINE),
        False,
    ),
    (
        "Advocacy toolkit from the skills-sharing webinars",
        "advocacy-toolkit",
        ResourceKind.TOOLKIT,
        "Meeting an MP, step by step: for members of the alliance's groups.",
        ["advocacy", "webinars"],
        ("Advocacy toolkit", "advocacy-toolkit.txt", TOOLKIT),
        True,
    ),
]


# The library and the resources' titles and summaries in the other languages (the files
# stay in English); by slug.
TRANSLATIONS = {
    "fr": {
        "resources": (
            "Ressources",
            "Trousses, modèles et guides pour les groupes et les sympathisants de l'alliance.",
        ),
        "open-letter-template": (
            "Lettre ouverte à votre député : un modèle",
            "Une lettre d'une page à adapter : qui vous êtes, ce qui s'est passé, une demande claire.",
        ),
        "policy-brief-outline": (
            "Note d'orientation : un plan",
            "Les cinq parties d'une note que les fonctionnaires lisent jusqu'au bout.",
        ),
        "advocacy-toolkit": (
            "Trousse de plaidoyer des webinaires de partage de compétences",
            "Rencontrer un député, étape par étape : pour les membres des groupes de l'alliance.",
        ),
    },
    "zh-hant": {
        "resources": ("資源", "給聯盟團體和支持者的工具包、範本和指南。"),
        "open-letter-template": (
            "致國會議員公開信：範本",
            "一頁的信，可自行修改：你是誰、發生了甚麼、一個清楚的要求。",
        ),
        "policy-brief-outline": ("政策簡報：大綱", "官員會讀完的簡報的五個部分。"),
        "advocacy-toolkit": (
            "技能分享網絡研討會的倡議工具包",
            "一步一步會見國會議員：供聯盟成員團體的成員使用。",
        ),
    },
}


def _translations(library: ResourceIndexPage) -> None:
    for language, words in TRANSLATIONS.items():
        title, intro = words["resources"]
        translation_publish(library, language, {"title": title, "intro": intro})
        for resource in ResourcePage.objects.child_of(library):
            if resource.slug in words:
                title, summary = words[resource.slug]
                translation_publish(resource, language, {"title": title, "summary": summary})


def load(home: Page) -> None:
    library = ResourceIndexPage.objects.filter(locale=home.locale).first()
    if library is None:
        library = ResourceIndexPage(
            title="Resources",
            slug="resources",
            intro="Toolkits, templates and guides for the alliance's groups and supporters.",
        )
        home.add_child(instance=library)
        library.save_revision().publish()
    existing = set(ResourcePage.objects.child_of(library).values_list("slug", flat=True))
    Document = get_document_model()
    for title, slug, kind, summary, tags, (doc_title, filename, text), members in RESOURCES:
        if slug in existing:
            continue
        collection = members_only_collection() if members else Collection.get_first_root_node()
        document = Document(title=doc_title, collection=collection)
        document.file.save(filename, ContentFile(text.encode()), save=False)
        document.save()
        resource = ResourcePage(title=title, slug=slug, kind=kind, summary=summary)
        resource.tags.add(*tags)
        resource.files = [ResourceFile(document=document)]  # type: ignore[assignment]
        library.add_child(instance=resource)
        resource.save_revision().publish()
        if members:
            restriction = PageViewRestriction.objects.create(
                page=resource, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.groups.add(members_group())
    _translations(library)
