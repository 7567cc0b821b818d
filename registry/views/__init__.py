"""Thin views: each object is fetched through `mrv.access` (404 when not visible); changes are POST-only
and go through `registry.services`; a refused change shows the service's message. Sliced by the same stages
as `registry.services`."""
