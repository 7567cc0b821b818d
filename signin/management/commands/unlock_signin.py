from django.core.management.base import BaseCommand

from signin.services import signin_unlock


class Command(BaseCommand):
    help = "Unlock an account locked by repeated failed sign-ins (also on the security events page)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+")

    def handle(self, *args, username, **options):
        for name in username:
            cleared = signin_unlock(username=name, acting_user=None)
            self.stdout.write(f"{name}: {cleared} failure record(s) cleared")
