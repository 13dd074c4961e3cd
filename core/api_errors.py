"""The error answers the API gives, for the OpenAPI schema (see core.api.exception_handler
and core.error_views).

`document_errors` (a drf-spectacular postprocessing hook) adds to every operation
the errors any call of its shape can get, so no view has to remember them:

- 400, a map of field -> messages: the operation takes query parameters or a body;
- 401: the operation needs a login (missing, wrong or expired token);
- 403: the operation needs a login (a role or an object this user may not act on);
- 404, `{"detail": ...}`: the path names an object, or the list is paginated (a page
  past the end);
- 413: the operation takes a body (larger than DATA_UPLOAD_MAX_MEMORY_SIZE);
- 415: the operation takes a body (in a media type it does not parse, or a multipart
  body whose parts carry none);
- 429: the operation is throttled (the token endpoint, also while locked out).

`errors(409)` is for the rest, which only a view knows: 409 names the ticket's state.
"""

import re

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField(required=False, help_text="The ticket's state, on 409.")


_PARAMETER = re.compile(r"\{[^}]+\}")
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field; `non_field_errors` or `detail` for the request as a whole.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}

_RESPONSES = {
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}

_DESCRIPTIONS = {
    400: "Invalid input.",
    401: "Not logged in, or the token is wrong or expired.",
    403: "This user may not do this.",
    404: "No such object visible to this user, or no such page.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    429: "Too many attempts; retry later.",
}


def errors(*codes: int) -> dict:
    return {code: _RESPONSES[code] for code in codes}


def _codes_for(operation: dict, view_class) -> list[int]:
    parameters = operation.get("parameters", [])
    takes_body = "requestBody" in operation
    paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
    permissions = getattr(view_class, "permission_classes", [])
    needs_login = any(not issubclass(p, AllowAny) for p in permissions)
    throttled = bool(getattr(view_class, "throttle_classes", []))
    codes = []
    if takes_body or any(p["in"] == "query" for p in parameters):
        codes.append(400)
    if needs_login:
        codes += [401, 403]
    if paginated or any(p["in"] == "path" for p in parameters):
        codes.append(404)
    if takes_body:
        codes += [413, 415]
    if throttled:
        codes.append(429)
    return codes


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: see the module's docstring."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    # The generator's paths still name the router's parameters ({pk}); the schema's say {id}.
    view_classes = {
        (_PARAMETER.sub("{}", path), method.lower()): getattr(callback, "cls", None)
        for path, _regex, method, callback in generator.endpoints
    }
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            view_class = view_classes.get((_PARAMETER.sub("{}", path), method))
            for code in _codes_for(operation, view_class):
                body = _FIELD_ERRORS if code == 400 else _ERROR_REF
                responses.setdefault(
                    str(code),
                    {
                        "content": {"application/json": {"schema": body}},
                        "description": _DESCRIPTIONS[code],
                    },
                )
    return result
