"""REST API: one view per operation, each calling one service or selector."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.abuse.api import LimitReached
from helpdesk.abuse.quotas import ticket_quota_message, ticket_quota_wait
from helpdesk.api.fields import OptionalNameField, StrictInputSerializer
from helpdesk.api.parsers import StrictJSONParser
from helpdesk.api.permissions import IsStaffClient, is_staff_client
from helpdesk.api.schema import TICKET_LIST_SHAPES, TICKET_SHAPES, FieldErrorsSerializer
from helpdesk.api.serializers import (
    AgentSerializer,
    CustomerMessageSerializer,
    CustomerTicketSerializer,
    MacroSerializer,
    MessageSerializer,
    TicketSerializer,
)
from helpdesk.models import Agent, AgentStatus, Category, Channel, LinkKind, Priority, Status, Tag, Team, Tier
from helpdesk.permissions import agent_of, can_work_ticket, is_staff_account
from helpdesk.selectors import (
    QUEUE_RELATIONS,
    attachment_for,
    ticket_conversation,
    ticket_for,
    ticket_links,
    tickets_visible_to,
)
from helpdesk.services import (
    agent_set_status,
    csat_submit,
    customer_get_or_create,
    message_add,
    search,
    ticket_create,
    ticket_escalate,
    ticket_resolve,
)
from helpdesk.services.bulk import ACTIONS as BULK_ACTIONS
from helpdesk.services.bulk import MAX_BULK, tickets_bulk
from helpdesk.services.changes import ticket_update
from helpdesk.services.idempotency import (
    ERR_KEY_FORMAT,
    KeyReused,
    idempotency_key_valid,
    request_fingerprint,
    ticket_create_once,
)
from helpdesk.services.macros import macro_apply, macro_for, macro_render, macros_for
from helpdesk.services.merge import ticket_link, ticket_merge
from helpdesk.views.attachments import attachment_response

IDEMPOTENCY_HEADER = "Idempotency-Key"


def ticket_shape(user) -> type[TicketSerializer] | type[CustomerTicketSerializer]:
    """Staff and integrations see routing internals; a customer sees what the portal shows them."""
    return TicketSerializer if is_staff_client(user) else CustomerTicketSerializer


def message_shape(user) -> type[MessageSerializer] | type[CustomerMessageSerializer]:
    return MessageSerializer if is_staff_client(user) else CustomerMessageSerializer


def _ticket_response(ticket, user) -> Response:
    fresh = type(ticket).objects.select_related(*QUEUE_RELATIONS).get(pk=ticket.pk)
    return Response(ticket_shape(user).represent(fresh))


class TicketListCreateApi(ListAPIView):
    """GET: tickets the caller may see (filtered, paginated; `search` ranks by full-text relevance and
    adds each ticket's matching passage). POST: create a ticket."""

    serializer_class = TicketSerializer

    def get_serializer_class(self):
        return ticket_shape(self.request.user)

    class FilterSerializer(serializers.Serializer):
        # A blank filter is no filter, as an empty field in a search form.
        status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True)
        team = serializers.CharField(required=False, allow_blank=True, max_length=100)
        tier = serializers.IntegerField(required=False, min_value=1, max_value=1000)
        assignee = serializers.CharField(required=False, allow_blank=True, max_length=150)
        tag = serializers.CharField(required=False, allow_blank=True, max_length=50)
        search = serializers.CharField(required=False, allow_blank=True, max_length=search.MAX_QUERY_LENGTH)

    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "TicketCreate"

        subject = serializers.CharField(max_length=settings.TICKET_SUBJECT_MAX)
        body = serializers.CharField(max_length=settings.TICKET_BODY_MAX)
        customer_email = serializers.EmailField(
            required=False,
            max_length=254,
            help_text=(
                "Required for staff and integration accounts: the customer the ticket is for (created "
                "if unknown). Optional for customers, who create tickets for themselves only: leave it "
                "out or give your own address."
            ),
        )
        customer_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
        organization = serializers.CharField(required=False, allow_blank=True, max_length=200)
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
        category = OptionalNameField(slug_field="name", queryset=Category.objects.all())
        language = serializers.RegexField(
            r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$",
            required=False,
            allow_blank=True,
            max_length=16,
            help_text="ISO 639-1 code the customer wants answers in; empty: from their profile and text.",
        )

        def __init__(self, *args, for_staff: bool = False, **kwargs):
            super().__init__(*args, **kwargs)
            # Staff and integrations create tickets for someone; customers for themselves.
            self.fields["customer_email"].required = for_staff

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        tickets = (
            tickets_visible_to(self.request.user).select_related(*QUEUE_RELATIONS).prefetch_related("tags")
        )
        if f.get("status"):
            tickets = tickets.filter(status=f["status"])
        if f.get("priority"):
            tickets = tickets.filter(priority=f["priority"])
        if f.get("team"):
            tickets = tickets.filter(team__name__iexact=f["team"])
        if "tier" in f:
            tickets = tickets.filter(tier__level=f["tier"])
        if f.get("assignee"):
            tickets = tickets.filter(assignee__user__username=f["assignee"])
        if f.get("tag"):
            tickets = tickets.filter(tags__name=f["tag"].strip().lower())
        self.search_terms = search.search_terms(f.get("search"))
        if self.search_terms is not None:
            tickets = search.tickets_search(
                tickets, terms=self.search_terms, include_internal=is_staff_client(self.request.user)
            )
            return tickets.order_by("-search_rank", "-created_at", "-pk")
        return tickets.order_by("-created_at", "-pk")

    @extend_schema(parameters=[FilterSerializer], responses=TICKET_LIST_SHAPES)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        terms = getattr(self, "search_terms", None)
        page = getattr(getattr(self, "paginator", None), "page", None)
        if terms is not None and page is not None:
            tickets = list(page.object_list)
            snippets = search.search_snippets(
                tickets, terms=terms, include_internal=is_staff_client(request.user)
            )
            ranks = {t.pk: t.search_rank for t in tickets}
            for row in response.data["results"]:
                row["search"] = {
                    "rank": ranks.get(row["id"]) or 0.0,
                    "snippet": snippets.get(row["id"], ""),
                }
        return response

    @extend_schema(
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                pattern=r"^[!-~]{1,255}$",
                description=(
                    "Makes retries safe: the same key from the same account within 24 hours returns the "
                    "ticket the first request made (200, header Idempotent-Replayed: true) instead of a "
                    "new one; the same key with a different body is refused with 422."
                ),
            )
        ],
        responses={
            201: TICKET_SHAPES,
            200: OpenApiResponse(TICKET_SHAPES, description="A retry: the ticket the key already made."),
            422: OpenApiResponse(FieldErrorsSerializer, description="The key was used for another body."),
        },
    )
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
            wait = ticket_quota_wait(customer=customer)
            if wait:
                raise LimitReached(wait=wait, detail=ticket_quota_message(wait))

        def create():
            return ticket_create(
                customer=customer,
                subject=d["subject"],
                body=d["body"],
                channel=d["channel"],
                category=d.get("category"),
                language=d.get("language") or None,
                actor=request.user,
            )

        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            ticket = create()
        else:
            if not idempotency_key_valid(key):
                raise serializers.ValidationError({IDEMPOTENCY_HEADER: [ERR_KEY_FORMAT]})
            try:
                ticket, created = ticket_create_once(
                    user=request.user, key=key, fingerprint=request_fingerprint(request.data), create=create
                )
            except KeyReused as exc:
                return Response({IDEMPOTENCY_HEADER: [str(exc)]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
            if not created:  # a retry: the ticket the first request made, as it is now
                response = _ticket_response(ticket, request.user)
                response["Idempotent-Replayed"] = "true"
                return response
        # The instance is exactly what was saved, its relations already in memory: no re-read.
        ticket._prefetched_objects_cache = {"tags": Tag.objects.none()}  # a new ticket has no tags yet
        return Response(ticket_shape(request.user).represent(ticket), status=status.HTTP_201_CREATED)


def _current(user, pk: int):
    """The ticket, or the ticket it was merged into (a merged number keeps answering with its target)."""
    ticket = ticket_for(user, pk)
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = ticket_for(user, ticket.merged_into_id)
    return ticket


class TicketDetailApi(APIView):
    """GET a ticket (a merged ticket's number answers with the ticket it was merged into).
    PATCH its status, priority, assignee (a username, or null) and tags (a list of names)."""

    class PatchSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        assignee = serializers.CharField(required=False, allow_null=True, max_length=150)
        tags = serializers.ListField(
            child=serializers.CharField(max_length=100, allow_blank=True), required=False, max_length=50
        )
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(responses=TICKET_SHAPES)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ticket_shape(request.user).represent(_current(request.user, pk)))

    @extend_schema(request=PatchSerializer, responses=TicketSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        if not can_work_ticket(request.user, ticket):
            raise PermissionDenied("Only support staff can change a ticket.")
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if not set(d) - {"reason"}:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send at least one of: status, priority, assignee, tags."]}
            )
        changes = {name: d[name] for name in ("status", "priority", "assignee", "tags") if name in d}
        ticket = ticket_update(ticket=ticket, actor=request.user, reason=d.get("reason", ""), **changes)
        return _ticket_response(ticket, request.user)


class TicketBulkApi(APIView):
    """POST {ids, action, value}: one action on many tickets; each ticket's own outcome comes back.

    action: assign (value: a username, "me", or null), status, priority, tags (a list, added),
    escalate (value: {"reason", "kind"?} or the reason), merge (value: the ticket they join)."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TicketBulk"

        ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=MAX_BULK)
        action = serializers.ChoiceField(choices=BULK_ACTIONS)
        value = serializers.JSONField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        results = tickets_bulk(actor=request.user, ids=d["ids"], action=d["action"], value=d.get("value"))
        rows = [r.as_dict() for r in results]
        return Response(
            {
                "action": d["action"],
                "succeeded": sum(r.ok for r in results),
                "failed": sum(not r.ok for r in results),
                "results": rows,
            }
        )


class TicketMergeApi(APIView):
    """POST {into}: merge this ticket into another of the same customer; answers with the target."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TicketMerge"

        into = serializers.IntegerField(min_value=1)

    @extend_schema(request=InputSerializer, responses=TicketSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            target = ticket_for(request.user, data.validated_data["into"])
        except Http404:
            raise serializers.ValidationError(
                {"into": ["No such ticket (or not one you can see)."]}
            ) from None
        return _ticket_response(ticket_merge(source=ticket, target=target, actor=request.user), request.user)


class TicketLinksApi(APIView):
    """GET the ticket's links; POST {target, kind: related|duplicate|caused_by} to add one."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TicketLinkCreate"

        target = serializers.IntegerField(min_value=1)
        kind = serializers.ChoiceField(choices=LinkKind.choices)

    @extend_schema(
        responses={
            200: OpenApiResponse(
                serializers.ListSerializer(child=serializers.DictField()),
                description="The links: {id, kind, label, ticket, subject}.",
            )
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        return Response(ticket_links(ticket))

    @extend_schema(
        request=InputSerializer, responses={201: serializers.ListSerializer(child=serializers.DictField())}
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            target = ticket_for(request.user, data.validated_data["target"])
        except Http404:
            raise serializers.ValidationError(
                {"target": ["No such ticket (or not one you can see)."]}
            ) from None
        ticket_link(source=ticket, target=target, kind=data.validated_data["kind"], actor=request.user)
        return Response(ticket_links(ticket), status=status.HTTP_201_CREATED)


class MacroListApi(APIView):
    """GET the macros the caller may use (shared for their teams, and their own)."""

    permission_classes = [IsStaffClient]

    @extend_schema(responses=MacroSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(MacroSerializer(macros_for(request.user), many=True).data)


class TicketApplyMacroApi(APIView):
    """POST {macro: id or name, body?}: send the macro's reply (or note) with its placeholders filled,
    and make its changes (status, priority, tags, escalation). `preview: true` only renders the text."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MacroApply"

        macro = serializers.CharField(max_length=100)
        body = serializers.CharField(required=False, allow_blank=True, max_length=settings.TICKET_BODY_MAX)
        preview = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        if not can_work_ticket(request.user, ticket):
            raise PermissionDenied("Only support staff can apply macros.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        macro = macro_for(request.user, d["macro"])
        if d["preview"]:
            return Response(
                {"macro": macro.pk, "body": macro_render(macro, ticket=ticket, agent_user=request.user)}
            )
        result = macro_apply(ticket=ticket, macro=macro, actor=request.user, body=d.get("body"))
        fresh = type(result.ticket).objects.select_related(*QUEUE_RELATIONS).get(pk=result.ticket.pk)
        return Response(
            {
                "macro": macro.pk,
                "ticket": TicketSerializer.represent(fresh),
                "message": MessageSerializer(result.message, context={"request": request}).data
                if result.message
                else None,
            },
            status=status.HTTP_201_CREATED if result.message else status.HTTP_200_OK,
        )


class TicketMessagesApi(APIView):
    """GET: the conversation (customers see public messages only). POST: reply or internal note."""

    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MessageCreate"

        body = serializers.CharField(max_length=settings.TICKET_BODY_MAX, allow_blank=True, default="")
        internal = serializers.BooleanField(default=False)
        status = serializers.ChoiceField(
            choices=Status.choices, required=False, help_text="Set the ticket's status with the reply."
        )
        attachments = serializers.ListField(
            child=serializers.FileField(allow_empty_file=True), required=False, default=list
        )

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        messages = ticket_conversation(ticket, include_internal=can_work_ticket(request.user, ticket))
        return Response(message_shape(request.user)(messages, many=True, context={"request": request}).data)

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
            then_status=data.validated_data.get("status"),
            attachments=data.validated_data["attachments"],
        )
        return Response(
            message_shape(request.user)(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AttachmentDownloadApi(APIView):
    """GET: the file, for people who may see its message (token or session)."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int):
        return attachment_response(attachment_for(request.user, pk))


class TicketEscalateApi(APIView):
    permission_classes = [IsStaffClient]

    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "TicketEscalate"

        kind = serializers.ChoiceField(choices=["functional", "hierarchical"])
        team = OptionalNameField(slug_field="name", queryset=Team.objects.all())
        tier = OptionalNameField(
            slug_field="level", queryset=Tier.objects.all(), help_text="A tier level (1, 2, 3 …)."
        )
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: TicketSerializer})
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
        return _ticket_response(ticket, request.user)


class TicketResolveApi(APIView):
    """Agents resolve tickets they work; customers may mark their own ticket solved."""

    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "TicketResolve"

        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: TICKET_SHAPES})
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_for(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = ticket_resolve(
            ticket=ticket, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return _ticket_response(ticket, request.user)


class CsatSerializer(serializers.Serializer):
    ticket = serializers.IntegerField()
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Csat"


class TicketCsatApi(APIView):
    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "CsatCreate"

        score = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: CsatSerializer})
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

    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "AgentStatusUpdate"

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
