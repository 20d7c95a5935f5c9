from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "harbour.letters"
    label = "letters"
    verbose_name = "Letter campaigns"

    def ready(self) -> None:
        from harbour.people import registry

        from .people_provider import provider

        registry.register(provider)
