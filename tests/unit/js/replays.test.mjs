// Unit tests for the past-broadcasts list's pure helpers (owncastd/http/static/replays.js).
// Run with `node --test tests/unit/js/`; tests/unit/test_chat_js.py runs them under pytest.

import assert from 'node:assert/strict';
import test from 'node:test';

import { clockText, dateText } from '../../../owncastd/http/static/replays.js';

test('durations read as a clock', () => {
  assert.equal(clockText(0), '0:00');
  assert.equal(clockText(65.4), '1:05');
  assert.equal(clockText(3723), '1:02:03');
  assert.equal(clockText(-5), '0:00');
  assert.equal(clockText('junk'), '0:00');
});

test('dates use the locale, unreadable ones are shown as given', () => {
  assert.match(dateText('2026-03-01T18:00:00.000Z'), /2026/);
  assert.equal(dateText('not a date'), 'not a date');
  assert.equal(dateText(undefined), '');
});
