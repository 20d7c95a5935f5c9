from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "harbour.letters"
    label = "letters"
    verbose_name = "Letter campaigns"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from harbour.core.page_deletion import keep_pages_holding
        from harbour.people import registry

        from .people_provider import provider
        from .selectors import letters_held_below

        registry.register(provider)
        keep_pages_holding(_("letters"), letters_held_below)
