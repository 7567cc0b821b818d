import datetime

from django.core.management.base import BaseCommand, CommandError

from deadlines.clock import shanghai_today
from deadlines.services.due_work import due_work_run
from mrv.models import Market


class Command(BaseCommand):
    help = "Run the periodic work due today (Asia/Shanghai): roll-over, quarterly work, reminders, spot-check draw, compliance marking."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were this Shanghai date (YYYY-MM-DD)")
        parser.add_argument("--market", help="only this market (code)")

    def handle(self, *args, date=None, market=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else shanghai_today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        market_id = None
        if market:
            found = Market.objects.filter(code=market).first()
            if found is None:
                raise CommandError(f"--market: no market with code {market!r}.")
            market_id = found.pk
        for name, count in due_work_run(today=today, market_id=market_id).items():
            self.stdout.write(f"{name}: {count}")
