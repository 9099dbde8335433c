"""`python -m bot` runs the same CLI as the `nhacviec` console script."""

from bot.cli import main

raise SystemExit(main())
