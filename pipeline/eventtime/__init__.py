"""Event time across input partitions: watermarks, lateness, hostile times, release order.

The model (``docs/time.md``), after Apache Flink's and Kafka Streams':

* each input partition (a *source*: ``adsb.sbs`` partition 3, say) has a watermark, the
  newest report time accepted on it (:mod:`.source_clock`), which also judges each report
  (late, dated impossibly far ahead, or accepted);
* the track stage of a ``tracks.updates`` partition holds the reports it receives until the
  minimum over the sources' watermarks, less the allowed lateness, has passed them, then
  steps each track in event-time order (:mod:`.watermarks`, :mod:`.pending`); a source that
  is caught up and has delivered nothing for the idle timeout drops out of the minimum;
* lost-track timers fire on that same watermark; when every source is idle, event time is
  taken to run on at the wall clock's pace from the newest report, so a silence still ends
  in ``track.lost``.

Everything here is pure: the caller hands in times, including the processing time.
"""
