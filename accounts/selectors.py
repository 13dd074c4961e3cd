"""Who a user is to the pages: the role and, for a customer contact, the organisation."""


def role_of(user) -> str | None:
    """The user's role (accounts.models.User.role), or None for an anonymous visitor."""
    return user.role if user.is_authenticated else None


def customer_id_of(user) -> int | None:
    contact = getattr(user, "contact", None) if user.is_authenticated else None
    return contact.customer_id if contact is not None else None


def has_any_role(user, *roles) -> bool:
    """An active, logged-in user holding one of these roles; a superuser holds them all."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(user.has_role(role) for role in roles)
