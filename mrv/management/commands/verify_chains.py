"""Check the hash chains of the append-only records; exit 1 and name the first broken row of each broken chain."""

from django.core.management.base import BaseCommand, CommandError

from mrv.models import ChainVerification
from mrv.security.chains import verify_chains


class Command(BaseCommand):
    help = "Check the hash chains of the ledger, audit trail, report versions, opinions and determinations."

    def handle(self, *args, **options):
        try:
            run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        for chain in run.chains:
            broken = chain["broken"]
            where = f"{chain['table']} market={chain['market_id'] or '-'}"
            if broken:
                self.stdout.write(
                    f"BROKEN {where}: first broken row id={broken['id']} at position {broken['position']} "
                    f"({broken['reason']})"
                )
            else:
                self.stdout.write(f"ok     {where}: {chain['rows']} rows, head at {chain['head_seq']}")
        self.stdout.write(f"{run.rows_checked} rows checked; {'all chains intact' if run.ok else 'BROKEN'}")
        if not run.ok:
            raise CommandError("At least one chain is broken.")
