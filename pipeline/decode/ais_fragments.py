"""Reassembly of multi-sentence AIS messages, bounded, with orphans reported.

A type 5 (and any message longer than one sentence's payload) arrives as 2 to 9 fragments,
``!AIVDM,2,1,3,B,...`` then ``!AIVDM,2,2,3,B,...``, possibly in separate records and with
unrelated sentences in between (satellite relays interleave). Fragments are grouped by

- the tag-block sentence group ``g:<n>-<total>-<id>`` when there is one (only the first
  fragment of a group need carry ``s:``), else
- source (tag-block ``s:`` or USCG station) + channel + sequence id + fragment count,

within one *stream*: the records of one Kafka key, which the app keeps in one table entry
(producers key ``ais.nmea`` records by receiver, so a receiver's fragments meet on one
partition). Callers pass the record's timestamp; nothing here reads a clock.

Bounds (each eviction yields an :class:`Orphan`, dead-lettered as ``orphan_fragment``):

- a group still incomplete :data:`FRAGMENT_TIMEOUT_MS` after its first fragment's record is
  evicted when the stream's next record arrives (``timeout``);
- at most :data:`MAX_PENDING_GROUPS` groups wait per stream; a new one evicts the oldest
  (``capacity``);
- a fragment whose number is already in its group means the sequence id was reused for a
  new message: the old group is evicted (``superseded``);
- at the end of an offline decode everything left is evicted (``end of input``).

The buffer also carries a pending Gatehouse ``$PGHP`` timestamp over to the stream's next
sentence when a record ends with one.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAGMENT_TIMEOUT_MS = 120_000
"""Fragments of one message are sent back to back; satellite relays may hold them apart for
tens of seconds. Two minutes of record time covers both without holding garbage long."""

MAX_PENDING_GROUPS = 32
"""Sequence ids cycle 0-9 per channel, so a healthy receiver has a handful in flight."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a fragment came from: its record's partition, offset and timestamp."""

    partition: int | None
    offset: int | None
    received_ms: int


@dataclass(frozen=True, slots=True)
class Fragment:
    number: int
    count: int
    sentence: str  # the NMEA sentence, for the AIS decoder
    raw: str  # the segment as received, for a dead letter
    time_ms: int | None  # receiver time (tag block, USCG trailer or $PGHP)
    origin: Origin


@dataclass(frozen=True, slots=True)
class Orphan:
    """An incomplete group evicted from the buffer."""

    key: str
    fragments: tuple[Fragment, ...]
    why: str

    @property
    def origin(self) -> Origin:
        return self.fragments[0].origin

    @property
    def payload(self) -> bytes:
        return "\n".join(f.raw for f in self.fragments).encode("ascii")

    @property
    def detail(self) -> str:
        have = ",".join(str(f.number) for f in self.fragments)
        return (f"fragments {have} of {self.fragments[0].count} never completed ({self.why}); "
                f"group {self.key}")


class FragmentBuffer:
    """The pending groups of one stream, oldest first, and a pending ``$PGHP`` time."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[int, Fragment]] = {}
        self.gatehouse: tuple[int, int | None] | None = None
        self.changed = False
        self._oldest_ms: int | None = None  # first-fragment record time of the oldest group

    @property
    def is_empty(self) -> bool:
        return not self.groups and self.gatehouse is None

    def expire(self, now_ms: int) -> list[Orphan]:
        """Evict the groups older than the timeout at record time ``now_ms``."""
        if not self.groups:
            return []
        if self._oldest_ms is None:
            self._oldest_ms = min(_first(group).origin.received_ms
                                  for group in self.groups.values())
        if now_ms - self._oldest_ms <= FRAGMENT_TIMEOUT_MS:
            return []  # the common case, checked without looking at every group
        stale = [key for key, group in self.groups.items()
                 if now_ms - _first(group).origin.received_ms > FRAGMENT_TIMEOUT_MS]
        return [self._evict(key, "timeout") for key in stale]

    def add(self, key: str, fragment: Fragment) -> tuple[list[Fragment] | None, list[Orphan]]:
        """Add a fragment of group ``key``.

        Returns:
            The group's fragments in order when this one completes it, else None; and the
            groups evicted to make room.
        """
        orphans: list[Orphan] = []
        group = self.groups.get(key)
        if group is not None and fragment.number in group:
            orphans.append(self._evict(key, "superseded"))
            group = None
        if group is None:
            if len(self.groups) >= MAX_PENDING_GROUPS:
                orphans.append(self._evict(next(iter(self.groups)), "capacity"))
            group = self.groups[key] = {}
        group[fragment.number] = fragment
        self.changed = True
        self._oldest_ms = None
        if len(group) < fragment.count:
            return None, orphans
        del self.groups[key]
        return [group[n] for n in sorted(group)], orphans

    def drain(self, why: str) -> list[Orphan]:
        """Evict every pending group (end of an offline decode)."""
        return [self._evict(key, why) for key in list(self.groups)]

    def _evict(self, key: str, why: str) -> Orphan:
        group = self.groups.pop(key)
        self.changed = True
        self._oldest_ms = None
        return Orphan(key, tuple(group[n] for n in sorted(group)), why)

    def to_dict(self) -> dict[str, object]:
        """The stored form (a table value): plain JSON types."""
        return {
            "groups": [[key, [[f.number, f.count, f.sentence, f.raw, f.time_ms,
                               f.origin.partition, f.origin.offset, f.origin.received_ms]
                              for f in group.values()]]
                       for key, group in self.groups.items()],
            "gatehouse": None if self.gatehouse is None else list(self.gatehouse),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FragmentBuffer:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            ValueError: not a stored buffer.
        """
        buffer = cls()
        groups = data.get("groups")
        if not isinstance(groups, list):
            raise ValueError("fragment buffer without groups")
        for entry in groups:
            key, fragments = entry
            group = buffer.groups[str(key)] = {}
            for number, count, sentence, raw, time_ms, partition, offset, received in fragments:
                group[int(number)] = Fragment(
                    int(number), int(count), str(sentence), str(raw),
                    None if time_ms is None else int(time_ms),
                    Origin(None if partition is None else int(partition),
                           None if offset is None else int(offset), int(received)))
        gatehouse = data.get("gatehouse")
        if gatehouse is not None:
            if not isinstance(gatehouse, list) or len(gatehouse) != 2:
                raise ValueError("fragment buffer with a bad gatehouse entry")
            buffer.gatehouse = (int(gatehouse[0]),
                                None if gatehouse[1] is None else int(gatehouse[1]))
        return buffer


def _first(group: dict[int, Fragment]) -> Fragment:
    return min(group.values(), key=lambda f: f.origin.received_ms)
