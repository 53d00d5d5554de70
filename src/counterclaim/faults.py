"""Fault injection for crash tests: a real SIGKILL of this process at a named moment of a run.

COUNTERCLAIM_KILL_AT=NAME (`after-attributions`, `stored-3`, `provenance-claim-1`); unset, it does nothing.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT = "COUNTERCLAIM_KILL_AT"


def checkpoint(name: str) -> None:
    """SIGKILL this process when the environment names this moment (nothing is flushed or cleaned)."""
    if os.environ.get(ENVIRONMENT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
