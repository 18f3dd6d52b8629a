"""The installed buyernet version, in one place every layer may import.

It lives apart from the package's ``__init__`` because that module imports every other one:
a module that needs the version must not import the whole package to get it.
"""

from importlib.metadata import version

__version__: str = version("buyernet")
