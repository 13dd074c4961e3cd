from contracts.models.calendars import Calendar, CalendarDay, CalendarYear, WorkingWindow
from contracts.models.contracts import Contract, ContractTemplate, ServiceTerms, TemplateTerms
from contracts.models.customers import Contact, CoveredItem, Customer, Site

__all__ = [
    "Calendar",
    "CalendarDay",
    "CalendarYear",
    "Contact",
    "Contract",
    "ContractTemplate",
    "CoveredItem",
    "Customer",
    "ServiceTerms",
    "Site",
    "TemplateTerms",
    "WorkingWindow",
]
