from django.apps import AppConfig


class SignonsConfig(AppConfig):
    name = "harbour.signons"
    label = "signons"
    verbose_name = "Statements and petitions"

    def ready(self) -> None:
        from harbour.people import registry

        from .people_provider import provider

        registry.register(provider)
