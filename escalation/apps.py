from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Routing and escalation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from escalation import receivers  # noqa: F401 - connects the signal receivers
        from escalation.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="escalation.ensure_schedules")
