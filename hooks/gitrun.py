"""How the template's own Python runs git: its hooks, its maintainer scripts and its benchmarks.

One function, so every call has the same shape: the folder first, text output captured, no
prompt (a credential prompt would hang a hook or a fleet run), a timeout. The crates' scripts
(``template/scripts``) keep their own: they ship alone.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

#: Seconds a git command may take by default (a local one takes well under one; a clone or an
#: ``ls-remote`` goes online).
TIMEOUT = 300.0
#: Git never asks for credentials: a repository it cannot read fails at once.
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}


def git(
    cwd: Path | str | None,
    *args: str,
    check: bool = True,
    timeout: float = TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git *args`` in ``cwd`` (``None``: the current folder) and return the completed
    process, stdout and stderr as text.

    Args:
        cwd: the folder git runs in.
        args: git's arguments.
        check: raise when git exits non-zero.
        timeout: seconds before git is stopped.
        env: variables added to this process's environment (an identity, say).

    Raises:
        subprocess.CalledProcessError: git failed and ``check``.
        subprocess.TimeoutExpired: git took more than ``timeout`` seconds.
        OSError: git is not installed.
    """
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **NO_PROMPT, **(env or {})},
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def git_out(cwd: Path | str | None, *args: str, timeout: float = TIMEOUT, env: Mapping[str, str] | None = None) -> str:
    """Run ``git *args`` in ``cwd`` (see :func:`git`) and return its stdout.

    Raises:
        subprocess.CalledProcessError: git failed.
        subprocess.TimeoutExpired: git took more than ``timeout`` seconds.
        OSError: git is not installed.
    """
    return git(cwd, *args, timeout=timeout, env=env).stdout
