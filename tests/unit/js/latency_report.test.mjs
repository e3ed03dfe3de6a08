// Unit tests for the viewer page's latency helpers (owncastd/http/static/latency-report.js).
// Run with `node --test tests/unit/js/`; tests/unit/test_chat_js.py runs them under pytest.

import assert from 'node:assert/strict';
import test from 'node:test';

import {
  clockSample,
  liveEdgeLatency,
  median,
  playheadDateMs,
  usableLatency,
} from '../../../owncastd/http/static/latency-report.js';

test('usableLatency keeps finite figures within 0..600 s', () => {
  assert.equal(usableLatency(4.2), 4.2);
  assert.equal(usableLatency(600), 600);
  for (const bad of [0, -1, 600.1, NaN, Infinity, undefined, null]) {
    assert.equal(usableLatency(bad), null, String(bad));
  }
});

test('median of odd and even counts, null when empty', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('clockSample takes the server time against the middle of the round trip', () => {
  const sent = Date.parse('2026-12-04T05:00:00.000Z');
  const sample = clockSample(sent, sent + 200, '2026-12-04T05:00:02.100Z');
  assert.deepEqual(sample, { offsetMs: 2000, rttMs: 200 });
  assert.equal(clockSample(sent, sent + 10, 'not a time'), null);
  assert.equal(clockSample(sent, sent - 10, '2026-12-04T05:00:00Z'), null);
});

test('live edge: hls.js latency, or the seekable end minus currentTime', () => {
  assert.equal(liveEdgeLatency({}, { latency: 3.5 }), 3.5);
  assert.equal(liveEdgeLatency({}, { latency: NaN }), null);
  const seekable = { length: 1, end: () => 100 };
  assert.equal(liveEdgeLatency({ seekable, currentTime: 94 }, null), 6);
  assert.equal(liveEdgeLatency({ seekable: { length: 0 }, currentTime: 1 }, null), null);
});

test('playhead program date-time: hls.js playingDate, or getStartDate() + currentTime', () => {
  const date = new Date('2026-12-04T05:00:00.000Z');
  assert.equal(playheadDateMs({}, { playingDate: date }), date.getTime());
  assert.equal(playheadDateMs({}, { playingDate: null }), null);
  const native = { getStartDate: () => date, currentTime: 2.5 };
  assert.equal(playheadDateMs(native, null), date.getTime() + 2500);
  const noDate = { getStartDate: () => new Date(NaN), currentTime: 2.5 };
  assert.equal(playheadDateMs(noDate, null), null);
});
