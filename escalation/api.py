"""API for routing decisions: GET /api/tickets/{id}/routing/ (newest first)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from escalation.models import RoutingDecision
from helpdesk.api.permissions import IsStaffClient
from helpdesk.selectors import ticket_for


class RoutingDecisionSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", allow_null=True, read_only=True)
    tier = serializers.IntegerField(source="tier.level", allow_null=True, read_only=True)
    agent = serializers.CharField(source="agent.user.username", allow_null=True, read_only=True)

    class Meta:
        model = RoutingDecision
        fields = [
            "id",
            "at",
            "trigger",
            "team",
            "tier",
            "agent",
            "explanation",
            "factors",
            "candidates",
            "rules_fired",
            "triage",
            "model_version",
        ]
        read_only_fields = fields


class TicketRoutingApi(APIView):
    permission_classes = [IsStaffClient]

    @extend_schema(responses=RoutingDecisionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        decisions = ticket.routing_decisions.select_related("team", "tier", "agent__user").order_by(
            "-at", "-id"
        )
        return Response(RoutingDecisionSerializer(decisions, many=True).data)
