from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from core import db_loaders

        db_loaders.connect()
