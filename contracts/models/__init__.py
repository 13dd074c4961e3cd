from contracts.models.calendars import Calendar, CalendarDay, CalendarYear, WorkingWindow
from contracts.models.contracts import Contract, ContractTemplate, ServiceTerms, TemplateTerms
from contracts.models.customers import Contact, CoveredItem, Customer, Site
from contracts.models.reference import ReferenceStamp

__all__ = [
    "Calendar",
    "CalendarDay",
    "CalendarYear",
    "Contact",
    "Contract",
    "ContractTemplate",
    "CoveredItem",
    "Customer",
    "ReferenceStamp",
    "ServiceTerms",
    "Site",
    "TemplateTerms",
    "WorkingWindow",
]
