"""Submission documents generated from the spec and a build's results: the annotated CRF, the
reviewer's guides (cSDRG, ADRG) and the ADaM programs as text.

One document model (:mod:`.model`) rendered to PDF (:mod:`.pdf`) and HTML (:mod:`.html`). What
the define cites too (the aCRF layout, the program list) is laid out in :mod:`aclf_cdisc.contents`.
Documents are fed by the spec and the in-memory datasets and issues of a build; they never read
the files a build wrote.
"""

from aclf_cdisc.documents.acrf import acrf_document

__all__ = ["acrf_document"]
