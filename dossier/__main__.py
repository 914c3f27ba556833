"""``python -m dossier`` runs the CLI."""

from dossier.cli import run

if __name__ == "__main__":
    run()
