// Property-based tests of what the session parses from outside: server text frames and token answers.
// Whatever arrives, the parsers never throw anything but a VoiceAgentError with a stable code.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { VoiceAgentError } from '../../src/errors.js';
import { parseServerMessage } from '../../src/session/protocol.js';
import { checkWsUrl, parseTokenHttpResponse, parseTokenResponse } from '../../src/session/token.js';

const RUNS = { numRuns: 300 };
const KNOWN = ['connected', 'agent_ready', 'session_ended', 'error'];

/** JSON-shaped values, with the protocol's field names and types likely enough to matter. */
const fields = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(...KNOWN, 'transcript', '', '__proto__'),
      fc.string(),
      fc.integer(),
      fc.constant(null),
    ),
    reason: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    code: fc.oneof(fc.string(), fc.boolean()),
    message: fc.oneof(fc.string(), fc.object()),
  },
  { requiredKeys: [] },
);
const frames = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json(),
  fields.map((v) => JSON.stringify(v)),
  fc.anything().map((v) => JSON.stringify(v) ?? 'undefined'),
);

/** Runs `fn`; passes if it returns, or throws a VoiceAgentError whose code is one of `codes`. */
function onlyThrows(codes: string[], fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    expect(err).to.be.instanceOf(VoiceAgentError);
    expect(codes).to.include((err as VoiceAgentError).code);
    expect((err as VoiceAgentError).message)
      .to.be.a('string')
      .and.not.equal('');
    return undefined;
  }
}

describe('fuzz: parseServerMessage', () => {
  it('never throws; gives null or a typed message whose fields are strings', () => {
    fc.assert(
      fc.property(frames, (frame) => {
        const message = parseServerMessage(frame);
        if (message === null) return;
        expect([...KNOWN, 'unknown']).to.include(message.type);
        if (message.type === 'session_ended') expect(message.reason).to.be.a('string').and.not.equal('');
        if (message.type === 'error') {
          expect(message.code).to.be.a('string').and.not.equal('');
          expect(message.message).to.be.a('string').and.not.equal('');
        }
        if (message.type === 'unknown') expect(message.message.type).to.be.a('string');
      }),
      RUNS,
    );
  });

  it('keeps every JSON object with a string type, and passes unknown types on whole', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (rest, type) => {
        const text = JSON.stringify({ ...rest, type });
        const message = parseServerMessage(text);
        expect(message).to.not.equal(null);
        // Compared with the JSON's own reading of itself (JSON has no -0, for one).
        if (!KNOWN.includes(type)) expect(message).to.deep.equal({ type: 'unknown', message: JSON.parse(text) });
      }),
      RUNS,
    );
  });
});

describe('fuzz: token validation', () => {
  const urls = fc.oneof(
    fc.webUrl(),
    fc.webUrl().map((u) => u.replace(/^https?:/, 'wss:')),
    fc.webUrl().map((u) => u.replace(/^https?:/, 'ws:')),
    fc.constantFrom('ws://localhost:1/x', 'ws://[::1]/x', 'wss://a.b/#f', 'javascript:alert(1)', ''),
    fc.string(),
  );

  it('checkWsUrl accepts only wss: (ws: on loopback) without a fragment, and fails only with token_invalid', () => {
    fc.assert(
      fc.property(fc.oneof(urls, fc.anything()), (value) => {
        const url = onlyThrows(['token_invalid'], () => checkWsUrl(value));
        if (url === undefined) return;
        const parsed = new URL(url as string);
        expect(['wss:', 'ws:']).to.include(parsed.protocol);
        if (parsed.protocol === 'ws:') expect(['localhost', '127.0.0.1', '[::1]']).to.include(parsed.hostname);
        expect(parsed.hash).to.equal('');
      }),
      RUNS,
    );
  });

  it('parseTokenResponse gives a non-empty token and a checked URL, or token_invalid', () => {
    const answers = fc.oneof(
      fc.record(
        { token: fc.oneof(fc.string(), fc.anything()), ws_url: fc.oneof(urls, fc.anything()) },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    fc.assert(
      fc.property(answers, (value) => {
        const answer = onlyThrows(['token_invalid'], () => parseTokenResponse(value)) as
          { token: string; ws_url: string } | undefined;
        if (!answer) return;
        expect(answer.token).to.be.a('string').and.not.equal('');
        expect(answer.ws_url).to.match(/^wss?:/);
      }),
      RUNS,
    );
  });

  it('parseTokenHttpResponse: any status and body → a token, token_request_failed or token_invalid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.json()), (status, body) => {
        const answer = onlyThrows(['token_request_failed', 'token_invalid'], () =>
          parseTokenHttpResponse(status, body),
        );
        if (answer) expect(status).to.be.within(200, 299);
      }),
      RUNS,
    );
  });
});
