"""Writing results: atomically, so a failed run never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from csmetrics.errors import DataError


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise DataError(path, f"cannot be written: no folder '{folder}'")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise DataError(path, f"cannot be written: {error.strerror or error}") from None
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        Path(temporary).replace(target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DataError(path, f"cannot be written: {error.strerror or error}") from None


def _umask() -> int:
    """The process umask (read by setting and restoring it), so files get the usual permissions."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
