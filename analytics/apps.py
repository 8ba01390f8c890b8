from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Escalation analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from analytics.db import register_sqlite_functions
        from analytics.facts.receivers import ticket_deleted
        from helpdesk.models import Ticket

        connection_created.connect(register_sqlite_functions, dispatch_uid="analytics.sqlite_functions")
        post_delete.connect(ticket_deleted, sender=Ticket, dispatch_uid="analytics.facts.ticket_deleted")
