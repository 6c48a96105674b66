"""`python -m policyrules`: the same as the `policyrules` console script."""

import sys

from .cli import main

sys.exit(main())
