from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "harbour.people"
    label = "people"
    verbose_name = "Supporters"

    def ready(self) -> None:
        from harbour.core.roles import role_permissions_add

        from .roles import PERMISSIONS

        role_permissions_add(PERMISSIONS)
