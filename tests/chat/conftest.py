from tests.tickets import conftest as tickets_conftest

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api
