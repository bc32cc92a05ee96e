"""def:Standards: the implementation guide of a define and the CDISC CT packages its codelists use.

OIDs: ``STD.IG.<IG name>`` and ``STD.CT.<publishing set>`` (``STD.CT.SDTM``, ``STD.CT.ADaM``).
A CT package is listed only when a codelist of the define references it, so no def:Standard is an
orphan; its version comes from ``study.yaml`` ``ct_versions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lxml import etree

from aclf_cdisc.define.common import deff
from aclf_cdisc.errors import Issue

IG_STANDARDS: dict[str, tuple[str, str]] = {"SDTM": ("SDTMIG", "3.4"), "ADaM": ("ADaMIG", "1.3")}
DEFINE_VERSION = "2.1.0"
CT_ORDER = ("ADaM", "SDTM")  # order of the CT def:Standard elements in a define


def ig_standard_oid(standard: str) -> str:
    """The OID of a define's implementation guide.

    >>> ig_standard_oid("ADaM")
    'STD.IG.ADaMIG'
    """
    return f"STD.IG.{IG_STANDARDS[standard][0]}"


def ct_standard_oid(package: str) -> str:
    """The OID of a CDISC CT package's def:Standard.

    >>> ct_standard_oid("SDTM")
    'STD.CT.SDTM'
    """
    return f"STD.CT.{package}"


def _standard(parent: etree._Element, attrs: Iterable[tuple[str, str]]) -> etree._Element:
    el = etree.SubElement(parent, deff("Standard"))
    for key, value in attrs:
        el.set(key, value)
    return el


def standards_element(standard: str, ct_packages: Iterable[str],
                      ct_versions: Mapping[str, str]) -> tuple[etree._Element, list[Issue]]:
    """``def:Standards`` with the IG and each CT package in ``ct_packages`` (with its version).

    A package without a version in ``ct_versions`` is an error: the define could not say which
    terminology release its codelists follow.
    """
    standards = etree.Element(deff("Standards"))
    name, version = IG_STANDARDS[standard]
    _standard(standards, (("OID", ig_standard_oid(standard)), ("Name", name), ("Type", "IG"),
                          ("Version", version), ("Status", "Final")))
    problems: list[Issue] = []
    wanted = set(ct_packages)
    for package in [p for p in CT_ORDER if p in wanted] + sorted(wanted - set(CT_ORDER)):
        release = ct_versions.get(package)
        if not release:
            problems.append(Issue("define.ct-version-missing", f"codelists use CDISC {package} CT but "
                                  f"study ct_versions gives no {package} version", value=package,
                                  expected=f"ct_versions: {{{package}: YYYY-MM-DD}}"))
            continue
        _standard(standards, (("OID", ct_standard_oid(package)), ("Name", "CDISC/NCI"), ("Type", "CT"),
                              ("PublishingSet", package), ("Version", str(release)), ("Status", "Final")))
    return standards, problems
