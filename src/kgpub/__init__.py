"""kgpub: publish facts reported in the news as validated Linked Data, with who said what."""

__version__ = "0.1.0"

__all__ = ["__version__"]
