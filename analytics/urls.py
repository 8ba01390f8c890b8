from django.urls import path

from analytics import views, views_model, views_whatif

app_name = "analytics"

urlpatterns = [
    path("", views.page, name="overview"),
    path("model/", views_model.model_card_page, name="model"),
    path("what-if/", views_whatif.what_if_page, name="what-if"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/<slug:table>.csv", views.export_csv, name="csv"),
]
