import { expect } from '@open-wc/testing';
import { DelayEstimator } from '../../src/dsp/delay-estimator.js';

describe('DelayEstimator', () => {
  it('costs nothing while audio arrives on time', () => {
    const estimator = new DelayEstimator();
    expect(estimator.jitterMs).to.equal(0);
    for (let i = 0; i < 500; i++) estimator.add(0.4);
    expect(estimator.jitterMs).to.equal(0);
    expect(estimator.arrivals).to.equal(500);
  });

  it('covers a high percentile of the lateness seen, growing at once', () => {
    const estimator = new DelayEstimator();
    for (let i = 0; i < 10; i++) estimator.add(0);
    estimator.add(35.5);
    expect(estimator.jitterMs).to.equal(36);
    for (let i = 0; i < 2000; i++) estimator.add((i * 7919) % 30); // spread evenly over 0–29 ms
    expect(estimator.jitterMs).to.be.within(29, 30);
  });

  it('shrinks slowly once the network calms: not within 2 s, within 20 s (20 ms frames)', () => {
    const estimator = new DelayEstimator();
    for (let i = 0; i < 500; i++) estimator.add(i % 2 ? 50 : 0);
    expect(estimator.jitterMs).to.equal(51);
    for (let i = 0; i < 100; i++) estimator.add(0);
    expect(estimator.jitterMs).to.equal(51);
    for (let i = 0; i < 900; i++) estimator.add(0);
    expect(estimator.jitterMs).to.equal(0);
  });

  it('puts anything later than its range in its last class', () => {
    const estimator = new DelayEstimator();
    estimator.add(5000);
    expect(estimator.jitterMs).to.equal(400);
  });
});
