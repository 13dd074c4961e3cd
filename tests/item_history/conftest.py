from tests.inspections import conftest as inspections_conftest
from tests.spares import conftest as spares_conftest

branch = spares_conftest.branch
staff = spares_conftest.staff
business_calendar = spares_conftest.business_calendar
world = spares_conftest.world
api = spares_conftest.api
shop = spares_conftest.shop

checklist = inspections_conftest.checklist
