"""The reference endpoint: the same request body and auth as ticket creation, one validated insert."""

from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.bareapp.models import BareRow


class BareCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=20_000)
        customer_email = serializers.EmailField()

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = BareRow.objects.create(**data.validated_data)
        return Response({"id": row.pk, **data.validated_data}, status=status.HTTP_201_CREATED)
