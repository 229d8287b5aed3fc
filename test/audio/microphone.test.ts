// Denied or missing microphones cannot be produced by this group's browser flags, so the mapping from
// getUserMedia's rejections is checked as the pure function the engine uses.
import { expect } from '@open-wc/testing';
import { microphoneError } from '../../src/audio/microphone.js';
import { VoiceAgentError } from '../../src/errors.js';

describe('microphoneError', () => {
  const cases: [string, string][] = [
    ['NotAllowedError', 'microphone_denied'],
    ['SecurityError', 'microphone_denied'],
    ['NotFoundError', 'microphone_not_found'],
    ['OverconstrainedError', 'microphone_not_found'],
    ['NotReadableError', 'microphone_unavailable'],
    ['AbortError', 'microphone_unavailable'],
    ['TypeError', 'microphone_unavailable'],
  ];
  for (const [name, code] of cases) {
    it(`maps ${name} to ${code}`, () => {
      const error = microphoneError(new DOMException('browser detail', name));
      expect(error).to.be.instanceOf(VoiceAgentError);
      expect(error.code).to.equal(code);
      expect(error.message).to.match(/microphone/i);
      expect(error.message).not.to.contain('browser detail'); // written for the user, not the developer
    });
  }

  it('maps rejections that are not DOMExceptions to microphone_unavailable', () => {
    expect(microphoneError(new Error('boom')).code).to.equal('microphone_unavailable');
    expect(microphoneError(undefined).code).to.equal('microphone_unavailable');
    expect(microphoneError({ name: 'NotAllowedError' }).code).to.equal('microphone_denied');
  });

  it('gives each code its own message', () => {
    const messages = new Set(
      ['NotAllowedError', 'NotFoundError', 'NotReadableError'].map(
        (n) => microphoneError(new DOMException('', n)).message,
      ),
    );
    expect(messages.size).to.equal(3);
  });
});
