"""Every recorded feed in ``tests/data/feeds/`` decodes to its exact, known counts.

The counts are ours (what adizwatch accepts and rejects); where the feed's provenance
sidecar in ``../shared/feeds`` states an independent count, the comment says how ours
relates to it. ``points`` is what the merge stage publishes: records without a time of
their own take the epoch offline, so a track of an untimed feed publishes one point.
"""

from __future__ import annotations

import pytest

from tests.feeds import FeedCounts, run_feed

C = FeedCounts
EXPECTED = [
    # SBS: node-sbs1 has no times (74 positions of 5 aircraft -> one point each); N66W is
    # 1,502 timed positions of one aircraft.
    ("adsb/node-sbs1_msgs.txt", "sbs",
     C(4184, 4184, 74, 4110, 24, 5, {})),
    ("adsb/orbital-detector_N66W.sbs1", "sbs",
     C(1502, 1502, 1502, 0, 1, 1502, {})),
    # readsb aircraft.json: one record each; positions = the sidecars' "with_position".
    ("adsb/readsb_aircraft_1.json", "readsb", C(1, 64, 63, 1, 64, 63, {})),
    ("adsb/readsb_aircraft_2.json", "readsb", C(1, 69, 67, 2, 69, 67, {})),
    ("adsb/readsb_aircraft_3.json", "readsb", C(1, 80, 77, 3, 80, 77, {})),
    ("adsb/readsb_aircraft_4.json", "readsb", C(1, 59, 57, 2, 59, 57, {})),
    ("adsb/readsb_aircraft_5.json", "readsb", C(1, 120, 112, 8, 120, 112, {})),
    # readsb JSON lines: one record per line; file 3 holds 11 reports of 7 aircraft (ADS-C)
    # with non-Mode-A squawks (d276, 11919), which are absent, not errors.
    ("adsb/readsb_jsonlines_1.json", "readsb", C(48, 48, 45, 3, 48, 45, {})),
    ("adsb/readsb_jsonlines_2.json", "readsb", C(90, 90, 87, 3, 90, 87, {})),
    ("adsb/readsb_jsonlines_3.json", "readsb", C(11, 11, 11, 0, 7, 11, {})),
    # OpenSky: 5,485 states, 2 with vertical rates of 604 and -450 m/s (out_of_range).
    ("adsb/opensky_states_all_2021-10-17T1149Z.json", "opensky",
     C(1, 5483, 5382, 101, 5483, 5382, {"out_of_range": 2})),
    ("adsb/opensky_states_all_2025-12-28T0214Z.json", "opensky",
     C(1, 6553, 6486, 67, 6553, 6486, {})),
    # AIS. "messages" = messages decoded and accepted (the sidecars count every message
    # pyais decodes, including the ones we reject: MMSI 0, positions off the globe). A
    # message whose every field is "not available" (an empty type 5) yields no update.
    # bcl: 12,754 messages, 191 of them type 5 from MMSI 0 (out_of_range); 212 type 9 SAR
    # aircraft positions; an empty payload (truncated); 2 corrupt lines (bad_checksum); a
    # type 5 whose second fragment never comes (orphan_fragment).
    ("ais/bcl-aisparser_SAR.log", "ais",
     C(13408, 12563, 9369, 390, 146, 142,
       {"bad_checksum": 2, "orphan_fragment": 1, "out_of_range": 191, "truncated": 1})),
    # Kystverket: every fragment line has a wrong tag-block checksum: not enforced.
    ("ais/kystverket_2019-08-07_tagblock_1000lines.nm4", "ais",
     C(1000, 877, 743, 130, 829, 743, {})),
    # AISdb satellite: 979 messages, one type 1 from MMSI 0.
    ("ais/aisdb_satellite_2021-11-01_tagblock.nm4", "ais",
     C(997, 978, 914, 41, 820, 906, {"out_of_range": 1})),
    # DMA: 4,051 $PGHP lines give the times; 2 type 5 from MMSI 0.
    ("ais/dma-aislib_2010-06-11_pghp.nmea", "ais",
     C(8551, 4049, 2965, 484, 1711, 2940, {"out_of_range": 2})),
    ("ais/gpsd_ais-nmea-type6-fid55.log", "ais",
     C(1480, 1326, 797, 194, 957, 796, {})),
    # gpsd sample: a fragment without its "!" (unknown_format) leaves its first fragment
    # orphaned; a type 8 whose second fragment alone carries a USCG station is another source.
    ("ais/gpsd_sample.aivdm", "ais",
     C(119, 101, 14, 10, 19, 13, {"orphan_fragment": 2, "unknown_format": 1})),
    ("ais/libais_orbcomm_tagblock.nmea", "ais", C(5, 4, 3, 1, 2, 1, {})),
    # libais USCG test set: corrupted type 27 (positions off the globe, too short).
    ("ais/libais_uscg_test.aivdm", "ais",
     C(263, 248, 34, 12, 38, 34, {"out_of_range": 6, "truncated": 7})),
    # noaadata: 15 proprietary $PAIS lines are not AIS.
    ("ais/noaadata_uscg_2006-07-15.ais", "ais",
     C(1000, 853, 662, 132, 701, 657, {"unknown_format": 15})),
    # GlobalFishingWatch edge cases. spire-test: a type 5 of two tag-blocked fragments on one
    # line (every field empty: nothing to track), then a fragment with g:2-1-1 (bad_field)
    # whose first fragment is left orphaned.
    ("ais/gfw/bad-tagblock-group.nmea", "ais", C(2, 0, 0, 0, 0, 0, {"bad_field": 2})),
    ("ais/gfw/bad-type5.nmea", "ais",
     C(6, 2, 0, 2, 2, 0, {"truncated": 1, "unknown_format": 3})),
    ("ais/gfw/ee-multiline.nmea", "ais", C(10, 8, 6, 2, 4, 4, {})),
    ("ais/gfw/errors.nmea", "ais", C(5, 3, 3, 0, 2, 3, {"bad_checksum": 2})),
    ("ais/gfw/mixed_types.nmea", "ais", C(109, 99, 35, 10, 45, 35, {})),
    ("ais/gfw/multi-part.nmea", "ais", C(93, 43, 0, 10, 10, 0, {})),
    ("ais/gfw/sample.nmea", "ais", C(3, 3, 1, 2, 1, 1, {})),
    ("ais/gfw/single-message-type-5.nmea", "ais", C(1, 0, 0, 0, 0, 0, {"bad_checksum": 1})),
    ("ais/gfw/spire-test.nmea", "ais",
     C(2, 1, 0, 0, 0, 0, {"bad_field": 1, "orphan_fragment": 1})),
    ("ais/gfw/type1-bad-bitcount.nmea", "ais", C(12, 12, 12, 0, 12, 12, {})),
    ("ais/gfw/type8.nmea", "ais", C(1, 1, 0, 0, 0, 0, {})),
]


@pytest.mark.parametrize(("name", "fmt", "expected"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_feed_gives_its_exact_counts(name: str, fmt: str, expected: FeedCounts) -> None:
    assert run_feed(name, fmt).counts == expected


def test_every_feed_file_is_covered() -> None:
    from tests.feeds import FEEDS

    files = {p.relative_to(FEEDS).as_posix() for p in FEEDS.rglob("*")
             if p.is_file() and p.suffix != ".md" and "LICENSES" not in p.parts}
    assert files == {name for name, _, _ in EXPECTED}


def test_bcl_sar_log_has_212_sar_aircraft_positions() -> None:
    run = run_feed("ais/bcl-aisparser_SAR.log", "ais")
    sar = [u for u in run.updates if u["kind"] == "aircraft"]
    assert len(sar) == 212
    # One SAR aircraft (MMSI 1059), every report with a position and an altitude.
    assert {u["track_id"] for u in sar} == {"mmsi:000001059"}
    assert all(u.get("lat") is not None and u.get("altitude_ft") is not None for u in sar)


def test_readsb_military_flags_come_from_dbflags() -> None:
    military = {}
    for n in range(1, 6):
        for u in run_feed(f"adsb/readsb_aircraft_{n}.json", "readsb").updates:
            if u.get("military_flag"):  # absent: unknown
                military[u["track_id"]] = (u.get("callsign"), u.get("aircraft_type"))
    assert military == {
        "icao24:ae54cd": ("STALK88", "C30J"), "icao24:ae4c60": ("INTEL90", "B350"),
        "icao24:ae571d": ("D99", "V22"), "icao24:ae5cea": ("SKULL62", "H60"),
        "icao24:ae6247": ("WAKE22", "B212"), "icao24:ae5cda": ("SKULL78", "H60"),
        "icao24:ae00c2": ("CLUE01", "T38"), "icao24:ae11e3": ("NORSE02", "E3TF"),
        "icao24:ae29d9": (None, "C30J"), "icao24:ae5fae": (None, "B762"),
        "icao24:ae622b": ("WAKE69", "B212"), "icao24:ae622c": ("WAKE92", "B212"),
    }


def test_gfw_orphan_and_malformed_tag_block_dead_letters_keep_their_evidence() -> None:
    run = run_feed("ais/gfw/spire-test.nmea", "ais")
    by_reason = {d["reason"]: d for d in run.letters}
    assert by_reason["bad_field"]["payload"] == "\\g:2-1-1*00\\!AIVDM,2,2,1,A,00000000000,2*25"
    assert "tag_block.g" in str(by_reason["bad_field"]["detail"])
    orphan = by_reason["orphan_fragment"]
    assert orphan["payload"] == ("\\c:1662052384,s:FM112*00\\!AIVDM,2,1,1,A,502CuBh0000000000"
                                 "000000000000000000000000000040Ht00000000000,0*37")
    assert orphan["offset"] == 1  # the record the fragment came in
