from datetime import UTC

from django.db.backends.postgresql import base

from core.postgresql.timestamps import compiled_utc_loader


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        loader = compiled_utc_loader()
        # Django keeps a USE_TZ session in UTC: the only zone the compiled loader matches.
        if loader is not None and self.timezone is UTC:
            connection.adapters.register_loader("timestamptz", loader)
        return connection
