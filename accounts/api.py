"""The API's login and logout: POST /api/auth/token/ and POST /api/auth/logout/."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.throttling import lockout_api_response
from accounts.tokens import token_expired, token_expires_at


class TokenLoginThrottle(AnonRateThrottle):
    """Per address, read from the settings at each request (API_TOKEN_RATE)."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenLoginThrottle]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return lockout_api_response()
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the caller's token (and end the session when called from one)."""
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
