"""A query counter with no cap: Django's CaptureQueriesContext keeps only the last 9,000 queries."""

from contextlib import contextmanager

from django.db import connection


class QueryCount:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


@contextmanager
def count_queries():
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter
