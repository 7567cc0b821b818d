from django.core.management.base import BaseCommand

from mrv import demo
from mrv.models import User


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write("\nCarbon MRV demo: http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)")
        self.stdout.write(f"Every demo login uses the password: {demo.DEMO_PASSWORD}\n")
        users = User.objects.filter(email__endswith="@demo.carbon-mrv.local").select_related(
            "firm", "body", "authority"
        )
        for user in users.order_by("role", "username"):
            org = user.firm or user.body or user.authority
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<28} {org}")
        self.stdout.write("")
