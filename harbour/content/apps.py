from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "harbour.content"
    label = "content"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from harbour.core.roles import role_permissions_add

        from .roles import PERMISSIONS

        role_permissions_add(PERMISSIONS)
