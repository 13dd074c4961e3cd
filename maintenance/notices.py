"""Bug and upgrade notices about important software (seed 004, 7.1.4 and 7.3.1.5): published
to the customers whose covered items run the software in an affected version, shown in
their portal, each contact's reading recorded."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.selectors import customer_id_of
from contracts.models import CoveredItem
from contracts.selectors import contacts_to_tell
from core.errors import TransitionForbidden
from core.inputs import clean_text
from core.translatable import Message
from maintenance import permissions as may
from maintenance.models import NoticeReceipt, SoftwareNotice
from maintenance.upgrades import current_version
from tickets.notify import Notice, notify_all


def affected_versions(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


def affected_items(product: str, versions: set[str]) -> list[CoveredItem]:
    """Software installations of that name running an affected version (any, if none given);
    names and versions compared whatever their case."""
    wanted = {version.casefold() for version in versions}
    items = CoveredItem.objects.filter(name__iexact=product.strip(), kind=CoveredItem.Kind.SOFTWARE)
    return [item for item in items if not wanted or current_version(item).casefold() in wanted]


@transaction.atomic
def notice_publish(*, user: User, kind, product, versions="", title, body, now=None):
    """Publish a notice; each affected customer's contacts who log in are told once."""
    if not may.publish_notices(user):
        raise TransitionForbidden(_("You may not publish software notices."))
    errors, values = {}, {}
    for field, value, length, required in (
        ("product", product, 200, True),
        ("versions", versions, 500, False),
        ("title", title, 200, True),
        ("body", body, 10000, True),
    ):
        try:
            values[field] = clean_text(value, field=field, max_length=length).strip()
            if required and not values[field]:
                errors[field] = [_("This field is required.")]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if kind not in SoftwareNotice.Kind.values:
        errors["kind"] = [_("Choose a bug notice or an upgrade notice.")]
    if errors:
        raise ValidationError(errors)
    items = affected_items(values["product"], affected_versions(values["versions"]))
    if not items:
        raise ValidationError({"product": _("No covered item runs this software and version.")})
    notice = SoftwareNotice.objects.create(
        kind=kind, published_at=now or timezone.now(), published_by=user, **values
    )
    customer_ids = {item.customer_id for item in items}
    notice.customers.set(customer_ids)
    users, addresses = contacts_to_tell(customer_ids)
    message = Message(
        gettext_lazy("Software notice: %(title)s"),
        gettext_lazy("%(product)s %(versions)s\n%(body)s"),
        {
            "title": notice.title,
            "product": notice.product,
            "versions": notice.versions,
            "body": notice.body,
        },
    )
    # Contacts who log in read it in the portal too; the others get the e-mail alone.
    notify_all([Notice(users, message, key=f"software-notice:{notice.pk}", addresses=addresses)])
    return notice


def notices_visible_to(user) -> QuerySet[SoftwareNotice]:
    """Staff see every notice; a customer's contacts those published to their organisation."""
    notices = SoftwareNotice.objects.all()
    if may.see_all_windows(user):
        return notices
    customer_id = customer_id_of(user) if user.is_authenticated else None
    if customer_id is None:
        return notices.none()
    return notices.filter(customers__id=customer_id)


def notice_read(*, notice: SoftwareNotice, user: User, now=None) -> NoticeReceipt | None:
    """A customer's contact opened the notice: recorded once (staff reading is not a receipt)."""
    if (
        customer_id_of(user) is None
        or not notice.customers.filter(pk=customer_id_of(user)).exists()
    ):
        return None
    try:
        with transaction.atomic():
            receipt, _created = NoticeReceipt.objects.get_or_create(
                notice=notice, user=user, defaults={"read_at": now or timezone.now()}
            )
    except IntegrityError:
        receipt = NoticeReceipt.objects.get(notice=notice, user=user)
    return receipt
