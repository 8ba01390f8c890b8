"""Websocket URL routes (the ASGI counterpart of urls.py)."""

from django.urls import path

from helpdesk.live.consumer import QueueConsumer

websocket_urlpatterns = [
    path("ws/queue/", QueueConsumer.as_asgi()),
]
