import { expect } from '@open-wc/testing';
import { parseServerMessage, tokenMessage, type ServerMessage } from '../../src/session/protocol.js';

describe('parseServerMessage', () => {
  const table: [string, ServerMessage][] = [
    ['{"type":"connected"}', { type: 'connected' }],
    ['{"type":"connected","session_id":"abc"}', { type: 'connected' }],
    ['{"type":"agent_ready"}', { type: 'agent_ready' }],
    ['{"type":"session_ended","reason":"agent_disconnected"}', { type: 'session_ended', reason: 'agent_disconnected' }],
    ['{"type":"session_ended","reason":"server_shutdown"}', { type: 'session_ended', reason: 'server_shutdown' }],
    ['{"type":"session_ended"}', { type: 'session_ended', reason: 'session_closed' }],
    ['{"type":"session_ended","reason":7}', { type: 'session_ended', reason: 'session_closed' }],
    [
      '{"type":"error","code":"rate_limited","message":"Slow down"}',
      { type: 'error', code: 'rate_limited', message: 'Slow down' },
    ],
    [
      '{"type":"error","code":"x","message":"<img src=x onerror=alert(1)>"}',
      { type: 'error', code: 'x', message: '<img src=x onerror=alert(1)>' },
    ],
    ['{"type":"error"}', { type: 'error', code: 'unknown', message: 'The voice service reported an error' }],
    [
      '{"type":"transcript","text":"hello","final":true}',
      { type: 'unknown', message: { type: 'transcript', text: 'hello', final: true } },
    ],
    ['{"type":"unknown"}', { type: 'unknown', message: { type: 'unknown' } }],
    ['{"type":""}', { type: 'unknown', message: { type: '' } }],
  ];
  for (const [data, expected] of table) {
    it(`parses ${data}`, () => expect(parseServerMessage(data)).to.deep.equal(expected));
  }

  const malformed = [
    '',
    'hello',
    '{"type":',
    'null',
    '42',
    '"connected"',
    '["connected"]',
    '{}',
    '{"type":1}',
    '{"type":null}',
    '{"kind":"connected"}',
  ];
  for (const data of malformed) {
    it(`returns null for ${JSON.stringify(data)}`, () => expect(parseServerMessage(data)).to.equal(null));
  }
});

describe('tokenMessage', () => {
  it('is exactly {"token": ...}, with JSON escaping', () => {
    expect(tokenMessage('abc')).to.equal('{"token":"abc"}');
    expect(JSON.parse(tokenMessage('a"b\\c'))).to.deep.equal({ token: 'a"b\\c' });
  });
});
