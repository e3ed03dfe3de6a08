// Unit tests for the viewer page's LL-HLS choice (owncastd/http/static/llhls.js).

import assert from 'node:assert/strict';
import test from 'node:test';

import { chooseStreamUrl, hlsConfigFor, lowLatencyUrl } from '../../../owncastd/http/static/llhls.js';

test('the LL-HLS playlist is used only when /api/config names one', () => {
  assert.equal(lowLatencyUrl({ lowLatencyStream: '/hls/ll/stream.m3u8' }), '/hls/ll/stream.m3u8');
  assert.equal(lowLatencyUrl({}), null);
  assert.equal(lowLatencyUrl(null), null);
  assert.equal(lowLatencyUrl({ lowLatencyStream: 'https://elsewhere/x.m3u8' }), null);
  assert.equal(lowLatencyUrl({ lowLatencyStream: 42 }), null);
});

test('a failed LL-HLS playlist falls back to the classic one', () => {
  const classic = '/hls/stream.m3u8';
  const ll = '/hls/ll/stream.m3u8';
  assert.equal(chooseStreamUrl(classic, ll, false), ll);
  assert.equal(chooseStreamUrl(classic, ll, true), classic);
  assert.equal(chooseStreamUrl(classic, null, false), classic);
});

test('LL-HLS leaves the live-sync distance to the playlist (PART-HOLD-BACK)', () => {
  const base = { lowLatencyMode: true, liveSyncDurationCount: 3, liveMaxLatencyDurationCount: 8 };
  assert.deepEqual(hlsConfigFor(base, true), { lowLatencyMode: true });
  assert.deepEqual(hlsConfigFor(base, false), base);
  assert.notEqual(hlsConfigFor(base, false), base); // a copy: hls.js may change it
});
