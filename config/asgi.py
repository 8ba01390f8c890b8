"""ASGI entry point: HTTP through Django's WSGI handler in a thread pool, websockets through Channels.

Django's own ASGI handler runs a synchronous view in a thread made for that one request and hops
between that thread and the event loop around every middleware: about 5 ms per request here, before
any work, and a persistent database connection dies with its thread. All our views are synchronous, so
HTTP requests run on a fixed pool of threads instead, each keeping its database connection
(CONN_MAX_AGE) the way a threaded WSGI server does; the event loop only moves bytes.
"""

import os
from concurrent.futures import ThreadPoolExecutor

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_wsgi_app = get_wsgi_application()

from asgiref.sync import sync_to_async  # noqa: E402
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from helpdesk.live.urls import websocket_urlpatterns  # noqa: E402

_http_threads = ThreadPoolExecutor(max_workers=settings.WEB_THREADS, thread_name_prefix="http")
_run_wsgi_app = WsgiToAsgiInstance.__dict__["run_wsgi_app"].func  # asgiref's, minus its one-thread wrapper


class _PooledWsgiInstance(WsgiToAsgiInstance):
    async def run_wsgi_app(self, body):
        await sync_to_async(_run_wsgi_app, thread_sensitive=False, executor=_http_threads)(self, body)

    def build_environ(self, scope, body):
        environ = super().build_environ(scope, body)
        if not environ.get("CONTENT_LENGTH"):  # a chunked upload: WSGI reads only what this announces
            environ["CONTENT_LENGTH"] = str(body.seek(0, 2))
            body.seek(0)
        return environ


class PooledWsgiToAsgi(WsgiToAsgi):
    async def __call__(self, scope, receive, send):
        await _PooledWsgiInstance(self.wsgi_application, self.duplicate_header_limit)(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": PooledWsgiToAsgi(django_wsgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
