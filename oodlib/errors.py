"""The exceptions oodlib raises: each message names the problem and the fix."""


class OodlibError(Exception):
    """Base class of every error oodlib raises on purpose."""


class DatasetMissing(OodlibError, FileNotFoundError):
    """A registered dataset whose files are not on this machine."""


class UnknownName(OodlibError, KeyError):
    """A dataset, method, profile or model name that is not registered."""

    def __str__(self):  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class BadInput(OodlibError, ValueError):
    """A tensor or array with the wrong shape, dtype, range or NaNs."""
