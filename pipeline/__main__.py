"""``python -m pipeline``: the adizwatch command line."""

import sys

from pipeline.cli import main

sys.exit(main())
