"""Reads on customers and contracts that need real query logic."""

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from accounts.roles import STAFF_ROLES, Role
from accounts.selectors import customer_id_of, role_of
from contracts.models import Contact, Contract, CoveredItem, ServiceTerms
from core.phones import normalize_phone

# A caller may give only the last digits of a number; fewer than this many
# digits would match far too many people.
MIN_PHONE_SUFFIX = 7


def contacts_by_phone(*, phone: str) -> QuerySet[Contact]:
    """Contacts whose number is the one given, written in any common format.

    A full number matches exactly; seven or more trailing digits (a landline
    without its area code) match as a suffix.
    """
    digits = normalize_phone(phone)
    if len(digits) < MIN_PHONE_SUFFIX:
        return Contact.objects.none()
    return (
        Contact.objects.filter(Q(phone_normalized=digits) | Q(phone_normalized__endswith=digits))
        .select_related("customer")
        .order_by("customer__name", "name")
    )


def contracts_search(
    *, query: str, queryset: QuerySet[Contract] | None = None
) -> QuerySet[Contract]:
    """Contracts found by number, customer name, contact phone or covered item serial."""
    queryset = Contract.objects.all() if queryset is None else queryset
    # PostgreSQL refuses NUL characters in text; nobody searches for them.
    query = query.replace("\x00", "").strip()
    if not query:
        return queryset
    condition = (
        Q(number__icontains=query)
        | Q(title__icontains=query)
        | Q(customer__name__icontains=query)
        | Q(customer__short_name__icontains=query)
    )
    digits = normalize_phone(query)
    if len(digits) >= MIN_PHONE_SUFFIX:
        condition |= Q(customer__contacts__phone_normalized__endswith=digits)
    condition |= Q(covered_items__serial_number__iexact=query)
    ids = queryset.filter(condition).values("pk")
    return queryset.filter(pk__in=ids)


def contracts_with_terms(queryset: QuerySet[Contract] | None = None) -> QuerySet[Contract]:
    """Contracts with everything needed to show phase and terms, in a fixed number of queries."""
    queryset = Contract.objects.all() if queryset is None else queryset
    return queryset.select_related("customer", "branch", "service_manager").prefetch_related(
        Prefetch(
            "terms",
            queryset=ServiceTerms.objects.select_related(
                "response_calendar", "onsite_calendar", "resolution_calendar"
            ),
        ),
        "sites",
        Prefetch("covered_items", queryset=CoveredItem.objects.select_related("site")),
    )


def contracts_covering(
    *, customer, site=None, item=None, moment, contracts: list[Contract] | None = None
) -> list[Contract]:
    """Contracts of the customer in force at `moment` whose scope includes the site and item.

    A contract that lists no sites (or no items) covers all of the customer's. `contracts`:
    the customer's contracts as `contracts_with_terms` reads them, if already at hand.
    """
    from contracts.phases import SERVICE_PHASES

    if contracts is None:
        contracts = list(contracts_with_terms(Contract.objects.filter(customer=customer)))
    found = []
    for contract in contracts:
        if contract.phase_at(moment) not in SERVICE_PHASES:
            continue
        sites = list(contract.sites.all())
        if site is not None and sites and site not in sites:
            continue
        items = list(contract.covered_items.all())
        if item is not None and items and item not in items:
            continue
        found.append(contract)
    return found


def contracts_visible_to(user, queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    """The vendor's staff see every contract; a customer contact their organisation's."""
    role = role_of(user)
    if role in STAFF_ROLES:
        return queryset
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(customer_id=customer_id_of(user))
    return queryset.none()


def customers_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The vendor's staff see every customer; a customer contact only their own."""
    role = role_of(user)
    if role in STAFF_ROLES:
        return queryset
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(pk=customer_id_of(user))
    return queryset.none()


def items_visible_to(user) -> QuerySet[CoveredItem]:
    """The vendor's staff see every covered item; a customer contact their organisation's."""
    return contracts_visible_to(user, CoveredItem.objects.select_related("customer", "site"))


def contacts_to_tell(customer_ids: Iterable[int]) -> tuple[list, list[str]]:
    """How the customers' contacts are reached: the users of those who log in (the portal
    and their e-mail), and the addresses of those who do not (e-mail alone)."""
    contacts = Contact.objects.filter(customer_id__in=list(customer_ids)).select_related("user")
    users, addresses = [], []
    for contact in contacts:
        if contact.user_id:
            users.append(contact.user)
        elif contact.email:
            addresses.append(contact.email)
    return users, addresses


def contacts_by_address(address: str) -> list[Contact]:
    """The contacts an e-mail address is: their own address, or their login's."""
    address = (address or "").strip()
    if not address:
        return []
    return list(
        Contact.objects.filter(Q(email__iexact=address) | Q(user__email__iexact=address))
        .select_related("customer", "user")
        .order_by("pk")
    )
