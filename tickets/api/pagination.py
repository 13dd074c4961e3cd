"""Pages of the ticket list whose cost does not grow with the history.

The list keeps DRF's page-number shape (`count`, `next`, `previous`, `results`, `?page=`),
but counts at most `COUNT_LIMIT` tickets: an exact COUNT(*) reads every matching ticket, a
million at a million tickets, on every request. Up to the limit `count` is exact; beyond it
`count` is the limit and `count_limited` is true; `next` then says whether another page
follows (one row read beyond the page), so a client pages on past the limit as before.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from rest_framework.pagination import PageNumberPagination

COUNT_LIMIT = 10_000


class BoundedCountPaginator(Paginator):
    @cached_property
    def count_exceeds_limit(self) -> bool:
        return self.count > COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery, unordered: at most COUNT_LIMIT + 1 rows read.
        return self.object_list.order_by()[: COUNT_LIMIT + 1].count()

    def validate_number(self, number):
        if not self.count_exceeds_limit:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number) -> Page:
        if not self.count_exceeds_limit:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return _OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class _OpenEndedPage(Page):
    """A page past the counted limit: whether another follows is known from one extra row."""

    def __init__(self, object_list, number, paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self._more = more

    def has_next(self) -> bool:
        return self._more


class TicketPagination(PageNumberPagination):
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        limited = self.page.paginator.count_exceeds_limit
        if limited:
            response.data["count"] = COUNT_LIMIT
        response.data["count_limited"] = limited
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Tickets matching, counted up to {COUNT_LIMIT:,}: exact when `count_limited` is "
            f"false; {COUNT_LIMIT:,} when more match (follow `next` to the end)."
        )
        schema["properties"]["count_limited"] = {
            "type": "boolean",
            "description": f"More than {COUNT_LIMIT:,} tickets match; `count` is the limit.",
        }
        schema["required"] = [*schema.get("required", []), "count_limited"]
        return schema
