"""API tokens that expire and are revoked (DRF's authtoken, one token per user).

A token older than TOKEN_TTL_DAYS is refused (401) and deleted; POST
/api/auth/token/ (accounts/api.py) then hands out a fresh one. A token is revoked by POST
/api/auth/logout/, by the web logout, by a password change (page, admin,
set_password anywhere) and by deactivating the user.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token):
    return token.created + settings.TOKEN_TTL


def token_expired(token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("Token has expired; log in again."))
        return user, token


@receiver(pre_save, sender=get_user_model(), dispatch_uid="accounts.tokens.revoke_on_change")
def revoke_on_password_change_or_deactivation(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password or (old["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()


@receiver(user_logged_out, dispatch_uid="accounts.tokens.revoke_on_logout")
def revoke_on_logout(sender, request, user, **kwargs):
    if user is not None:
        Token.objects.filter(user=user).delete()
