from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from mrv import reference_data


class Command(BaseCommand):
    help = "Load or refresh the markets, sectors and 2020 rule packs (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            reference_data.load(apps)
            reference_data.apply_work_deadline_defaults(apps)
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
