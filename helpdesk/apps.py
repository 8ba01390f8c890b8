from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from helpdesk.schedules import ensure_schedules
        from helpdesk.services.customers import connect_cache_invalidation

        connect_cache_invalidation()
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="helpdesk.ensure_schedules")
