import { describe, expect, it } from 'vitest';
import { LiveFromBrowser, liveFromBrowserCodec, openObjectPaths } from '../index';

describe('browser -> server live messages', () => {
  it('are closed at every depth (what a browser sends is inbound)', () => {
    expect(openObjectPaths(LiveFromBrowser)).toEqual([]);
  });

  it('refuse a subscription for too many nodes or an unknown source', () => {
    const base = { type: 'logs.subscribe', subscription: 's1', cluster: 'lab', sources: ['nginx'] };
    expect(liveFromBrowserCodec.check({ ...base, nodes: ['lb1'] }).ok).toBe(true);
    expect(liveFromBrowserCodec.check({ ...base, nodes: Array(9).fill('x') }).ok).toBe(false);
    expect(liveFromBrowserCodec.check({ ...base, nodes: ['lb1'], sources: ['shell'] }).ok).toBe(
      false,
    );
    expect(liveFromBrowserCodec.check({ ...base, nodes: ['lb1'], extra: 1 }).ok).toBe(false);
  });
});
