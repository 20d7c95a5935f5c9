from django.apps import AppConfig


class CoalitionConfig(AppConfig):
    name = "harbour.coalition"
    label = "coalition"
    verbose_name = "Coalition"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from harbour.core.confirmed_action import pending_actions_register
        from harbour.core.roles import role_permissions_add
        from harbour.people import registry

        from .models import (
            ApplicationState,
            ContactState,
            GroupApplication,
            GroupContact,
            MemberGroupPage,
        )
        from .organisers import on_group_page_saved
        from .people_provider import contacts_provider, provider
        from .roles import PERMISSIONS

        registry.register(provider)
        registry.register(contacts_provider)
        role_permissions_add(PERMISSIONS)
        pending_actions_register(
            "group applications",
            lambda: GroupApplication.objects.filter(state=ApplicationState.PENDING),
        )
        pending_actions_register(
            "messages to groups",
            lambda: GroupContact.objects.filter(state=ContactState.PENDING),
        )

        post_save.connect(
            on_group_page_saved, sender=MemberGroupPage, weak=False, dispatch_uid="organisers"
        )
