"""``python -m dermbill`` runs the CLI."""

from dermbill.cli.main import main

raise SystemExit(main())
