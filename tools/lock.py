"""Refresh requirements/constraints.txt: the exact versions every environment installs.

    python3 tools/lock.py

Installs the project with all its extras (and tox) into a throw-away virtual environment with
no constraints, so pip resolves the newest releases, then writes what got installed, pinned
with ``==``, to ``requirements/constraints.txt``. Run the tests against the new lock
(``python3 -m tox -e test``) before committing it: an upgrade is a deliberate, tested change.
``python3 -m tox -e test-latest`` runs the suite against the newest releases without
touching the lock.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "constraints.txt"
EXTRAS = "test,lint"
HEADER = """\
# The exact versions every environment installs: tox (all envs, and the package build),
# .ci/run, and the README's commands. Refresh with `python3 tools/lock.py`, then run the tests.
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="aclf-lock-") as tmp:
        env = Path(tmp) / "venv"
        venv.EnvBuilder(with_pip=True).create(env)
        python = env / "bin" / "python"
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip", "setuptools", "wheel"], check=True)
        subprocess.run([*pip, "install", "--quiet", f"{ROOT}[{EXTRAS}]", "tox"], check=True)
        frozen = subprocess.run([*pip, "freeze", "--all", "--exclude", "aclf-cdisc"],
                                check=True, capture_output=True, text=True).stdout
    pins = sorted((line for line in frozen.splitlines() if "==" in line), key=str.lower)
    LOCK.parent.mkdir(exist_ok=True)
    LOCK.write_text(HEADER + "\n".join(pins) + "\n", encoding="utf-8")
    print(f"wrote {len(pins)} pins to {LOCK.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
