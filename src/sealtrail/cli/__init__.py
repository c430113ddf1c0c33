"""The `sealtrail` command line (Typer + Rich)."""
