from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "harbour.core"
    label = "core"
    verbose_name = "Harbour core"

    def ready(self) -> None:
        from . import roles

        # Roles are data every database needs (tests included), so they follow migrations.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
