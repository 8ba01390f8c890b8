"""Project configuration: settings, root URLs, and the ASGI/WSGI entry points."""
