"""The API's login and logout: POST /api/auth/token/, /api/auth/logout/, /api/auth/logout-all/."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.throttling import lockout_api_response
from accounts.tokens import (
    ExpiringTokenAuthentication,
    token_issue,
    token_revoke,
    tokens_revoke_all,
)


class TokenLoginThrottle(AnonRateThrottle):
    """Per address, read from the settings at each request (API_TOKEN_RATE)."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE


# The schema's name from before knox, so generated clients keep their model names.
@extend_schema_serializer(component_name="AuthToken")
class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), write_only=True)
    password = serializers.CharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )

    def validate(self, attrs):
        # The request goes along so django-axes counts the failure and can lock out.
        user = authenticate(
            request=self.context["request"],
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenLoginThrottle]
    serializer_class = LoginSerializer

    @extend_schema(request=LoginSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        """A new token for this device; the key is shown only in this answer."""
        serializer = LoginSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return lockout_api_response()
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        token, key = token_issue(user=serializer.validated_data["user"])
        data = TokenResponseSerializer({"token": key, "expires_at": token.expiry}).data
        return Response(data)


class LogoutView(APIView):
    # A token's own call: a browser session has no token to revoke (the web logout
    # at /accounts/logout/ ends the session and revokes every token).
    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the token of this call; the user's other devices stay logged in."""
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke every token of the caller, on every device."""
        tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
