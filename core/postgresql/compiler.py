"""Django's PostgreSQL compilers, but bulk inserts as VALUES rows (see __init__)."""

from django.db.backends.postgresql.compiler import (
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as _UnnestInsertCompiler
from django.db.models.sql import compiler as _generic

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]


class SQLInsertCompiler(_UnnestInsertCompiler):
    assemble_as_sql = _generic.SQLInsertCompiler.assemble_as_sql
