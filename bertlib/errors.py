"""The base of every error bertlib raises on purpose: its message says what to do."""


class BertlibError(Exception):
    """Bad input or an impossible request; the CLI prints the message and exits non-zero."""
