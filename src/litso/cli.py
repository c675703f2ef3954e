"""The `litso` command: `litso run` starts the desk; every other word is a management command.

`litso manage …` passes anything through to Django; `litso import`/`litso export` are
`import_desk`/`export_desk` (Python keeps `import` for itself).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import": "import_desk", "export": "export_desk"}

USAGE = """usage: litso COMMAND [options]

  run         start the whole desk: web server, task worker and scheduler
  check       report configuration problems in plain words
  migrate     apply database migrations
  demo        create the demo company (idempotent)
  worker      run a task worker
  scheduler   run the scheduler loop
  mail        take in mail: ingest files, serve SMTP/LMTP, poll IMAP
  triage      train the router, evaluate it on your data, score text for abuse
  export      write tickets as JSON Lines to stdout
  import      read a JSON Lines export into an empty desk
  manage ...  run any Django management command
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "run":
        # The supervisor stays light: it does not load Django, its children do.
        from litso.supervisor import run

        return run(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "litso.settings")
    from litso.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"litso: configuration problem: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["litso", *rest])
        return 0
    if command == "check":
        execute_from_command_line(["litso", "doctor", *rest])
        return 0
    execute_from_command_line(["litso", ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
