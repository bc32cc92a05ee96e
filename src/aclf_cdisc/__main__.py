"""``python -m aclf_cdisc``: the same command line as the installed ``aclf-cdisc``."""

import sys

from aclf_cdisc.cli import main

sys.exit(main())
