"""Downloads of uploaded files: only for those who may see the object the file belongs to."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mrv import uploads
from mrv.models import StoredFile
from mrv.ui.objects import visible_or_404


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    stored = visible_or_404(request.user, StoredFile, pk=pk)
    return uploads.file_response(stored)
