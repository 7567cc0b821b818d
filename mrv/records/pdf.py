"""Official PDFs with WeasyPrint: bilingual, fonts embedded, no network at render time.

A document is rendered from its seal's canonical content (the copy of record), never from the live rows, so
the PDF says exactly what was sealed, with the digest and the link where anyone entitled can check it. Each
language the market uses gets its own part (Chinese first). The fonts come from the system through fontconfig
(WenQuanYi Micro Hei or Noto Sans CJK for Chinese; .ci/run installs them) and WeasyPrint embeds the subsets it
uses. `OfflineFetcher` refuses every URL but `data:` and local files, so a template, a firm's name or an
address cannot make the renderer reach the network.
"""

import io
import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from mrv.models import Seal
from mrv.records.seals import KINDS, sealed_content

#: The languages of the markets' official documents, in print order. Every pilot market and the national
#: market publish in Chinese and English (the product's two languages).
DOCUMENT_LANGUAGES = ("zh-hans", "en")


class NetworkRefused(FatalURLFetchingError):
    pass


class OfflineFetcher(URLFetcher):
    """Local files and data: URLs only; anything else stops the rendering."""

    refused: list[str]

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)
        self.refused = []

    def fetch(self, url, headers=None):
        if not url.lower().startswith(("file:", "data:")):
            self.refused.append(url)
            raise NetworkRefused(f"no network at render time: {url}")
        return super().fetch(url, headers)


def languages_of(market) -> tuple[str, ...]:
    return DOCUMENT_LANGUAGES


def verification_url(seal: Seal) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("ui:seal_detail", args=[seal.pk])


def document_html(seal: Seal) -> str:
    spec = KINDS[seal.kind]
    content = sealed_content(seal)
    context = {
        "seal": seal,
        "record": content["record"],
        "as_at": content["as_at"],
        "verify_url": verification_url(seal),
    }
    parts = []
    for language in languages_of(seal.market):
        with translation.override(language):
            context["kind_label"] = str(Seal.Kind(seal.kind).label)
            parts.append(mark_safe(render_to_string(spec.template, {**context, "language": language})))  # noqa: S308
    return render_to_string("documents/base.html", {**context, "parts": parts})


_local = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread: the system fonts are looked up once, not for every notice of a run."""
    if not hasattr(_local, "fonts"):
        _local.fonts = FontConfiguration()
    return _local.fonts


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF bytes and page count of `html`."""
    page = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=OfflineFetcher())
    document = page.render(font_config=_font_config())
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)


def file_name(seal: Seal) -> str:
    return f"{seal.kind}-{seal.year}-{seal.firm_id}-{seal.object_id}-{seal.digest[:8]}.pdf"
