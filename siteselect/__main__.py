import sys

from siteselect.cli import main

sys.exit(main())
