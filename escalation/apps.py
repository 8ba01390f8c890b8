from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Routing and escalation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from escalation import receivers  # noqa: F401 - connects the signal receivers
