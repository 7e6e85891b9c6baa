from benchmarks.store.cli import main

raise SystemExit(main())
