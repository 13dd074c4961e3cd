"""The language switch, remembered for the person: pages follow the cookie Django's
`set_language` sets; e-mails (tickets/mail.py) follow `User.language`, which this keeps."""

from django.conf import settings
from django.views.i18n import set_language as django_set_language


def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    known = {code for code, _name in settings.LANGUAGES}
    user = request.user
    chosen = request.method == "POST" and user.is_authenticated and language in known
    if chosen and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def language_of(user) -> str:
    """The language to write to this person in."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
