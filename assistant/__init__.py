"""Citation-first archive assistant: answers questions with verbatim, cited excerpts."""
__version__ = "0.1.0"
