"""REST API: one view per operation, each calling one service or selector."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api.permissions import IsStaffClient, is_staff_client
from helpdesk.api.serializers import AgentSerializer, MessageSerializer, TicketSerializer
from helpdesk.models import Agent, AgentStatus, Category, Channel, Priority, Status, Team, Tier
from helpdesk.permissions import agent_of, can_work_ticket, is_staff_account
from helpdesk.selectors import (
    QUEUE_RELATIONS,
    attachment_for,
    ticket_conversation,
    ticket_for,
    tickets_visible_to,
)
from helpdesk.services import (
    agent_set_status,
    csat_submit,
    customer_get_or_create,
    message_add,
    ticket_create,
    ticket_escalate,
    ticket_resolve,
)
from helpdesk.views.attachments import attachment_response


def _ticket_response(ticket) -> Response:
    fresh = type(ticket).objects.select_related(*QUEUE_RELATIONS).get(pk=ticket.pk)
    return Response(TicketSerializer.represent(fresh))


class TicketListCreateApi(ListAPIView):
    """GET: tickets the caller may see (filtered, paginated). POST: create a ticket."""

    serializer_class = TicketSerializer

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        team = serializers.CharField(required=False, max_length=100)
        tier = serializers.IntegerField(required=False, min_value=1, max_value=1000)
        assignee = serializers.CharField(required=False, max_length=150)

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=settings.TICKET_SUBJECT_MAX)
        body = serializers.CharField(max_length=settings.TICKET_BODY_MAX)
        customer_email = serializers.EmailField(required=False, max_length=254)
        customer_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
        organization = serializers.CharField(required=False, allow_blank=True, max_length=200)
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
        category = serializers.SlugRelatedField(
            slug_field="name", queryset=Category.objects.all(), required=False, allow_null=True
        )

        def __init__(self, *args, for_staff: bool = False, **kwargs):
            super().__init__(*args, **kwargs)
            # Staff and integrations create tickets for someone; customers for themselves.
            self.fields["customer_email"].required = for_staff

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        tickets = tickets_visible_to(self.request.user).select_related(*QUEUE_RELATIONS)
        if "status" in f:
            tickets = tickets.filter(status=f["status"])
        if "priority" in f:
            tickets = tickets.filter(priority=f["priority"])
        if "team" in f:
            tickets = tickets.filter(team__name__iexact=f["team"])
        if "tier" in f:
            tickets = tickets.filter(tier__level=f["tier"])
        if "assignee" in f:
            tickets = tickets.filter(assignee__user__username=f["assignee"])
        return tickets.order_by("-created_at", "-pk")

    @extend_schema(parameters=[FilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: TicketSerializer})
    def post(self, request: Request) -> Response:
        for_staff = is_staff_client(request.user)
        data = self.InputSerializer(data=request.data, for_staff=for_staff)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        email = d.get("customer_email", "")
        if for_staff:
            customer = customer_get_or_create(
                email=email,
                name=d.get("customer_name", ""),
                organization_name=d.get("organization", ""),
                invite=True,
            )
        else:
            if email and email.lower() != (request.user.email or "").lower():
                raise serializers.ValidationError(
                    {"customer_email": ["Customers can only create tickets for themselves."]}
                )
            customer = request.user
        ticket = ticket_create(
            customer=customer,
            subject=d["subject"],
            body=d["body"],
            channel=d["channel"],
            category=d.get("category"),
            actor=request.user,
        )
        # The instance is exactly what was saved, its relations already in memory: no re-read.
        return Response(TicketSerializer.represent(ticket), status=status.HTTP_201_CREATED)


class TicketDetailApi(APIView):
    @extend_schema(responses=TicketSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TicketSerializer.represent(ticket_for(request.user, pk)))


class TicketMessagesApi(APIView):
    """GET: the conversation (customers see public messages only). POST: reply or internal note."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=settings.TICKET_BODY_MAX, allow_blank=True, default="")
        internal = serializers.BooleanField(default=False)
        attachments = serializers.ListField(
            child=serializers.FileField(allow_empty_file=True), required=False, default=list
        )

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        messages = ticket_conversation(ticket, include_internal=can_work_ticket(request.user, ticket))
        return Response(MessageSerializer(messages, many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        payload = request.data
        if hasattr(payload, "getlist"):  # multipart: several files under one field name
            payload = {**payload.dict(), "attachments": request.FILES.getlist("attachments")}
        data = self.InputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        message = message_add(
            ticket=ticket,
            author=request.user,
            body=data.validated_data["body"],
            internal=data.validated_data["internal"],
            channel=Channel.API,
            attachments=data.validated_data["attachments"],
        )
        return Response(
            MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AttachmentDownloadApi(APIView):
    """GET: the file, for people who may see its message (token or session)."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int):
        return attachment_response(attachment_for(request.user, pk))


class TicketEscalateApi(APIView):
    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["functional", "hierarchical"])
        team = serializers.SlugRelatedField(
            slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
        )
        tier = serializers.SlugRelatedField(
            slug_field="level", queryset=Tier.objects.all(), required=False, allow_null=True
        )
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses=TicketSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        ticket = ticket_escalate(
            ticket=ticket,
            kind=d["kind"],
            actor=request.user,
            reason=d["reason"],
            team=d.get("team"),
            tier=d.get("tier"),
        )
        return _ticket_response(ticket)


class TicketResolveApi(APIView):
    """Agents resolve tickets they work; customers may mark their own ticket solved."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(request=InputSerializer, responses=TicketSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = ticket_resolve(
            ticket=ticket, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return _ticket_response(ticket)


class TicketCsatApi(APIView):
    class InputSerializer(serializers.Serializer):
        score = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: InputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        if ticket.customer_id != request.user.pk:
            raise PermissionDenied("Only the customer who opened the ticket can rate it.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        csat = csat_submit(
            ticket=ticket,
            customer=request.user,
            score=data.validated_data["score"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(
            {
                "ticket": ticket.pk,
                "score": csat.score,
                "comment": csat.comment,
                "created_at": csat.created_at,
            },
            status=201,
        )


class AgentDetailApi(APIView):
    """GET an agent; PATCH their status (the agent themselves, leads, admins and staff)."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=AgentStatus.choices)

    def _agent(self, username: str) -> Agent:
        return get_object_or_404(
            Agent.objects.select_related("user", "tier").prefetch_related("teams"), user__username=username
        )

    @extend_schema(responses=AgentSerializer)
    def get(self, request: Request, username: str) -> Response:
        return Response(AgentSerializer(self._agent(username)).data)

    @extend_schema(request=InputSerializer, responses=AgentSerializer)
    def patch(self, request: Request, username: str) -> Response:
        agent = self._agent(username)
        me = agent_of(request.user)
        allowed = is_staff_account(request.user) or (
            me is not None and (me.pk == agent.pk or me.sees_all_tickets)
        )
        if not allowed:
            raise PermissionDenied("You can only change your own status.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent_set_status(agent=agent, status=data.validated_data["status"], actor=request.user)
        return Response(AgentSerializer(self._agent(username)).data)
