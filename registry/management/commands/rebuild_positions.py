"""Fill (or refill) the firm-year compliance positions from the ledger and the determinations.

Run once after the migration that adds them, and whenever positions must be recomputed from scratch (e.g.
after a rule pack's compliance deadline was edited). Set-based, in batches of firms.
"""

from django.core.management.base import BaseCommand

from registry import positions


class Command(BaseCommand):
    help = "Recompute every firm's compliance position for every year from the ledger and the determinations."

    def handle(self, *args, **options):
        written = positions.rebuild_all()
        self.stdout.write(f"{written} firm-year positions written")
