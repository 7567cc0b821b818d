"""The only code of this app that writes: notifications, extensions, reminders and the periodic work.

Every periodic job is safe to run again, from a retried task or a second beat process: the row
that records the work done (a report, a `Reminder`, a `DueWorkDone`, a `QuarterlySnapshot`) is
unique, and whatever the job sends is written in the same transaction as that row.

Sliced as notifications, reminders, extensions, rollover, snapshots and due work; product code imports
the module it needs, and the services are re-exported here for the tasks, views and tests.
"""

from deadlines.services.due_work import (  # noqa: F401
    compliance_mark_batch,
    compliance_mark_due,
    compliance_queue_due,
    due_work_run,
    spot_checks_draw_due,
)
from deadlines.services.extensions import (  # noqa: F401
    ExtensionRefused,
    deadline_extension_grant,
)
from deadlines.services.notifications import (  # noqa: F401
    email_template_for,
    notification_email_send,
    notification_emails_send,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    notify_each,
)
from deadlines.services.reminders import (  # noqa: F401
    escalation_step,
    met_deadlines,
    met_on,
    overdue_step,
    reminders_send,
    reminders_send_due,
)
from deadlines.services.rollover import (  # noqa: F401
    quarterly_open_reports,
    rollover_open_batch,
    rollover_open_year,
    rollover_queue_batches,
)
from deadlines.services.snapshots import (  # noqa: F401
    quarterly_snapshot_build,
    quarterly_snapshots_build_due,
)
