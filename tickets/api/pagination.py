"""Pages of the ticket list whose cost does not grow with the history.

The list keeps DRF's page-number shape (`count`, `next`, `previous`, `results`, `?page=`),
but counts at most `core.paging.COUNT_LIMIT` tickets (`BoundedCountPaginator`): up to the
limit `count` is exact; beyond it `count` is the limit and `count_limited` is true; `next`
then says whether another page follows, so a client pages on past the limit as before.
"""

from rest_framework.pagination import PageNumberPagination

from core import paging


class TicketPagination(PageNumberPagination):
    django_paginator_class = paging.BoundedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_limited"] = self.page.paginator.count_exceeds_limit
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        schema = super().get_paginated_response_schema(schema)
        limit = paging.COUNT_LIMIT
        schema["properties"]["count"]["description"] = (
            f"Tickets matching, counted up to {limit:,}: exact when `count_limited` is "
            f"false; {limit:,} when more match (follow `next` to the end)."
        )
        schema["properties"]["count_limited"] = {
            "type": "boolean",
            "description": f"More than {limit:,} tickets match; `count` is the limit.",
        }
        schema["required"] = [*schema.get("required", []), "count_limited"]
        return schema
