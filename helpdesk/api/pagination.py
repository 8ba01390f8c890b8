from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from helpdesk.pagination import KeysFirstPaginator


class TicketPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = KeysFirstPaginator

    def get_page_size(self, request):
        """The asked page size, capped at max_page_size; a size that is no positive number (an empty one
        included) is a 400: DRF would quietly use the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(_positive(self.page_size_query_param, raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        """The asked page: a number of at least 1, or "last"; anything else is a 400 naming the field."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return _positive(self.page_query_param, raw)


def _positive(field: str, raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise ValidationError({field: ["Must be a whole number of at least 1."]})
    return number
