"""Dedupe failures.

DedupeError
 └── FingerprintFormatError  (a stored fingerprint JSON cannot be read back)
"""


class DedupeError(Exception):
    """Base of every dedupe failure."""


class FingerprintFormatError(DedupeError):
    """A serialised fingerprint is malformed or from an incompatible scheme."""
