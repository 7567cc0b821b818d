"""Names of the cached public pages and API answers, so that a publication clears exactly its own."""

from django.conf import settings

FORMATS = ("html", "csv", "xlsx")
TABLES = ("firms", "totals")


def page(kind: str, *parts, language: str = "") -> str:
    return ":".join(["disclosure", kind, *(str(p) for p in parts), language])


def for_market_year(market_code: str, year: int, *, pages: int = 1) -> list[str]:
    """Every cached answer that shows this market-year: its pages, exports, API answers and the lists above it."""
    keys = [page("api-market-year", market_code, year), page("api-markets")]
    for language, _name in settings.LANGUAGES:
        keys += [
            page("index", language=language),
            page("market", market_code, language=language),
        ]
        keys += [page("market-year", market_code, year, n, language=language) for n in range(1, pages + 1)]
        keys += [
            page("export", market_code, year, table, fmt, language=language) for table in TABLES for fmt in FORMATS
        ]
    return keys
