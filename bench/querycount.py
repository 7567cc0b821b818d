"""A query counter with no cap: Django's CaptureQueriesContext keeps only the last 9,000 queries.

It also adds up the time spent in each kind of statement (its first words), so that a benchmark can say
where its time goes (`QueryCount.slowest`)."""

import re
import time
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection

_KIND = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM|SELECT\b.*?\bFROM)\s+"?(\w+)"?', re.S | re.I)


def statement_kind(sql: str) -> str:
    match = _KIND.match(sql)
    if not match:
        return sql.split("(")[0][:60]
    verb, table = match.groups()
    return f"{verb.split()[0].upper()} {table}"


class QueryCount:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = statement_kind(sql)
            self.seconds[kind] += time.perf_counter() - start
            self.calls[kind] += 1

    def __len__(self) -> int:
        return self.count

    def slowest(self, n: int = 6) -> list[tuple[str, int, float]]:
        """(statement kind, calls, seconds) of the statements that took the most time, slowest first."""
        kinds = sorted(self.seconds, key=self.seconds.get, reverse=True)[:n]
        return [(k, self.calls[k], self.seconds[k]) for k in kinds]


@contextmanager
def count_queries():
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter
