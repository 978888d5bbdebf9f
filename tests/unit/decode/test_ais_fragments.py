"""The bounded reassembly buffer: completion, timeout, capacity, superseded groups."""

from __future__ import annotations

from pipeline.decode.ais_fragments import (
    FRAGMENT_TIMEOUT_MS,
    MAX_PENDING_GROUPS,
    Fragment,
    FragmentBuffer,
    Origin,
)


def _fragment(number: int, count: int = 2, received_ms: int = 0, offset: int = 0) -> Fragment:
    return Fragment(number, count, f"!AIVDM,{count},{number},1,A,x,0*00",
                    f"raw {number}", None, Origin(1, offset, received_ms))


def test_a_group_completes_in_fragment_order() -> None:
    buffer = FragmentBuffer()
    assert buffer.add("k", _fragment(2)) == (None, [])
    complete, orphans = buffer.add("k", _fragment(1))
    assert ([f.number for f in complete or []], orphans, buffer.is_empty) == ([1, 2], [], True)


def test_a_group_older_than_the_timeout_is_orphaned() -> None:
    buffer = FragmentBuffer()
    buffer.add("k", _fragment(1, received_ms=1_000, offset=41))
    assert buffer.expire(1_000 + FRAGMENT_TIMEOUT_MS) == []
    (orphan,) = buffer.expire(1_001 + FRAGMENT_TIMEOUT_MS)
    assert (orphan.why, orphan.origin.offset, orphan.payload) == ("timeout", 41, b"raw 1")
    assert "fragments 1 of 2 never completed (timeout)" in orphan.detail


def test_capacity_evicts_the_oldest_group() -> None:
    buffer = FragmentBuffer()
    for n in range(MAX_PENDING_GROUPS):
        assert buffer.add(f"k{n}", _fragment(1)) == (None, [])
    _, (orphan,) = buffer.add("new", _fragment(1))
    assert (orphan.key, orphan.why, len(buffer.groups)) == ("k0", "capacity", MAX_PENDING_GROUPS)


def test_a_reused_sequence_id_supersedes_the_incomplete_group() -> None:
    buffer = FragmentBuffer()
    buffer.add("k", _fragment(1, count=3))
    buffer.add("k", _fragment(2, count=3))
    complete, (orphan,) = buffer.add("k", _fragment(1, count=3, offset=9))
    assert (complete, orphan.why, [f.number for f in orphan.fragments]) == (
        None, "superseded", [1, 2])
    assert buffer.groups["k"][1].origin.offset == 9


def test_drain_and_stored_form() -> None:
    buffer = FragmentBuffer()
    buffer.add("a", _fragment(1))
    buffer.gatehouse = (123, 0x2B)
    restored = FragmentBuffer.from_dict(buffer.to_dict())
    assert (restored.groups, restored.gatehouse) == (buffer.groups, buffer.gatehouse)
    assert [o.key for o in restored.drain("end of input")] == ["a"]
    assert restored.groups == {}
