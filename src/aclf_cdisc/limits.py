"""Transport limits fixed by SAS XPORT v5 and the FDA Technical Conformance Guide.

Kept in one place so no other module restates them.
"""

import re

MAX_NAME_LENGTH = 8  # dataset and variable names
MAX_LABEL_BYTES = 40  # dataset and variable labels
MAX_CHAR_BYTES = 200  # character values and lengths
NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
MAX_XPT_BYTES = 5 * 1024**3  # FDA: split datasets above 5 GB
