"""API for account facts and health (staff and integration tokens; customers get 403).

GET /api/organizations/ (?at_risk=true), PATCH /api/organizations/{id}/, POST .../usage/ (one record or a
list), POST .../outcomes/, GET .../health/.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from escalation.accounts.services import (
    account_health_refresh,
    account_manager_check,
    organization_update,
    outcome_record,
    usage_record,
)
from escalation.models.accounts import AccountHealth, OutcomeKind, UsageMeasure
from helpdesk.api.permissions import IsStaffClient
from helpdesk.models import Organization, Segment

MAX_USAGE_RECORDS = 1000


class OrganizationSerializer(serializers.ModelSerializer):
    contract_value = serializers.DecimalField(source="annual_contract_value", max_digits=12, decimal_places=2)
    account_manager = serializers.CharField(source="account_manager.username", allow_null=True, default=None)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "segment",
            "contract_value",
            "renewal_date",
            "account_manager",
            "crm_id",
            "churn_risk",
            "is_vip",
            "health_score",
            "at_risk",
            "health_computed_at",
            "usage_trends",
        ]
        read_only_fields = fields


def query_flag(request: Request, name: str) -> bool | None:
    """A true/false query parameter: None when absent, a 400 naming it when it is anything else."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return serializers.BooleanField().to_internal_value(raw)
    except serializers.ValidationError:
        raise serializers.ValidationError({name: ["Must be true or false."]}) from None


def _organization(pk: int) -> Organization:
    return get_object_or_404(Organization.objects.select_related("account_manager"), pk=pk)


@extend_schema(
    parameters=[OpenApiParameter("at_risk", OpenApiTypes.BOOL, description="Only accounts at risk (or not).")]
)
class OrganizationListApi(ListAPIView):
    """Organizations by name, with their account facts and latest health."""

    permission_classes = [IsStaffClient]
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        at_risk = query_flag(self.request, "at_risk")
        organizations = Organization.objects.select_related("account_manager").order_by("name", "pk")
        if at_risk is not None:
            organizations = organizations.filter(at_risk=at_risk)
        return organizations


class OrganizationDetailApi(APIView):
    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        segment = serializers.ChoiceField(choices=Segment.choices, required=False)
        contract_value = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, required=False
        )
        renewal_date = serializers.DateField(required=False, allow_null=True)
        account_manager = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=150
        )
        crm_id = serializers.CharField(required=False, allow_blank=True, max_length=100)

        def validate_account_manager(self, value):
            return account_manager_check(value) if value else None

    @extend_schema(responses=OrganizationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrganizationSerializer(_organization(pk)).data)

    @extend_schema(request=InputSerializer, responses=OrganizationSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        organization = _organization(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization_update(organization=organization, changes=dict(data.validated_data))
        return Response(OrganizationSerializer(_organization(pk)).data)


class UsageRecordSerializer(serializers.Serializer):
    date = serializers.DateField()
    measure = serializers.ChoiceField(choices=UsageMeasure.choices)
    value = serializers.FloatField(min_value=0, max_value=1e15)


class UsageWrittenSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Records new for their (date, measure).")
    updated = serializers.IntegerField(help_text="Records that replaced an earlier value.")
    usage_trends = serializers.JSONField(help_text="The account's usage trends after this write.")


class OutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    note = serializers.CharField(allow_blank=True)


class OrganizationUsageApi(APIView):
    """POST one {date, measure, value} or a list of them; the same (date, measure) again replaces the value."""

    permission_classes = [IsStaffClient]

    serializer_class = UsageRecordSerializer

    @extend_schema(
        request=UsageRecordSerializer(many=True),
        responses={
            200: OpenApiResponse(
                UsageWrittenSerializer, description="Every record replaced an earlier value."
            ),
            201: OpenApiResponse(UsageWrittenSerializer, description="At least one record was new."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = _organization(pk)
        many = isinstance(request.data, list)
        if many and not 1 <= len(request.data) <= MAX_USAGE_RECORDS:
            raise serializers.ValidationError(
                {"non_field_errors": [f"Send between 1 and {MAX_USAGE_RECORDS} records at a time."]}
            )
        data = UsageRecordSerializer(data=request.data, many=many)
        if not data.is_valid():
            errors = data.errors
            if many:  # {"records[2].value": [...]}: which record, which field
                rows = errors.items() if isinstance(errors, dict) else enumerate(errors)
                errors = {
                    f"records[{i}].{field}": messages
                    for i, row in rows
                    if isinstance(row, dict)
                    for field, messages in row.items()
                } or {"non_field_errors": ["Send a list of {date, measure, value} records."]}
            raise serializers.ValidationError(errors)
        records = data.validated_data if many else [data.validated_data]
        written = usage_record(organization=organization, records=records)
        organization.refresh_from_db(fields=["usage_trends"])
        return Response(
            {
                "created": written.created,
                "updated": written.updated,
                "usage_trends": organization.usage_trends,
            },
            status=201 if written.created else 200,
        )


class OrganizationOutcomeApi(APIView):
    """POST {kind: renewed|expanded|contracted|churned, date, amount?, note?}; GET the recorded outcomes."""

    permission_classes = [IsStaffClient]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=OutcomeKind.choices)
        date = serializers.DateField()
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
        )
        note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    serializer_class = OutcomeSerializer

    @extend_schema(responses=OutcomeSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        organization = _organization(pk)
        return Response(OutcomeSerializer(organization.outcomes.order_by("-date", "-id"), many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OpenApiResponse(OutcomeSerializer, description="The same outcome was already recorded."),
            201: OpenApiResponse(OutcomeSerializer, description="Recorded."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = _organization(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome, created = outcome_record(organization=organization, **data.validated_data)
        # The amount as a decimal string, as everywhere in the API.
        return Response(OutcomeSerializer(outcome).data, status=201 if created else 200)


class HealthSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountHealth
        fields = ["score", "at_risk", "threshold", "factors", "reasons", "computed_at"]
        read_only_fields = fields


class OrganizationHealthApi(APIView):
    """The account's latest health (computed now when it never was), with every factor explained;
    `?history=true` adds the earlier computations."""

    permission_classes = [IsStaffClient]

    @extend_schema(
        responses=HealthSerializer,
        parameters=[
            OpenApiParameter("history", OpenApiTypes.BOOL, description="Add the earlier computations.")
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        organization = _organization(pk)
        latest = organization.health_history.order_by("-computed_at", "-id").first()
        if latest is None:
            latest = account_health_refresh(organization_id=organization.pk, trigger="manual")
        body = HealthSerializer(latest).data
        if query_flag(request, "history"):
            earlier = organization.health_history.order_by("-computed_at", "-id")[:50]
            body["history"] = [
                {"score": h.score, "at_risk": h.at_risk, "reasons": h.reasons, "computed_at": h.computed_at}
                for h in earlier
            ]
        return Response(body)
