"""``python -m aclf_cdisc`` and the installed ``aclf-cdisc``: the command line's entry point.

Ctrl-C or SIGTERM can arrive while the program is still importing; the imports are therefore
made inside the handler, so even then the user gets one line and exit 130 / 143, not a traceback.
"""

import signal
import sys


def _terminate(signum: int, _frame: object) -> None:
    from aclf_cdisc.errors import Interrupted

    raise Interrupted(signum)


def entry() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from aclf_cdisc.faults import pause_point

        pause_point("import")
        from aclf_cdisc.cli import main

        return main()
    except KeyboardInterrupt:
        print("aclf-cdisc: interrupted (SIGINT) while starting; nothing was done", file=sys.stderr)
        return 128 + signal.SIGINT
    except BaseException as exc:
        signum = getattr(exc, "signum", None)
        if signum is None:
            raise
        print(f"aclf-cdisc: interrupted ({signal.Signals(signum).name}) while starting; nothing was done",
              file=sys.stderr)
        return 128 + int(signum)
    finally:
        # the answer is given: a Ctrl-C while the interpreter ends (joining the pools' threads and
        # workers) is not a new failure and prints no traceback; a SIGTERM ends the process at once
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(entry())
