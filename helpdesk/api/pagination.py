from rest_framework.pagination import PageNumberPagination

from helpdesk.pagination import KeysFirstPaginator


class TicketPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = KeysFirstPaginator
