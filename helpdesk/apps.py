from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from helpdesk.abuse.sockets import on_sign_out
        from helpdesk.services.article_review import connect_review_on_category_change
        from helpdesk.services.customers import connect_cache_invalidation

        connect_cache_invalidation()
        connect_review_on_category_change()
        user_logged_out.connect(on_sign_out, dispatch_uid="close_live_sockets_on_sign_out")
        import helpdesk.mail.receivers  # noqa: F401 - connects the customer e-mail receiver
