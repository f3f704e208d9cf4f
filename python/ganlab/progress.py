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

    def update(done: int, new_total: int) -> None:
        if bar.total != new_total:
            bar.total = new_total
        if not last[0] and done > 1:
            # A resumed run starts counting at its checkpoint's step.
            bar.update(done - 1)
            last[0] = done - 1
        if done - last[0] >= max(1, new_total // 200) or done == new_total:
            bar.update(done - last[0])
            last[0] = done

    try:
        yield update
    finally:
        bar.close()
