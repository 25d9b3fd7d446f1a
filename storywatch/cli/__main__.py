"""``python -m storywatch.cli``."""

import sys

from storywatch.cli import main

sys.exit(main())
