"""The watermark of one ``tracks.updates`` partition, from the marks of every source.

Every input partition (source) owned by a worker sends a *mark*, its watermark and whether
it is idle, to every ``tracks.updates`` partition, after the updates it produced there
(the same producer, so a partition holds a source's updates before the mark that covers
them). :class:`Watermarks` keeps the newest mark of each source and derives:

* ``released_ms``, the event time before which the partition's held reports are stepped:
  the minimum over the sources that are not idle of ``watermark - allowed lateness``. A
  source the partition has no mark from yet, or a non-idle one without a watermark, holds
  it back: its reports may be older than everybody else's. When every source is idle
  (caught up, nothing new), it is just past the newest watermark of all: everything held
  is stepped;
* ``timers_ms``, the event time that fires lost-track timers: ``released_ms``, or while
  every source is idle, the newest watermark plus the wall-clock time since the partition
  first saw them all idle (the only use of processing time, so that a silence while the
  whole input is quiet still ends in ``track.lost``; it does not release reports). When
  traffic resumes it is ``released_ms`` again.

``released_ms`` only moves forward. Both are kept in the partition's state, so a restart
resumes them where they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple


class Mark(NamedTuple):
    wm_ms: int | None
    idle: bool


@dataclass(slots=True)
class Watermarks:
    marks: dict[str, Mark] = field(default_factory=dict)
    released_ms: int | None = None
    timers_ms: int | None = None
    all_idle_since_ms: int | None = field(default=None, compare=False)
    """Processing time at which every source was first seen idle (not stored)."""

    def copy(self) -> Watermarks:
        """A copy to change: a stored value is never changed in place (the checkpoint
        captures values by reference and serialises them later)."""
        return Watermarks(dict(self.marks), self.released_ms, self.timers_ms,
                          self.all_idle_since_ms)

    def update(self, source: str, mark: Mark) -> bool:
        """Take a source's mark; a watermark never moves back. True if anything changed."""
        old = self.marks.get(source)
        wm = mark.wm_ms
        if old is not None and old.wm_ms is not None and (wm is None or wm < old.wm_ms):
            wm = old.wm_ms
        new = Mark(wm, mark.idle)
        if new == old:
            return False
        self.marks[source] = new
        return True

    def advance(self, sources: Iterable[str], lateness_ms: int, now_ms: int,
                ) -> tuple[int | None, int | None]:
        """Recompute from the marks of the expected ``sources``; (released, timers)."""
        lowest: int | None = None
        newest: int | None = None
        busy = False
        blocked = False
        for source in sources:
            mark = self.marks.get(source)
            if mark is None:
                blocked = True
                continue
            if mark.wm_ms is not None and (newest is None or mark.wm_ms > newest):
                newest = mark.wm_ms
            if mark.idle:
                continue
            busy = True
            if mark.wm_ms is None:
                blocked = True
                continue
            low = mark.wm_ms - lateness_ms
            if lowest is None or low < lowest:
                lowest = low
        released: int | None
        if blocked:
            released = None
            self.all_idle_since_ms = None
        elif busy:
            released = lowest
            self.all_idle_since_ms = None
        else:
            released = None if newest is None else newest + 1
            if self.all_idle_since_ms is None:
                self.all_idle_since_ms = now_ms
        if released is not None and (self.released_ms is None or released > self.released_ms):
            self.released_ms = released
        timers = self.released_ms
        if not blocked and not busy and newest is not None:
            assert self.all_idle_since_ms is not None
            quiet = newest + (now_ms - self.all_idle_since_ms)
            timers = quiet if timers is None or quiet > timers else timers
        # Not kept at its highest: once traffic resumes, timers go by the reports again (a
        # replay paused longer than a lost threshold resumes with times the quiet clock has
        # passed; the tracks it declared lost stay lost, no other one is).
        self.timers_ms = timers
        return self.released_ms, self.timers_ms

    def to_dict(self) -> dict[str, object]:
        return {"marks": {s: [m.wm_ms, m.idle] for s, m in sorted(self.marks.items())},
                "released_ms": self.released_ms, "timers_ms": self.timers_ms}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Watermarks:
        marks_in = data.get("marks")
        if not isinstance(marks_in, dict):
            raise ValueError("watermarks: 'marks' is not an object")
        marks: dict[str, Mark] = {}
        for source, value in marks_in.items():
            if (not isinstance(value, list) or len(value) != 2
                    or not (value[0] is None or isinstance(value[0], int))
                    or not isinstance(value[1], bool)):
                raise ValueError(f"watermarks: bad mark {value!r} of {source!r}")
            marks[str(source)] = Mark(value[0], value[1])
        released, timers = data.get("released_ms"), data.get("timers_ms")
        if not (released is None or isinstance(released, int)) or not (
                timers is None or isinstance(timers, int)):
            raise ValueError("watermarks: released_ms and timers_ms are integers or null")
        return cls(marks, released, timers)
