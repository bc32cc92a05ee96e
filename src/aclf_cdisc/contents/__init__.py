"""What the submission's documents hold, as pure functions of the spec: the annotated CRF's
layout (:mod:`.acrf`) and the list of ADaM programs (:mod:`.programs`).

Nothing here renders or writes: the define cites these pages and programs, and
:mod:`aclf_cdisc.documents` renders the same layout and writes the same programs, so what the
define cites is what the package holds.
"""
