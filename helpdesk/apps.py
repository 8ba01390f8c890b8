from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk.services.customers import connect_cache_invalidation

        connect_cache_invalidation()
        import helpdesk.mail.receivers  # noqa: F401 - connects the customer e-mail receiver
