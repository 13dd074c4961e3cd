"""One factory per model, with defaults that make a valid, coherent object."""

from datetime import date, time

import factory
from django.contrib.auth.models import Group

from accounts.models import Branch, User
from accounts.roles import Role
from contracts.models import (
    Calendar,
    Contact,
    Contract,
    ContractTemplate,
    CoveredItem,
    Customer,
    ServiceTerms,
    Site,
    TemplateTerms,
    WorkingWindow,
)
from contracts.phases import AfterWarranty, Phase


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Branch {n}")
    code = factory.Sequence(lambda n: f"branch-{n}")
    region = "华东"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.save()  # keeps the password set above
        if extracted:
            from accounts.services import user_assign_role

            Group.objects.get_or_create(name=Role(extracted).value)
            user_assign_role(user=self, role=Role(extracted))


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    name = "7×24"
    code = "7x24"
    kind = Calendar.Kind.ALWAYS_ON


class BusinessCalendarFactory(CalendarFactory):
    """Mon–Fri 09:00–12:00 and 13:30–18:00."""

    name = "Business hours"
    code = "business"
    kind = Calendar.Kind.BUSINESS_HOURS

    @factory.post_generation
    def windows(self, create, extracted, **kwargs):
        if create and not self.windows.exists():
            for weekday in range(5):
                WorkingWindow.objects.create(
                    calendar=self, weekday=weekday, starts_at=time(9), ends_at=time(12)
                )
                WorkingWindow.objects.create(
                    calendar=self, weekday=weekday, starts_at=time(13, 30), ends_at=time(18)
                )


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    short_name = factory.Sequence(lambda n: f"C{n}")
    region = "华东"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "1 Example Road"
    region = "华东"


class CoveredItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoveredItem

    customer = factory.SubFactory(CustomerFactory)
    name = "Gateway"
    kind = CoveredItem.Kind.HARDWARE
    serial_number = factory.Sequence(lambda n: f"SN-{n:06d}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"CT-{n:04d}")
    title = "Platform maintenance"
    customer = factory.SubFactory(CustomerFactory)
    signed_on = date(2023, 1, 10)
    final_acceptance_on = date(2023, 6, 15)
    warranty_months = 36
    after_warranty = AfterWarranty.LIFETIME


def terms_values(**overrides) -> dict:
    calendar = overrides.pop("calendar", None) or CalendarFactory()
    values = {
        "phase": Phase.WARRANTY,
        "priority": "P1",
        "response_minutes": 30,
        "onsite_minutes": 240,
        "resolution_minutes": 1440,
        "repair_days": None,
        "pause_on_customer": True,
        "response_calendar": calendar,
        "onsite_calendar": calendar,
        "resolution_calendar": calendar,
    }
    values.update(overrides)
    return values


class ServiceTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTerms

    contract = factory.SubFactory(ContractFactory)
    phase = Phase.WARRANTY
    priority = "P1"
    response_minutes = 30
    onsite_minutes = 240
    resolution_minutes = 1440
    pause_on_customer = True
    response_calendar = factory.SubFactory(CalendarFactory)
    onsite_calendar = factory.SelfAttribute("response_calendar")
    resolution_calendar = factory.SelfAttribute("response_calendar")


class ContractTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    code = factory.Sequence(lambda n: f"template-{n}")
    warranty_months = 36
    after_warranty = AfterWarranty.LIFETIME


class TemplateTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateTerms

    template = factory.SubFactory(ContractTemplateFactory)
    phase = Phase.WARRANTY
    priority = "P1"
    response_minutes = 30
    onsite_minutes = 240
    resolution_minutes = 1440
    response_calendar = factory.SubFactory(CalendarFactory)
    onsite_calendar = factory.SelfAttribute("response_calendar")
    resolution_calendar = factory.SelfAttribute("response_calendar")


class StaffFactory(UserFactory):
    """A member of staff with a role; pass role=... and branch=..."""

    branch = factory.SubFactory(BranchFactory)
