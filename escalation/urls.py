"""Agent workspace pages the escalation app adds (mounted under /agent/)."""

from django.urls import path

from escalation import views

urlpatterns = [
    path("tickets/<id:pk>/draft/", views.draft_decide, name="automation-draft"),
]
