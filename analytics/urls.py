from django.urls import path

from analytics import views, views_model

app_name = "analytics"

urlpatterns = [
    path("", views.page, name="overview"),
    path("model/", views_model.model_card_page, name="model"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/<slug:table>.csv", views.export_csv, name="csv"),
]
