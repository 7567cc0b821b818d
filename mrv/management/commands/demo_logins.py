from django.conf import settings
from django.core.management.base import BaseCommand

from mrv import demo
from mrv.models import User


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write("\nCarbon MRV demo: http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)")
        self.stdout.write(f"Every demo login uses the password: {demo.DEMO_PASSWORD}")
        if settings.MFA_REQUIRED:
            self.stdout.write(
                "A second factor is required (MFA_REQUIRED=true): the national administrator, regulators, lead "
                "verifiers, firm approvers and the admin site set up an authenticator app at their first sign-in.\n"
            )
        else:
            self.stdout.write(
                "Second factor OFF for this demo (MFA_REQUIRED=false): the password alone signs in. Anyone may "
                "still set one up under 'Second factor'; production requires it.\n"
            )
        users = User.objects.filter(email__endswith="@demo.carbon-mrv.local").select_related(
            "firm", "body", "authority"
        )
        for user in users.order_by("role", "username"):
            org = user.firm or user.body or user.authority
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<28} {org}")
        self.stdout.write("")
