"""Storage failures.

StorageError
 └── (raised for any database problem the caller should report, never a raw driver error)
"""


class StorageError(Exception):
    """The database could not do what was asked; the message is safe to show."""
