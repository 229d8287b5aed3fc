import { aTimeout, expect } from '@open-wc/testing';
import { VoiceAgentError } from '../../src/errors.js';
import { checkWsUrl, obtainToken, parseTokenHttpResponse, parseTokenResponse } from '../../src/session/token.js';

const TOKEN = 'tok-SECRET-42';

/** Runs `fn`, which must throw a VoiceAgentError, and returns it. */
function thrown(fn: () => unknown): VoiceAgentError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(VoiceAgentError);
    return err as VoiceAgentError;
  }
  throw new Error('expected a VoiceAgentError, nothing was thrown');
}

describe('checkWsUrl', () => {
  const accepted: [string, string][] = [
    ['wss://voice.example.com/ws', 'wss://voice.example.com/ws'],
    ['wss://voice.example.com:8443/v1/session?region=eu', 'wss://voice.example.com:8443/v1/session?region=eu'],
    ['ws://localhost:8787/ws', 'ws://localhost:8787/ws'],
    ['ws://127.0.0.1:8787', 'ws://127.0.0.1:8787/'],
    ['ws://[::1]:8787/ws', 'ws://[::1]:8787/ws'],
    ['WSS://Voice.Example.com/ws', 'wss://voice.example.com/ws'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${input}`, () => expect(checkWsUrl(input)).to.equal(expected));
  }

  const rejected: [unknown, RegExp][] = [
    [undefined, /ws_url.*missing/],
    ['', /ws_url.*missing/],
    [42, /ws_url.*not a string/],
    ['/relative/ws', /not an absolute URL/],
    ['voice.example.com/ws', /not an absolute URL/],
    ['http://voice.example.com/ws', /must be a wss: URL, not http:/],
    ['https://voice.example.com/ws', /must be a wss: URL, not https:/],
    ['ws://voice.example.com/ws', /unencrypted ws: .*voice\.example\.com/],
    ['ws://192.168.1.10/ws', /unencrypted ws: .*192\.168\.1\.10/],
    ['ws://localhost.evil.com/ws', /unencrypted ws: .*localhost\.evil\.com/],
    ['wss://voice.example.com/ws#frag', /fragment/],
  ];
  for (const [input, message] of rejected) {
    it(`rejects ${JSON.stringify(input)} as token_invalid`, () => {
      const err = thrown(() => checkWsUrl(input));
      expect(err.code).to.equal('token_invalid');
      expect(err.message).to.match(message);
    });
  }
});

describe('parseTokenResponse', () => {
  it('returns the token and the normalised URL', () => {
    expect(parseTokenResponse({ token: TOKEN, ws_url: 'wss://v.example.com/ws', extra: 1 })).to.deep.equal({
      token: TOKEN,
      ws_url: 'wss://v.example.com/ws',
    });
  });

  const rejected: [string, unknown, RegExp][] = [
    ['null', null, /not a JSON object/],
    ['a string', 'tok', /not a JSON object/],
    ['an array', [TOKEN, 'wss://v.example.com'], /not a JSON object/],
    ['no token', { ws_url: 'wss://v.example.com' }, /`token` is missing/],
    ['a null token', { token: null, ws_url: 'wss://v.example.com' }, /`token` is missing/],
    ['a numeric token', { token: 123, ws_url: 'wss://v.example.com' }, /`token` is not a string/],
    ['an empty token', { token: '', ws_url: 'wss://v.example.com' }, /`token` is empty/],
    ['no ws_url', { token: TOKEN }, /`ws_url` is missing/],
    ['an http ws_url', { token: TOKEN, ws_url: 'http://v.example.com' }, /wss:/],
    ['a remote ws: ws_url', { token: TOKEN, ws_url: 'ws://v.example.com' }, /unencrypted/],
  ];
  for (const [name, value, message] of rejected) {
    it(`rejects ${name} as token_invalid without quoting the token`, () => {
      const err = thrown(() => parseTokenResponse(value));
      expect(err.code).to.equal('token_invalid');
      expect(err.message).to.match(message);
      expect(err.message).not.to.include(TOKEN);
    });
  }
});

describe('parseTokenHttpResponse', () => {
  const good = JSON.stringify({ token: TOKEN, ws_url: 'wss://v.example.com/ws' });

  for (const status of [200, 201, 299]) {
    it(`accepts HTTP ${status}`, () => expect(parseTokenHttpResponse(status, good).token).to.equal(TOKEN));
  }

  for (const status of [199, 301, 401, 403, 404, 500, 503]) {
    it(`rejects HTTP ${status} as token_request_failed with httpStatus, even with a token in the body`, () => {
      const err = thrown(() => parseTokenHttpResponse(status, good));
      expect(err.code).to.equal('token_request_failed');
      expect(err.fields.httpStatus).to.equal(status);
      expect(err.message).to.include(String(status));
      expect(err.message).not.to.include(TOKEN);
    });
  }

  const badBodies: [string, string, RegExp][] = [
    ['an HTML page', '<!doctype html><p>Login</p>', /not JSON/],
    ['an empty body', '', /not JSON/],
    ['truncated JSON', `{"token":"${TOKEN}","ws_url":"wss://v.exa`, /not JSON/],
    ['JSON without token', '{"ws_url":"wss://v.example.com"}', /`token` is missing/],
    ['JSON with an insecure ws_url', `{"token":"${TOKEN}","ws_url":"ws://v.example.com"}`, /unencrypted/],
  ];
  for (const [name, body, message] of badBodies) {
    it(`rejects ${name} as token_invalid`, () => {
      const err = thrown(() => parseTokenHttpResponse(200, body));
      expect(err.code).to.equal('token_invalid');
      expect(err.message).to.match(message);
      expect(err.message).not.to.include(TOKEN);
    });
  }
});

describe('obtainToken', () => {
  const never = () => new Promise<never>(() => {});

  /** The rejection of `promise`, or a failure if it has not settled within 2 s. */
  async function rejection(promise: Promise<unknown>): Promise<VoiceAgentError> {
    const outcome = await Promise.race([
      promise.then(
        () => 'resolved',
        (err: unknown) => err,
      ),
      aTimeout(2000).then(() => 'pending'),
    ]);
    expect(outcome).to.be.instanceOf(VoiceAgentError);
    return outcome as VoiceAgentError;
  }

  it('returns what fetchToken gives, validated', async () => {
    const fetchToken = async () => ({ token: TOKEN, ws_url: 'wss://v.example.com/ws' });
    const result = await obtainToken({ fetchToken }, 1000, new AbortController().signal);
    expect(result).to.deep.equal({ token: TOKEN, ws_url: 'wss://v.example.com/ws' });
  });

  it('times out a fetchToken that never settles', async () => {
    const err = await rejection(obtainToken({ fetchToken: never }, 30, new AbortController().signal));
    expect(err.code).to.equal('token_request_failed');
    expect(err.message).to.match(/timed out after 30 ms/);
  });

  it('settles at once when its signal aborts, long before the timeout', async () => {
    const abort = new AbortController();
    const pending = obtainToken({ fetchToken: never }, 60_000, abort.signal);
    abort.abort();
    const err = await rejection(pending);
    expect(err.code).to.equal('token_request_failed');
    expect(err.message).to.match(/cancelled/);
  });
});
