// Unit tests for the chat panel's pure helpers (owncastd/http/static/chat-protocol.js).
// Run with `node --test tests/unit/js/`; tests/unit/test_chat_js.py runs them under pytest.

import assert from 'node:assert/strict';
import test from 'node:test';

import {
  BACKOFF_MAX_MS,
  backoffDelay,
  colorIndex,
  displayName,
  draftSize,
  isEmojiSrc,
  isModerator,
  parseFrame,
  payloadBytes,
  safeHref,
  socketUrl,
  staleMessageIds,
} from '../../../owncastd/http/static/chat-protocol.js';

test('a frame of several newline-joined events gives each event, skipping junk lines', () => {
  const frame = [
    '{"type":"CHAT","id":"a","body":"<p>hi</p>"}',
    '',
    'not json',
    '{"no":"type"}',
    '[1,2]',
    '{"type":"USER_JOINED","id":"b"}',
  ].join('\n');
  assert.deepEqual(
    parseFrame(frame).map((e) => e.id),
    ['a', 'b'],
  );
  assert.deepEqual(parseFrame(new ArrayBuffer(4)), []);
  assert.deepEqual(parseFrame('{"type":"CHAT","id":"x"}\r\n'), [{ type: 'CHAT', id: 'x' }]);
});

test('payload size counts UTF-8 bytes of the whole JSON frame', () => {
  assert.equal(payloadBytes({ type: 'CHAT', body: 'a' }), '{"type":"CHAT","body":"a"}'.length);
  const empty = '{"type":"CHAT","body":""}'.length;
  // é is 2 bytes, 😀 is 4; quotes are escaped in JSON.
  assert.equal(payloadBytes({ type: 'CHAT', body: 'é😀' }), empty + 6);
  assert.equal(payloadBytes({ type: 'CHAT', body: '"' }), empty + 2);
});

test('draft size: exactly at the limit is allowed, one byte more is over', () => {
  const overhead = payloadBytes({ type: 'CHAT', body: '' });
  const fits = 'x'.repeat(2048 - overhead);
  assert.deepEqual(draftSize(fits), { bytes: 2048, limit: 2048, over: false, near: true });
  assert.equal(draftSize(`${fits}x`).over, true);
  assert.equal(draftSize('é'.repeat(1100)).over, true); // 1100 characters but 2200 bytes
  assert.equal(draftSize('short').near, false);
  assert.equal(draftSize('x'.repeat(100), 64).over, true);
});

test('backoff doubles from 1 s, is capped at 30 s and jitters within the upper half', () => {
  assert.equal(backoffDelay(0, () => 1), 1000);
  assert.equal(backoffDelay(0, () => 0), 500);
  assert.equal(backoffDelay(3, () => 1), 8000);
  assert.equal(backoffDelay(4, () => 0.5), 12000);
  assert.equal(backoffDelay(20, () => 1), BACKOFF_MAX_MS);
  assert.equal(backoffDelay(1000, () => 0), BACKOFF_MAX_MS / 2);
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const delay = backoffDelay(attempt);
    assert.ok(delay >= 500 && delay <= BACKOFF_MAX_MS, `attempt ${attempt}: ${delay}`);
  }
});

test('moderator is MODERATOR in scopes, nothing else', () => {
  assert.equal(isModerator({ scopes: ['MODERATOR'] }), true);
  assert.equal(isModerator({ scopes: ['CAN_SEND_MESSAGES'] }), false);
  assert.equal(isModerator({ scopes: 'MODERATOR' }), false);
  assert.equal(isModerator({ isModerator: true }), false);
  assert.equal(isModerator(null), false);
});

test('colour index is an integer 0..7, anything else falls back to 0', () => {
  assert.equal(colorIndex(7), 7);
  assert.equal(colorIndex('3'), 3);
  for (const bad of [8, -1, 1.5, 182, 'red', null, undefined, '1);background:url(x)']) {
    assert.equal(colorIndex(bad), 0, String(bad));
  }
});

test('display name is trimmed and never empty', () => {
  assert.equal(displayName({ displayName: '  Ann ' }), 'Ann');
  assert.equal(displayName({ displayName: '' }), 'Someone');
  assert.equal(displayName({ displayName: 42 }, 'X'), 'X');
});

test('stale ids: CHAT rows inside the history window that history no longer has', () => {
  const at = (id, minute, type = 'CHAT') => ({
    id,
    type,
    timestamp: `2026-03-01T12:${String(minute).padStart(2, '0')}:00Z`,
  });
  const shown = [
    at('old', 1),
    at('a', 5),
    at('hidden', 6),
    at('b', 7),
    at('join', 6, 'USER_JOINED'),
    at('new', 9),
  ];
  const history = [at('a', 5), at('b', 7)];
  assert.deepEqual(staleMessageIds(shown, history), ['hidden']);
  assert.deepEqual(staleMessageIds(shown, []), []);
});

test('links: http(s) only, resolved against the page', () => {
  const base = 'http://example.test/';
  assert.equal(safeHref('https://a.example/x?y=1', base), 'https://a.example/x?y=1');
  assert.equal(safeHref('/public/x', base), 'http://example.test/public/x');
  const bad = ['javascript:alert(1)', ' JaVaScRiPt:x', 'data:text/html,x', 'vbscript:x', '', null];
  for (const href of bad) {
    assert.equal(safeHref(href, base), null, String(href));
  }
  assert.equal(safeHref('java\tscript:alert(1)', base), null);
});

const PAGE = 'https://stream.example/embed/chat/readwrite';

test('emoji images only from /img/emoji/', () => {
  for (const good of ['/img/emoji/blob/party.gif', '/img/emoji/a.png', '/img/emoji/Cat_2-b.webp']) {
    assert.equal(isEmojiSrc(good, PAGE), true, good);
  }
  for (const bad of [
    'https://evil.example/img/emoji/x.png',
    'https://stream.example/img/emoji/x.png', // absolute: the server never sends that
    '//evil.example/img/emoji/x.png',
    '/img/emoji/../../api/admin',
    '/img/emoji/..',
    '/img/emoji\\..\\x',
    'javascript:alert(1)',
    '/img/emojis.png',
    '/img/emoji/',
    null,
  ]) {
    assert.equal(isEmojiSrc(bad, PAGE), false, String(bad));
  }
});

test('emoji src: no encoding, backslash or dot segment can leave /img/emoji/', () => {
  for (const bad of [
    '/img/emoji/%2e%2e/%2e%2e/api/admin/update/forcequit', // the reported attack
    '/img/emoji/%2E%2E/%2E%2E/api/admin/disconnect',
    '/img/emoji/.%2e/.%2e/api/admin/yp/reset',
    '/img/emoji/%252e%252e/%252e%252e/api/admin/update/forcequit', // double encoding
    '/img/emoji/..%2f..%2fapi/admin/update/forcequit',
    '/img/emoji/..%5c..%5capi/admin/update/forcequit',
    '/img/emoji/a\\..\\..\\api\\admin\\update\\forcequit',
    '/img/emoji/./x.png',
    '/img/emoji/x/../../../api/admin/disconnect',
    '/img/emoji//evil.example/x.png',
    '/img/emoji/x.png?/../../api',
    '/img/emoji/x.png#x',
    '/img/emoji/x png.png',
    '/img/emoji/\u00e9.png',
    '/img/emoji/x.png\n',
  ]) {
    assert.equal(isEmojiSrc(bad, PAGE), false, bad);
  }
  // Without a page to resolve against (or an opaque one) nothing is an emoji.
  assert.equal(isEmojiSrc('/img/emoji/a.png', undefined), false);
  assert.equal(isEmojiSrc('/img/emoji/a.png', 'about:blank'), false);
});

test('websocket URL: same host, ws or wss, token in the query, socketHostOverride honoured', () => {
  const page = { href: 'http://example.test:8080/embed/chat/readwrite' };
  assert.equal(socketUrl(page, 'a+b/c'), 'ws://example.test:8080/ws?accessToken=a%2Bb%2Fc');
  assert.equal(
    socketUrl({ href: 'https://example.test/' }, 't'),
    'wss://example.test/ws?accessToken=t',
  );
  assert.equal(
    socketUrl(page, 't', 'https://chat.example.test'),
    'wss://chat.example.test/ws?accessToken=t',
  );
  assert.equal(
    socketUrl(page, 't', 'chat.example.test:9000'),
    'ws://chat.example.test:9000/ws?accessToken=t',
  );
  assert.equal(socketUrl(page, 't', ''), 'ws://example.test:8080/ws?accessToken=t');
});
