"""Simplified Chinese unless the user chose English with the language switch (a cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language header; the product's users
expect Chinese first, whatever browser they use, and switch explicitly.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class YearNotSupportedMiddleware:
    """A page asked for a compliance year outside its market's rule packs: a 400 that names the range."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from mrv.models import YearNotSupported

        if isinstance(exception, YearNotSupported):
            return render(request, "ui/year_not_supported.html", {"refusal": exception}, status=400)
        return None
