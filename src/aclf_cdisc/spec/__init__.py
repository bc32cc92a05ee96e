"""The spec subsystem: ``specs/*.yaml`` loaded, checked and turned into pandera schemas.

Usage::

    from aclf_cdisc.spec import load_spec
    spec = load_spec(Path("specs"))          # raises SpecError listing every problem
    dm = spec.dataset("DM")

    from aclf_cdisc.spec.schemas import dataset_schema, validate_frame
    issues = validate_frame(frame, dataset_schema(spec, "DM"), dataset="DM")
"""

from aclf_cdisc.spec.loader import (
    check_spec,
    default_spec_root,
    load_conventions,
    load_dataset_file,
    load_raw_form_file,
    load_schema,
    load_spec,
)
from aclf_cdisc.spec.model import (
    Codelist,
    Dataset,
    Method,
    RawColumn,
    RawForm,
    Spec,
    Study,
    Term,
    ValueLevel,
    Variable,
)

__all__ = [
    "Codelist",
    "Dataset",
    "Method",
    "RawColumn",
    "RawForm",
    "Spec",
    "Study",
    "Term",
    "ValueLevel",
    "Variable",
    "check_spec",
    "default_spec_root",
    "load_conventions",
    "load_dataset_file",
    "load_raw_form_file",
    "load_schema",
    "load_spec",
]
