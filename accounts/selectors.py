"""Who a user is to the pages: the role and, for a customer contact, the organisation."""


def role_of(user) -> str | None:
    """The user's role (accounts.models.User.role), or None for an anonymous visitor."""
    return user.role if user.is_authenticated else None


def customer_id_of(user) -> int | None:
    contact = getattr(user, "contact", None) if user.is_authenticated else None
    return contact.customer_id if contact is not None else None
