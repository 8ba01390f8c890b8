from django.urls import path

from bench.bareapp.views import BareCreateApi
from config.urls import urlpatterns as helpdesk_urlpatterns

urlpatterns = [path("bench/bare/", BareCreateApi.as_view()), *helpdesk_urlpatterns]
