from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemHistoryConfig(AppConfig):
    name = "item_history"
    verbose_name = _("Covered item history")
