"""An e-mail backend for a worker subprocess: it writes each message to EMAIL_FILE_PATH (one file per
message, like Django's file backend), and after the first message it stalls, so that the test can kill the
worker after the mail has left and before the task has finished."""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

STALL_SECONDS = 60


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        for message in email_messages:
            (folder / f"{uuid.uuid4()}.eml").write_bytes(message.message().as_bytes())
        marker = folder / ".stalled"
        if not marker.exists():
            marker.touch()
            os.sync()
            time.sleep(STALL_SECONDS)  # the test kills the worker here
        return len(email_messages)
