"""aclf-cdisc: spec-driven CDISC SDTM/ADaM datasets and submission package for NCT05985863.

Data flows one way, and the sub-packages follow it:

    raw (EDC export) -> sdtm -> adam -> checks -> transport / define -> package

``spec`` holds the machine-readable study and dataset specifications that drive every stage.
"""

__version__ = "0.1.0"
