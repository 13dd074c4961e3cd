from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from contracts.api.serializers import ContractSerializer
from contracts.selectors import contracts_search, contracts_visible_to, contracts_with_terms


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Contract number, customer name, phone or serial"
            )
        ]
    ),
    retrieve=extend_schema(responses={200: ContractSerializer}),
)
class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Contracts with their phase and the terms in force; customers see only their own."""

    serializer_class = ContractSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = contracts_visible_to(self.request.user, contracts_with_terms())
        query = self.request.query_params.get("search", "")
        if query:
            queryset = contracts_search(query=query, queryset=queryset)
        return queryset.order_by("number")
