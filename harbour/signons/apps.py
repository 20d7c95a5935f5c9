from django.apps import AppConfig


class SignonsConfig(AppConfig):
    name = "harbour.signons"
    label = "signons"
    verbose_name = "Statements and petitions"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from harbour.core.page_deletion import keep_pages_holding
        from harbour.people import registry

        from .people_provider import provider
        from .selectors import signatures_held_below

        registry.register(provider)
        keep_pages_holding(_("signatures"), signatures_held_below)
