"""Admin changelists that stay fast on tables of millions of rows (audit trail, ledger, reports, notices).

Two things make a Django changelist slow at that size: the exact `COUNT(*)` behind the paginator and the
`SELECT DISTINCT` behind each "all values" filter. On PostgreSQL the paginator counts exactly only while the
planner expects few rows and otherwise shows the planner's estimate, and the filters read their values with a
loose index scan (one index probe per distinct value) instead of reading the whole table.
"""

import json

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_COUNT_BELOW = 50_000


def planner_rows(queryset) -> int | None:
    """The planner's estimate of the rows `queryset` returns, or None off PostgreSQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Exact counts for small results; the planner's estimate for large ones (shown as "about")."""

    @cached_property
    def count(self) -> int:
        estimate = planner_rows(self.object_list) if hasattr(self.object_list, "query") else None
        if estimate is not None and estimate >= EXACT_COUNT_BELOW:
            return estimate
        return super().count


class LooseIndexValuesFilter(admin.AllValuesFieldListFilter):
    """The distinct values of an indexed column, found by walking its index instead of scanning the table."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self._model = model
        super().__init__(field, request, params, model, model_admin, field_path)

    def choices(self, changelist):
        connection = connections[changelist.queryset.db]
        if connection.vendor == "postgresql" and "__" not in self.field_path:
            self.lookup_choices = self._distinct_values(connection)
        yield from super().choices(changelist)

    def _distinct_values(self, connection) -> list:
        table = connection.ops.quote_name(self._model._meta.db_table)
        column = connection.ops.quote_name(self._model._meta.get_field(self.field_path).column)
        sql = (
            f"WITH RECURSIVE walk(v) AS (SELECT min({column}) FROM {table} UNION ALL "
            f"SELECT (SELECT min({column}) FROM {table} WHERE {column} > walk.v) FROM walk WHERE walk.v IS NOT NULL) "
            "SELECT v FROM walk WHERE v IS NOT NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [row[0] for row in cursor.fetchall()]


class LargeTableAdmin:
    """Mix into the admin of a table that grows without bound."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
