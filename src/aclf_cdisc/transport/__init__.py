"""Transport formats every dataset passes through: SAS XPORT v5 and CDISC Dataset-JSON v1.1.

Written here, vectorised with numpy; pyreadstat is used only as an independent reader in tests.
"""

from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptHeader, XptVariable
from aclf_cdisc.transport.xpt import read_xpt, write_xpt

__all__ = ["SpecialMissing", "XptDataset", "XptHeader", "XptVariable", "read_xpt", "write_xpt"]
