"""Reads of the requests that move deadlines: requests for information and extension requests."""

from mrv.models import ExtensionRequest, InformationRequest


def information_requests(visible) -> list[InformationRequest]:
    """The requests for information of a visible queryset, with what the page shows (one query)."""
    return list(visible.select_related("firm", "finding__report", "requested_by").order_by("status", "-opened_at"))


def extension_requests(visible) -> list[ExtensionRequest]:
    return list(visible.select_related("firm", "requested_by", "decided_by").order_by("-requested_at"))


def extension_requests_with_market():
    """Extension requests with the firm's market loaded; callers scope them with `mrv.access`."""
    return ExtensionRequest.objects.select_related("firm__market")
