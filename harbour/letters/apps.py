from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "harbour.letters"
    label = "letters"
    verbose_name = "Letter campaigns"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from harbour.core.actions import open_actions_register
        from harbour.core.confirmed_action import pending_actions_register
        from harbour.core.dashboard import attention_register
        from harbour.core.page_deletion import keep_pages_holding
        from harbour.core.roles import role_permissions_add
        from harbour.newsletter.registry import audience_filter_register
        from harbour.people import registry

        from .audiences import district, wrote
        from .people_provider import provider
        from .roles import PERMISSIONS
        from .selectors import letters_held_below, letters_pending, open_campaign_cards
        from .wagtail_hooks import attention

        registry.register(provider)
        audience_filter_register(wrote)
        audience_filter_register(district)
        role_permissions_add(PERMISSIONS)
        keep_pages_holding(_("letters"), letters_held_below)
        pending_actions_register("letters", letters_pending)
        open_actions_register(open_campaign_cards)
        attention_register(attention)
