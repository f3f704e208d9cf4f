"""Progress bars for long commands, shown only on a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, description: str, enabled: bool | None = None,
                 unit: str = "step") -> Iterator[Callable[[int, int], None]]:
    """Yield a callback ``update(done, total)`` that advances a tqdm bar on stderr.

    With ``enabled=None`` the bar shows only when stderr is a terminal.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    bar = tqdm(total=total, desc=description, unit=unit, disable=not enabled, file=sys.stderr,
               dynamic_ncols=True, leave=False)
    last = [0]

    def update(done: int, _total: int) -> None:
        if done - last[0] >= max(1, total // 200) or done == total:
            bar.update(done - last[0])
            last[0] = done

    try:
        yield update
    finally:
        bar.close()
