"""Pages whose cost does not grow with the history: counted up to a limit.

Django's paginator counts every matching row, a million at a million tickets, on every
request. `BoundedCountPaginator` counts at most `COUNT_LIMIT` (+ 1): up to it `count` is
exact; beyond it `count_exceeds_limit` is true, `count` is the limit, and a page knows
whether another follows from one row read beyond it, so paging goes on past the limit. The
REST ticket list (tickets/api/pagination.py) and the hotline queue use it.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

COUNT_LIMIT = 10_000


def count_up_to(queryset, limit: int) -> int:
    """How many rows match, counted up to `limit` + 1: COUNT over a LIMITed subquery,
    unordered, so at most that many rows are read however many match."""
    return queryset.order_by()[: limit + 1].count()


class BoundedCountPaginator(Paginator):
    @property
    def limit(self) -> int:
        return COUNT_LIMIT

    @cached_property
    def count_exceeds_limit(self) -> bool:
        return self._counted > self.limit

    @cached_property
    def _counted(self) -> int:
        return count_up_to(self.object_list, self.limit)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def count_text(self) -> str:
        """The count as a page shows it: "10000+" beyond the limit."""
        return f"{self.limit}+" if self.count_exceeds_limit else str(self.count)

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
