"""``python -m dossier`` runs the CLI."""

from dossier.cli import main

if __name__ == "__main__":
    main()
