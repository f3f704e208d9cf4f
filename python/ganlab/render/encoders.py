"""Frame writers: video encoding kept apart from drawing.

A writer takes RGB or RGBA frames as uint8 arrays of shape (height, width, 3
or 4), all of one size, and does no plotting. Writers are context
managers: leaving the block normally finalizes the file, and leaving it with
an exception removes what was written, so a failed render never leaves a
half-written video behind. Files are encoded under a temporary name in the
output's directory and renamed into place only when complete.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ganlab.errors import UsageError

logger = logging.getLogger(__name__)


class FrameWriter:
    """Base class: checks frame shapes and handles the finalize-or-remove protocol."""

    def __init__(self) -> None:
        self.frames = 0
        self.frame_shape: tuple[int, int] | None = None

    def write(self, frame: np.ndarray) -> None:
        """Append one frame (height, width, 3 or 4) of uint8."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.dtype != np.uint8:
            raise ValueError(
                f"frames must be uint8 arrays of shape (height, width, 3 or 4), "
                f"got {frame.dtype} {frame.shape}"
            )
        if self.frame_shape is None:
            self.frame_shape = frame.shape[:2]
            self._open(*self.frame_shape)
        elif frame.shape[:2] != self.frame_shape:
            raise ValueError(
                f"frame {self.frames} has size {frame.shape[:2]}, but the first frame had "
                f"{self.frame_shape}; all frames must have one size"
            )
        self._write(frame[..., :3])
        self.frames += 1

    def close(self) -> None:
        """Finalize the output."""

    def abort(self) -> None:
        """Stop writing and remove partial output."""

    def _open(self, height: int, width: int) -> None:
        """Start the output once the frame size is known."""

    def _write(self, rgb: np.ndarray) -> None:
        raise NotImplementedError

    def __enter__(self) -> "FrameWriter":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class NullWriter(FrameWriter):
    """A writer that only counts frames and keeps their size; for tests and timing."""

    def __init__(self, keep: bool = False) -> None:
        super().__init__()
        self.keep = keep
        self.kept: list[np.ndarray] = []
        self.closed = False
        self.aborted = False

    def _write(self, rgb: np.ndarray) -> None:
        if self.keep:
            self.kept.append(rgb.copy())

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


class _FileWriter(FrameWriter):
    """A writer that encodes into a temporary file and renames it on ``close``."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        # The temporary name keeps the extension, because ffmpeg and Pillow pick
        # the container format from it.
        self.partial = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        self._finished = False

    def close(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self.frames == 0:
            self._remove_partial()
            raise UsageError(f"no frames were drawn, so {self.path} was not written")
        try:
            self._finish()
        except BaseException:
            self._remove_partial()
            raise
        os.replace(self.partial, self.path)
        logger.debug("encoded %d frames into %s", self.frames, self.path)

    def abort(self) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            self._cancel()
        finally:
            self._remove_partial()

    def _finish(self) -> None:
        raise NotImplementedError

    def _cancel(self) -> None:
        """Release encoder resources without completing the file."""

    def _remove_partial(self) -> None:
        try:
            self.partial.unlink()
        except FileNotFoundError:
            pass


class MP4Writer(_FileWriter):
    """H.264 (libx264) MP4 through imageio-ffmpeg, pixel format yuv420p.

    4:2:0 chroma subsampling needs even width and height, so odd frames are
    padded by one row or column that repeats the edge. ``quality`` is
    imageio-ffmpeg's 0-10 scale (10 is best).
    """

    def __init__(self, path: str | Path, fps: float = 10.0, quality: float = 7.0) -> None:
        super().__init__(path)
        if not fps > 0:
            raise UsageError(f"fps must be positive, got {fps}")
        self.fps = fps
        self.quality = quality
        self._encoder = None
        self._pad = (0, 0)

    def _open(self, height: int, width: int) -> None:
        import imageio_ffmpeg

        self._pad = (height % 2, width % 2)
        size = (width + self._pad[1], height + self._pad[0])
        self._encoder = imageio_ffmpeg.write_frames(
            str(self.partial),
            size,
            fps=self.fps,
            codec="libx264",
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            quality=self.quality,
            # Frame sizes are already even; a block size of 1 stops
            # imageio-ffmpeg from rescaling to multiples of 16.
            macro_block_size=1,
            output_params=["-movflags", "+faststart"],
        )
        self._encoder.send(None)

    def _write(self, rgb: np.ndarray) -> None:
        if any(self._pad):
            rgb = np.pad(rgb, ((0, self._pad[0]), (0, self._pad[1]), (0, 0)), mode="edge")
        self._encoder.send(np.ascontiguousarray(rgb))

    def _finish(self) -> None:
        self._encoder.close()

    def _cancel(self) -> None:
        if self._encoder is not None:
            self._encoder.close()


class GIFWriter(_FileWriter):
    """Animated GIF through Pillow, looping forever.

    Each frame is reduced to its own 256-colour palette as it arrives, which
    keeps one byte per pixel in memory until ``close`` writes the file. GIF
    stores frame durations in hundredths of a second, so fps above 50 are not
    kept exactly.
    NOTE: Pillow merges consecutive identical frames into one longer frame.
    Animation frames always differ because the title shows the step, but
    frames from another source may be merged.
    """

    def __init__(self, path: str | Path, fps: float = 10.0) -> None:
        super().__init__(path)
        if not fps > 0:
            raise UsageError(f"fps must be positive, got {fps}")
        self.fps = fps
        self._images: list = []

    def _write(self, rgb: np.ndarray) -> None:
        from PIL import Image

        image = Image.fromarray(np.ascontiguousarray(rgb), mode="RGB")
        self._images.append(image.quantize(colors=256, method=Image.Quantize.MEDIANCUT))

    def _finish(self) -> None:
        first, *rest = self._images
        first.save(
            self.partial,
            format="GIF",
            save_all=True,
            append_images=rest,
            duration=1000.0 / self.fps,
            loop=0,
            disposal=1,
        )
        self._images.clear()

    def _cancel(self) -> None:
        self._images.clear()


WRITERS = {".mp4": MP4Writer, ".gif": GIFWriter}


def open_writer(path: str | Path, fps: float = 10.0) -> FrameWriter:
    """Create the writer for ``path``'s extension (.mp4 or .gif)."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise UsageError(
            f"cannot write an animation to {path.name!r}: unsupported extension "
            f"{path.suffix or '(none)'!r}; accepted: {', '.join(WRITERS)}"
        )
    return writer(path, fps=fps)
