"""The `agora` command line: the top layer, which starts every service (`cli.main`)."""
