"""``python -m sphinx_apidocs`` runs the CLI."""

import sys

from sphinx_apidocs.cli import main

sys.exit(main())
