"""`python -m policyrules.cli`: the same as the `policyrules` console script."""

import sys

from . import main

sys.exit(main())
