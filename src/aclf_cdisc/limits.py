"""Transport limits fixed by SAS XPORT v5 and the FDA Technical Conformance Guide.

Kept in one place so no other module restates them.
"""

import re
from typing import Any

MAX_NAME_LENGTH = 8  # dataset and variable names
MAX_LABEL_BYTES = 40  # dataset and variable labels
MAX_CHAR_BYTES = 200  # character values and lengths
NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
MAX_XPT_BYTES = 5 * 1024**3  # FDA: split datasets above 5 GB

# The build's own bounds, refused on the command line (aclf_cdisc.commands.arguments):
MAX_SUBJECTS = 100_000  # the largest study simulated: the size the build is measured at (README, Performance)
# worker processes of a build at most: each holds a block's working frames (about 100 MB at the
# default block size) and its own copy of the page's imports; more than this is a typing mistake
MAX_WORKERS = 64


def longest_text_bytes(values: Any) -> int:
    """The longest text among ``values`` (a pandas Series or numpy array) in UTF-8 bytes; 0 without text.

    Values that are not text (missing, numbers) do not count. Each distinct value is measured once:
    columns repeat few distinct values over many records; a compacted column's are its categories
    (:mod:`aclf_cdisc.compact`), so its records are not read.

    >>> import pandas as pd
    >>> longest_text_bytes(pd.Series(["a", None, "é", "a"]))
    2
    >>> longest_text_bytes(pd.Series([None, 1.5]))
    0
    """
    import pandas as pd  # here, so that importing the limits costs nothing

    kind = getattr(values, "dtype", None)
    distinct = values.cat.categories if isinstance(kind, pd.CategoricalDtype) else pd.unique(values)
    return max((len(value.encode("utf-8")) for value in distinct if isinstance(value, str)), default=0)
