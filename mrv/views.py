from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from mrv.ui import home as home_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs my action, upcoming deadlines and recent activity, for the signed-in user's role."""
    user = request.user
    sections = home_page.sections_for(user)
    context = {
        "sections": [s for s in sections if s.items],
        "quiet_sections": [s for s in sections if not s.items],
        "deadlines": home_page.upcoming_deadlines(user, timezone.localdate()),
        "activity": home_page.recent_activity(user),
    }
    return render(request, "mrv/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
