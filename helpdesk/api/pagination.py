from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from helpdesk.pagination import KeysFirstPaginator


class TicketPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = KeysFirstPaginator

    def get_page_size(self, request):
        """The asked page size, capped at max_page_size; a size that is no positive number is a 400
        (DRF would quietly use the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Must be a whole number of at least 1."]})
        return min(size, self.max_page_size)
