"""``python -m kgpub``: the same as the ``kgpub`` command."""

from kgpub.cli import main

if __name__ == "__main__":
    main()
