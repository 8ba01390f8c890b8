"""Input fields shared by the API's request bodies."""

from __future__ import annotations

from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "nullable": True, "description": "A name; blank or null for none."})
class OptionalNameField(serializers.SlugRelatedField):
    """An object named by one of its fields; blank means none, in JSON as in form data (where DRF
    already reads a blank value of a nullable field as null)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            data = None
        return super().validate_empty_values(data)


def _json_types(field: serializers.Field) -> tuple[type, ...] | None:
    """The JSON types a field's value must have, as the schema documents them (None: not checked)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.FloatField):
        return (int, float)
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return (str,)
    return None


def _type_name(types: tuple[type, ...]) -> str:
    return {bool: "true or false", int: "a whole number", str: "a string"}.get(types[0], "a number")


class StrictInputSerializer(serializers.Serializer):
    """A request body whose JSON values have the types the schema says.

    DRF reads 5 as "5", "true" as true and 4.0 as 4, which a client reading the schema cannot know;
    in a JSON body a value of the wrong type is refused instead. Form data is all text, and is read
    as DRF reads it.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, QueryDict):  # JSON, not form data
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data or data[name] is None:
                    continue
                types = _json_types(field)
                value = data[name]
                wrong_bool = isinstance(value, bool) and bool not in types if types else False
                if types and (wrong_bool or not isinstance(value, types)):
                    errors[name] = [f"Must be {_type_name(types)}."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
