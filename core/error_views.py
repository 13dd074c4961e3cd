"""Error views: the API answers JSON for its errors, the pages keep their HTML.

Django calls these for errors outside a DRF view too: a URL that does not match
(`/api/tickets/abc/`), a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE
(RequestDataTooBig, answered 413), a server error.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


class DropTraceback:
    """Logging filter: the record's message without its traceback (a refused request is
    not a fault of the program)."""

    def filter(self, record) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return JsonResponse({"detail": _("Request body too large.")}, status=413)
        response = defaults.bad_request(request, exception)
        response.status_code = 413
        return response
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        detail = _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
