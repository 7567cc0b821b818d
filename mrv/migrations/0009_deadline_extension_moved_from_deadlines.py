"""The firm's granted deadline extensions move to mrv, beside the deadline rules (state only: same table).

Every due date is computed in `mrv.due_dates` from the rule and the extension; mrv must not import the
deadlines app, so the model is declared here. Existing audit rows keep pointing at it: its content type
is renamed rather than replaced.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("monitoring_plan", "monitoring plan"),
    ("q1_report", "Q1 report"),
    ("q2_report", "Q2 report"),
    ("q3_report", "Q3 report"),
    ("q4_report", "Q4 report"),
    ("annual_report", "annual emission report"),
    ("verification", "verification"),
    ("review", "regulator review"),
    ("compliance", "compliance (surrender)"),
]


def move_content_type(apps, schema_editor, source="deadlines", target="mrv"):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=target, model="deadlineextension").exists():
        content_types.objects.filter(app_label=source, model="deadlineextension").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="mrv", target="deadlines")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mrv", "0008_report_versions_immutable"),
        ("deadlines", "0002_workflow_notices"),  # the table was created there
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineExtension",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveIntegerField(verbose_name="compliance year")),
                        ("kind", models.CharField(choices=KINDS, max_length=20, verbose_name="deadline")),
                        ("extra_days", models.PositiveSmallIntegerField(verbose_name="extra days")),
                        ("reason", models.TextField(verbose_name="reason")),
                        ("granted_at", models.DateTimeField(auto_now=True, verbose_name="granted at")),
                        (
                            "firm",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deadline_extensions",
                                to="mrv.firm",
                                verbose_name="firm",
                            ),
                        ),
                        (
                            "granted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="granted by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "deadline extension",
                        "verbose_name_plural": "deadline extensions",
                        "db_table": "deadlines_deadlineextension",
                        "ordering": ["-year", "firm", "kind"],
                        "constraints": [
                            models.UniqueConstraint(fields=("firm", "year", "kind"), name="extension_one_per_deadline")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
