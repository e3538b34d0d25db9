"""A Rust crate built on the org's ReasonKit stack

The Python package of the Rust crate `mcp-tools`: the work runs in Rust (PyO3 bindings,
compiled into ``mcp_tools._core``), this package re-exports it.
"""

from ._core import *  # noqa: F403  (PyO3 keeps the extension module's __all__)
from ._core import __all__
