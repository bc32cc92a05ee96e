"""Where the raw form layouts live and how to get them as :class:`RawForm` objects.

The layouts are ``specs/raw/<form>.yaml`` (authoritative; see docs/raw-export.md). They are read
with the spec loader so a raw layout is checked by the same JSON Schema whichever stage reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.spec.model import RawForm, Spec

SPECS_ENV = "ACLF_SPECS"


def default_specs_dir() -> Path:
    """The ``specs/`` folder: ``$ACLF_SPECS`` if set, else the nearest ``specs/raw`` above this package.

    An editable install and a checkout both find the repository's ``specs/``.
    """
    env = os.environ.get(SPECS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "specs" / "raw").is_dir():
            return parent / "specs"
    raise SpecError(Issue(rule="raw.specs-not-found",
                          message=f"no specs/raw folder above {here.parent}; set {SPECS_ENV}",
                          file=str(here.parent)))


def load_raw_forms(specs_dir: Path | None = None) -> dict[str, RawForm]:
    """Every ``specs/raw/*.yaml`` layout, by form name, in file-name order."""
    from aclf_cdisc.spec.loader import load_raw_form_file

    root = Path(specs_dir) if specs_dir is not None else default_specs_dir()
    folder = root / "raw"
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise SpecError(Issue(rule="raw.specs-not-found", message=f"no raw form layouts in {folder}",
                              file=str(folder)))
    forms = [load_raw_form_file(p, root=root) for p in paths]
    return {f.name: f for f in forms}


def as_raw_forms(spec: Spec | Mapping[str, RawForm] | None) -> dict[str, RawForm]:
    """Accept a whole :class:`Spec`, a mapping of forms, or None (load the default layouts)."""
    if spec is None:
        return load_raw_forms()
    if isinstance(spec, Spec):
        return dict(spec.raw_forms) if spec.raw_forms else load_raw_forms(
            Path(spec.root) if spec.root else None)
    return dict(spec)
