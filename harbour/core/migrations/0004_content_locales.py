"""A Wagtail locale for every content language (WAGTAIL_CONTENT_LANGUAGES), so editors can
translate pages into French and Traditional Chinese from the first run."""

from django.conf import settings
from django.db import migrations


def locales_create(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_branding"),
        ("wagtailcore", "0053_locale_model"),
    ]

    operations = [migrations.RunPython(locales_create, migrations.RunPython.noop)]
