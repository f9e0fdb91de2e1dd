"""``python -m bertlib <command>``: the command line lives in :mod:`bertlib.cli`."""

import sys

from bertlib.cli import main

if __name__ == "__main__":
    sys.exit(main())
