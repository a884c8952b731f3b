import sys

from quanze.cli import main

sys.exit(main())
