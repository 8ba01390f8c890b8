from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Escalation analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analytics.db import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="analytics.sqlite_functions")
