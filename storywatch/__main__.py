"""``python -m storywatch``."""

import sys

from storywatch.cli import main

sys.exit(main())
