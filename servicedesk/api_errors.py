"""The error answers the API gives, for the OpenAPI schema (see servicedesk.api.exception_handler).

`errors(400, 404)` is the `responses` entries for those codes, to merge into an
`extend_schema(responses={...})`: 400 is a map of field -> messages, the rest
`{"detail": "..."}` (409 also names the ticket's state).
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField(required=False, help_text="The ticket's state, on 409.")


_FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field; `non_field_errors` or `detail` for the request as a whole.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}

_RESPONSES = {
    400: OpenApiResponse(_FIELD_ERRORS, description="Invalid input."),
    403: OpenApiResponse(ErrorSerializer, description="This user may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such object visible to this user."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}


def errors(*codes: int) -> dict:
    return {code: _RESPONSES[code] for code in codes}
