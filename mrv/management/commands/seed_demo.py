from django.core.management.base import BaseCommand

from mrv import demo


class Command(BaseCommand):
    help = "Create demo organisations, users and data in several markets (idempotent)."

    def handle(self, *args, **options):
        demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo login: %s" % demo.DEMO_PASSWORD))
