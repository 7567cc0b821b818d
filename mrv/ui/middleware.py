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


class RefuseNulCharactersMiddleware:
    """Answer 400 with a clear message when a query string, form field name or value, or file name holds
    a NUL character: PostgreSQL cannot store one, and nothing downstream should have to check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        from django.http.multipartparser import MultiPartParserError

        from mrv.inputs import contains_nul

        if "\x00" in request.path or contains_nul(dict(request.GET.lists())):
            return True
        if request.method != "POST":
            return False
        try:
            fields = dict(request.POST.lists())
            names = [f.name for files in request.FILES.lists() for f in files[1]]
        except (MultiPartParserError, ValueError):
            return False  # the view answers a malformed body in its own way
        return contains_nul(fields) or contains_nul(names)

    @staticmethod
    def _refuse(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.template.loader import render_to_string

        from mrv.inputs import NUL_CHARACTER

        message = str(NUL_CHARACTER)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(render_to_string("bad_request.html", {"message": message}, request=request))


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
