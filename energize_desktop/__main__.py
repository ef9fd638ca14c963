from energize_desktop.cli import main

raise SystemExit(main())
