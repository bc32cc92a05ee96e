"""Analysis Results Metadata (ARM 1.0): where an ADaM define carries its analysis results.

The define builder does not derive analysis results itself: the caller passes a finished
``arm:AnalysisResultDisplays`` element (built from the analysis specs), and this module places
it as the last child of MetaDataVersion, as the ARM 1.0 schema wants. A define with ARM is
validated against ``cdisc-arm-1.0/arm1-0-0.xsd`` (see :mod:`aclf_cdisc.define.schema`), and the
stylesheet renders it as CDISC's ADaM example does.
"""

from __future__ import annotations

from lxml import etree

from aclf_cdisc.errors import Issue

ARM_NS = "http://www.cdisc.org/ns/arm/v1.0"
ARM_ROOT = f"{{{ARM_NS}}}AnalysisResultDisplays"


def attach_analysis_results(mdv: etree._Element, displays: etree._Element | None) -> list[Issue]:
    """Append ``displays`` (an ``arm:AnalysisResultDisplays``) to ``mdv``; an error if it is not one."""
    if displays is None:
        return []
    if displays.tag != ARM_ROOT:
        return [Issue("define.arm-not-displays", f"analysis results must be an arm:AnalysisResultDisplays "
                      f"element, not {etree.QName(displays).localname}", value=str(displays.tag))]
    mdv.append(displays)
    return []
