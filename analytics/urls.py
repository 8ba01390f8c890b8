from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.page, name="overview"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/<slug:table>.csv", views.export_csv, name="csv"),
]
