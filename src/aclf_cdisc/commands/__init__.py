"""One module per ``aclf-cdisc`` subcommand: ``register(subparsers)`` adds it, ``args.run`` runs it."""
