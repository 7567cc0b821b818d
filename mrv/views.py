from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mrv import access
from mrv.models import EmissionReport, Firm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "firms": access.visible_to(user, Firm).select_related("market", "sector")[:20],
        "reports": access.visible_to(user, EmissionReport).select_related("firm")[:20],
    }
    return render(request, "mrv/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
