"""Test seams: named points where a test can hold the real command to deliver a real signal.

Inactive unless ``ACLF_TEST_PAUSE_AT`` is set to ``<point>:<marker file>``. When the command
reaches ``<point>`` it writes its pid to the marker file and waits there until a signal ends
it, so a test can send SIGINT, SIGTERM or SIGKILL at an exact step (for example between the
two renames of a publish) instead of guessing with timers. Points: ``import`` (before the
command line is imported), ``build`` (while the package is written into staging),
``publish-ready``, ``publish-aside``, ``publish-swapped`` (see aclf_cdisc.package.atomic).
"""

from __future__ import annotations

import os
import time

ENV = "ACLF_TEST_PAUSE_AT"


def pause_point(name: str) -> None:
    setting = os.environ.get(ENV)
    if not setting:
        return
    point, _, marker = setting.partition(":")
    if point != name:
        return
    with open(marker, "w", encoding="ascii") as handle:
        handle.write(str(os.getpid()))
    while True:  # until the test's signal arrives
        time.sleep(0.05)
