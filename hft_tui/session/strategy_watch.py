"""Watching the running user strategies' files for ``--reload`` (watchfiles).

The directories holding the files are watched, not the files: an editor that saves by
writing a new file and renaming it over the old one replaces the file a watch was on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from watchfiles import awatch

# A save is often several writes: the changes of this long are taken as one.
DEBOUNCE_MS = 300


async def changed_strategies(files: Mapping[str, Path]) -> AsyncIterator[list[str]]:
    """The names of the strategies whose file changed, once per batch of changes, for ever."""
    by_path = {path.resolve(): name for name, path in files.items()}
    if not by_path:
        return
    async for changes in awatch(*sorted({path.parent for path in by_path}), debounce=DEBOUNCE_MS,
                                recursive=False):
        names = sorted({by_path[p] for p in (Path(raw).resolve() for _, raw in changes) if p in by_path})
        if names:
            yield names
