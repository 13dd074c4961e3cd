"""API tokens (django-rest-knox): one per login, hashed at rest, expiring, revocable.

The only module that imports knox. Each POST /api/auth/token/ (accounts/api.py) issues
a new token, so every device has its own; the database keeps only its SHA-512 digest
(and its first 15 characters, to find the row), so the plaintext exists only in that
response. A token is refused (401) REST_KNOX["TOKEN_TTL"] (TOKEN_TTL_DAYS) after it was
issued, and never renewed by use (AUTO_REFRESH off).

Revocation: POST /api/auth/logout/ revokes the token it is called with and
POST /api/auth/logout-all/ every token of the caller; a password change (page, admin,
set_password anywhere), deactivating the user and logging out of the web pages revoke
every token of that user.
"""

import binascii
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions


def token_issue(*, user) -> tuple[AuthToken, str]:
    """A new token for a new device: returns the row and the plaintext key, shown once.

    Expired tokens of the user are dropped first. Beyond TOKEN_LIMIT_PER_USER live
    tokens the oldest are revoked: a script that logs in on every run keeps working,
    and the oldest device logs in again.
    """
    now = timezone.now()
    with transaction.atomic():
        # Two logins at once must not both find room under the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        tokens = AuthToken.objects.filter(user=user)
        tokens.filter(expiry__lte=now).delete()
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit is not None:
            keep = tokens.order_by("-created").values("pk")[: max(limit - 1, 0)]
            tokens.exclude(pk__in=keep).delete()
        return AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def tokens_revoke_all(*, user) -> int:
    deleted, _by_model = AuthToken.objects.filter(user_id=user.pk).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """Knox's token check, with "expired" told apart from "unknown" in the 401."""

    def authenticate_credentials(self, token):
        invalid = _("Invalid token.")
        try:
            key = token.decode()
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, binascii.Error) as error:
            raise exceptions.AuthenticationFailed(invalid) from error
        candidates = AuthToken.objects.filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
                auth_token.delete()
                raise exceptions.AuthenticationFailed(_("Token has expired; log in again."))
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(invalid)


class ExpiringTokenScheme(KnoxTokenScheme):
    """drf-spectacular's knox scheme matches knox's class only, not subclasses."""

    target_class = "accounts.tokens.ExpiringTokenAuthentication"
    name = "tokenAuth"


@receiver(pre_save, sender=get_user_model(), dispatch_uid="accounts.tokens.revoke_on_change")
def revoke_on_password_change_or_deactivation(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password or (old["is_active"] and not instance.is_active):
        tokens_revoke_all(user=instance)


@receiver(user_logged_out, dispatch_uid="accounts.tokens.revoke_on_logout")
def revoke_on_logout(sender, request, user, **kwargs):
    # Logging out of the web pages is how a person without a token of their own (a lost
    # phone) ends every API session.
    if user is not None:
        tokens_revoke_all(user=user)
