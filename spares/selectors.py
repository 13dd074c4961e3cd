"""Reading the spares: the stock a person may see, the shelves a part for a ticket may come
from, the parts running low, and what went into a covered item."""

from django.db.models import F, Max, Q, QuerySet, Sum

from spares import permissions as may
from spares.models import PartUse, StockItem, Substitute


def stock_visible(user, *, branch_id: int | None = None, query: str = "") -> QuerySet[StockItem]:
    """The stock of every branch to the staff who may see it (a part is fetched from a
    neighbouring branch when its own has none); nothing to anyone else."""
    if not may.see_stock(user):
        return StockItem.objects.none()
    stock = StockItem.objects.select_related("branch")
    if branch_id is not None:
        stock = stock.filter(branch_id=branch_id)
    query = query.strip()
    if query:
        stock = stock.filter(
            Q(name__icontains=query)
            | Q(model__icontains=query)
            | Q(serial_number__icontains=query)
            | Q(location__icontains=query)
        )
    return stock


def stock_for_ticket(ticket, user) -> QuerySet[StockItem]:
    """Parts on the shelves this ticket's parts may come from, in stock."""
    return StockItem.objects.select_related("branch").filter(
        branch_id__in=may.stock_branches_for(ticket, user), quantity__gt=0
    )


def low_stock_keys(stock: QuerySet[StockItem]) -> set[tuple[int, str, str]]:
    """(branch, part, model) of the parts at or below their alert level, of these rows'
    parts; the level is the highest set on any shelf of the part."""
    groups = (
        StockItem.objects.filter(
            branch_id__in=stock.values("branch_id"), name__in=stock.values("name")
        )
        .order_by()
        .values("branch_id", "name", "model")
        .annotate(quantity=Sum("quantity"), level=Max("reorder_level"))
        .filter(level__gt=0, quantity__lte=F("level"))
    )
    return {(row["branch_id"], row["name"], row["model"]) for row in groups}


def ticket_parts(ticket) -> QuerySet[PartUse]:
    return ticket.parts.select_related("stock_item", "stock_item__branch", "taken_by", "settled_by")


def ticket_substitutes(ticket) -> QuerySet[Substitute]:
    return ticket.substitutes.select_related("installed_by", "returned_by")


def replaced_parts(item) -> QuerySet[PartUse]:
    """The covered item's record of replaced parts: the parts used on it, latest first."""
    return (
        PartUse.objects.filter(covered_item=item, state=PartUse.State.USED)
        .select_related("stock_item", "ticket")
        .order_by("-settled_at", "-pk")
    )
