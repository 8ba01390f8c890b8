from __future__ import annotations

from rest_framework.permissions import BasePermission

from helpdesk.permissions import is_agent, is_staff_account


def is_staff_client(user) -> bool:
    """Agents and staff/integration accounts may act for any customer."""
    return is_staff_account(user) or is_agent(user)


class IsStaffClient(BasePermission):
    message = "Only support staff can do this."

    def has_permission(self, request, view) -> bool:
        return is_staff_client(request.user)
