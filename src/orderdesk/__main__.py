"""`orderdesk` and `python -m orderdesk`: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    try:
        execute_from_command_line(sys.argv)
    except (ImproperlyConfigured, OperationalError, InterfaceError) as exc:
        # A command that cannot start (no secret, no database) says why in one line; the
        # traceback is for `--traceback`.
        if "--traceback" in sys.argv:
            raise
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        sys.stderr.write(f"orderdesk: {reason}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
