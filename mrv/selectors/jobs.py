"""Reads of background jobs: a user sees the jobs they asked for."""

from django.db.models import QuerySet

from mrv.models import BackgroundJob


def jobs_of(user) -> QuerySet[BackgroundJob]:
    return BackgroundJob.objects.filter(requested_by=user)
