from django.urls import path

from escalation.helpcenter import views

urlpatterns = [
    path("articles/suggest/", views.SuggestApi.as_view(), name="api-articles-suggest"),
]
