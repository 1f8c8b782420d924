"""``python -m gtvviz`` runs the ``gtvviz`` command."""

import sys

from gtvviz.cli import main

sys.exit(main())
