from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "harbour.core"
    label = "core"
    verbose_name = "Harbour core"

    def ready(self) -> None:
        from django_tasks_db.compat import task_finished

        from . import admin_tasks, roles, taskrecovery
        from .dashboard import attention_register

        # A temporary failure of any task of ours is retried with back-off.
        task_finished.connect(taskrecovery.on_task_finished, dispatch_uid="harbour-task-retry")
        attention_register(admin_tasks.attention)
        # Redis away: one warning a minute, not one per cache call (core.degraded).
        from .degraded import degraded_logging_install

        degraded_logging_install()

        # Roles are data every database needs (tests included), so they follow migrations.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
