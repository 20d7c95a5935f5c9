"""The helper every app's demo uses to publish its pages in French and Traditional Chinese.

Made with Wagtail's `copy_for_translation`, as an editor's manual translation is; an editor
can re-translate any of them with wagtail-localize's "Translate" action."""

from collections.abc import Callable
from typing import Any

from wagtail.models import Locale, Page


def translation_publish(
    page: Page,
    language: str,
    fields: dict[str, Any],
    children: Callable[[Page], None] | None = None,
) -> Page | None:
    """Publish `page` in `language` with `fields` (and `children` filling its inline rows),
    creating the translated parents too; None if it is translated already (kept as is)."""
    locale, _ = Locale.objects.get_or_create(language_code=language)
    if page.get_translations().filter(locale=locale).exists():
        return None
    translated = page.specific.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    if children is not None:
        children(translated)
    translated.save_revision().publish()
    return translated
