from django.urls import path

from analytics import api

urlpatterns = [
    path("analytics/escalations/", api.EscalationRateApi.as_view(), name="api-analytics-escalations"),
    path("analytics/pages/<slug:page>/", api.AnalyticsPageApi.as_view(), name="api-analytics-page"),
]
