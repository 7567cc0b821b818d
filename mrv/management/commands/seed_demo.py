from django.core.management.base import BaseCommand

from mrv import demo


class Command(BaseCommand):
    help = "Create demo organisations, users and data in several markets (idempotent)."

    def handle(self, *args, **options):
        demo.seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo login: {demo.DEMO_PASSWORD}"))
