from django.apps import AppConfig


class RepresentativesConfig(AppConfig):
    name = "harbour.representatives"
    label = "representatives"
    verbose_name = "Representatives"

    def ready(self) -> None:
        from harbour.core.roles import role_permissions_add

        from .roles import PERMISSIONS

        role_permissions_add(PERMISSIONS)
