"""``python -m hcims``: the same as the ``hcims`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
