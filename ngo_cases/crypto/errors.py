"""Errors of the encryption layer. Messages name the table, column and row
(ids only), never a value: they may reach logs and error reports."""


class CryptoError(Exception):
    """Base class: something prevents an encrypted value from being read or written."""


class KeyConfigurationError(CryptoError):
    """The master or blind-index keys in the environment are missing or malformed."""


class KeyUnavailable(CryptoError):
    """The key a value needs is not available (unknown master version, no data key)."""


class KeyDestroyed(KeyUnavailable):
    """The data key was destroyed: the survivor was erased (crypto-shredding)."""


class DecryptionFailed(CryptoError):
    """Authentication failed: wrong key, tampered ciphertext, or a ciphertext
    moved to another row or column."""


class EncryptionRequired(CryptoError):
    """An encrypted column was written without going through the field
    (e.g. ``QuerySet.update(name=...)``), which would store plaintext."""
