"""Exceptions raised by buyernet.

Every error about buyernet's parameters, files and results derives from
:class:`BuyernetError`; where Python has a name for the error already, buyernet uses it:
``TypeError`` for a value of the wrong type, ``MemoryError`` for work refused because it
would not fit in memory, ``KeyboardInterrupt`` for Ctrl-C, ``ImportError`` for an optional
library that is not installed (pandas, dask), and ``ValueError`` from the
:mod:`buyernet.stats` helpers for arrays of mismatched shapes. Bad parameters raise
:class:`ParameterError`, which is also a :class:`ValueError`, so code that already catches
``ValueError`` keeps working::

    >>> import buyernet
    >>> try:
    ...     buyernet.Graph.erdos_renyi(10, mean_degree=20, seed=1)
    ... except ValueError as err:
    ...     print(err)
    mean_degree must be in [0, n - 1] = [0, 9]; got 20
"""

from __future__ import annotations

__all__ = ["BuyernetError", "ParameterError"]


class BuyernetError(Exception):
    """The root of buyernet's exceptions.

    Example:
        >>> issubclass(ParameterError, BuyernetError)
        True
    """


class ParameterError(BuyernetError, ValueError):
    """A parameter is outside its allowed range; the message names it and the range, and
    ``path`` holds where it sits in a nested configuration, as a tuple (where known).

    Example:
        >>> import buyernet
        >>> try:
        ...     buyernet.Market().replace(needs={"in_market_share": 2.0})
        ... except ParameterError as err:
        ...     print(err.path)
        ('needs', 'in_market_share')
    """
