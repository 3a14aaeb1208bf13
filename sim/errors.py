"""Input errors that name the field, the value and what is allowed.

Every bad configuration value, CLI argument or scenario file ends in one
`InputError`; the command line turns it into one message and exit status 2.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """A user-supplied value is not acceptable.

    Args:
        field: dotted name of the field (``levers.case_table``, ``domains.debt.onset_rate``).
        value: the offending value as given.
        allowed: what would have been accepted, in words.
        where: the file or source the value came from, if any.

    Example:
        >>> str(InputError("seed", -1, "an integer >= 0"))
        "seed: got -1; allowed: an integer >= 0"
    """

    def __init__(self, field: str, value: Any, allowed: str, where: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field}: got {value!r}; allowed: {allowed}")
