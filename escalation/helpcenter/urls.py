from django.urls import path

from escalation.helpcenter import views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.article_page, name="article"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/solved/", views.solved, name="solved"),
]
