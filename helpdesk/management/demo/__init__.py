"""The demo support organization that `manage.py seed_demo` creates."""
