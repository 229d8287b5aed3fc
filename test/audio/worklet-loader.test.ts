// The loader's choice of URL, against a stand-in context that records what it is asked to load. The real
// loads run in every engine in the media group and in test/bundle.test.ts (srcdoc frames, CSPs).
import { expect } from '@open-wc/testing';
import { addWorkletModule } from '../../src/audio/worklet-loader.js';

/** A context whose addModule refuses URLs matching `refuse`, and records every URL it is given. */
function standIn(refuse?: RegExp): { context: BaseAudioContext; urls: string[] } {
  const urls: string[] = [];
  const addModule = async (url: string) => {
    urls.push(url);
    if (refuse?.test(url)) throw new DOMException('Cross-origin script load denied', 'AbortError');
  };
  return { context: { audioWorklet: { addModule } } as unknown as BaseAudioContext, urls };
}

const CODE = "registerProcessor('x', class extends AudioWorkletProcessor {}); // 100% #1, naïve";

describe('addWorkletModule', () => {
  it('loads the code from a blob: URL, revoked afterwards', async () => {
    const { context, urls } = standIn();
    await addWorkletModule(context, CODE);
    expect(urls).to.have.length(1);
    expect(urls[0]).to.match(/^blob:/);
    const fetched = await fetch(urls[0]).then(
      () => 'fetched',
      () => 'revoked',
    );
    expect(fetched).to.equal('revoked');
  });

  it('falls back to a data: URL holding the same code where blob: is refused', async () => {
    const { context, urls } = standIn(/^blob:/);
    await addWorkletModule(context, CODE);
    expect(urls.map((url) => url.split(':')[0])).to.deep.equal(['blob', 'data']);
    const [type, body] = urls[1].slice('data:'.length).split(',');
    expect(type).to.equal('application/javascript');
    expect(decodeURIComponent(body)).to.equal(CODE);
  });

  it('rejects when neither loads', async () => {
    const { context } = standIn(/^(blob|data):/);
    const error = await addWorkletModule(context, CODE).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(DOMException);
  });
});
