"""What the OpenAPI schema says beyond the views: error bodies, and the two audiences of a ticket.

Every operation documents the errors it can answer (400 with field messages, 401, 403, 404, 413, 415,
429, 503 with a detail), so a client can rely on the schema alone. Tickets and messages have two shapes:
the full one for staff and integration accounts, and the customer's (what the portal shows them).
A message has the same fields for both; only its `author` is told the way the portal tells it.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers

from helpdesk.api.serializers import CustomerTicketSerializer, TicketSerializer


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")

    class Meta:
        ref_name = "Error"


class FieldErrorsSerializer(serializers.Serializer):
    """`{field: [messages]}`; `non_field_errors` for what concerns the request as a whole."""

    class Meta:
        ref_name = "FieldErrors"


class FieldErrorsExtension(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": FieldErrorsSerializer.__doc__,
            # A list field's or a nested object's messages are keyed by item or sub-field.
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object"},
                ]
            },
            "example": {"subject": ["This field is required."]},
        }


ERRORS = {
    400: OpenApiResponse(FieldErrorsSerializer, description="Invalid input: messages per field."),
    401: OpenApiResponse(ErrorSerializer, description="No or invalid credentials."),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not allowed to do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or not yours to see."),
    413: OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    415: OpenApiResponse(
        ErrorSerializer, description="The body's Content-Type is not one this operation reads."
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After."),
    503: OpenApiResponse(ErrorSerializer, description="The database is briefly unreachable; retry."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


TICKET_SHAPES = PolymorphicProxySerializer(
    component_name="TicketForAudience",
    serializers=[TicketSerializer, CustomerTicketSerializer],
    resource_type_field_name=None,
    help_text="The full ticket for staff and integration accounts; a customer gets CustomerTicket.",
)
TICKET_LIST_SHAPES = PolymorphicProxySerializer(
    component_name="TicketForAudience",
    serializers=[TicketSerializer, CustomerTicketSerializer],
    resource_type_field_name=None,
    many=True,
)
# A staff ticket holds every field of a customer's, so either shape may match: anyOf, not oneOf.
AUDIENCE_COMPONENTS = ("TicketForAudience",)


class HelpdeskAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers every operation can give.

    `_get_response_bodies` is drf-spectacular's own step from response serializers to responses; it is
    the one place that sees both the defaults and `@extend_schema(responses=...)` overrides.
    tests/helpdesk/test_api_schema.py fails if it stops being called.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [401, 403, 429, 503]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [400, 413, 415]
        elif self.get_override_parameters():  # query parameters that are validated
            codes.append(400)
        if "{" in self.path or self._is_list_view():  # no such object, or no such page
            codes.append(404)
        for code in sorted(set(codes)):
            if "content" not in responses.get(str(code), {}):  # absent, or documented without a body
                described = responses.get(str(code), {}).get("description")
                responses[str(code)] = self._get_response_for_code(
                    ERRORS[code], str(code), direction=direction
                )
                if described:
                    responses[str(code)]["description"] = described
        return responses


def close_customer_shapes(result, generator, request, public):
    """Postprocessing hook: a ticket is one of the two audiences' shapes (anyOf: the staff shape holds
    every field of the customer's, so both may match)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in AUDIENCE_COMPONENTS:
        component = schemas.get(name)
        if component is not None and "oneOf" in component:
            component["anyOf"] = component.pop("oneOf")
    return result
