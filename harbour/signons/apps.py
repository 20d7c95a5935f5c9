from django.apps import AppConfig


class SignonsConfig(AppConfig):
    name = "harbour.signons"
    label = "signons"
    verbose_name = "Statements and petitions"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from harbour.coalition.registry import group_section_register
        from harbour.core.actions import open_actions_register
        from harbour.core.confirmed_action import pending_actions_register
        from harbour.core.dashboard import attention_register
        from harbour.core.page_deletion import keep_pages_holding
        from harbour.core.roles import role_permissions_add
        from harbour.newsletter.registry import audience_filter_register
        from harbour.people import registry

        from .audiences import signed
        from .member_groups import statements_signed_section
        from .people_provider import provider
        from .roles import PERMISSIONS
        from .selectors import open_sign_on_cards, signatures_held_below, signatures_pending
        from .wagtail_hooks import attention

        registry.register(provider)
        audience_filter_register(signed)
        role_permissions_add(PERMISSIONS)
        keep_pages_holding(_("signatures"), signatures_held_below)
        pending_actions_register("signatures", signatures_pending)
        open_actions_register(open_sign_on_cards)
        attention_register(attention)
        group_section_register(statements_signed_section)
