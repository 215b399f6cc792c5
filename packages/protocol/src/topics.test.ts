import { describe, expect, it } from 'vitest';
import {
  cloudSubscriptions,
  deviceTopic,
  isDevicePublishAllowed,
  isDeviceSubscribeAllowed,
  parseTopic,
  topics,
} from './topics.ts';

describe('topics', () => {
  it('builds versioned device topics', () => {
    expect(topics.readings('cam-1')).toBe('metervision/v1/devices/cam-1/readings');
    expect(topics.configReport('cam-1')).toBe('metervision/v1/devices/cam-1/config/report');
  });

  it('rejects device ids with wildcards or separators', () => {
    for (const bad of ['', 'a/b', 'cam+', 'cam#', '-cam', 'x'.repeat(65)]) {
      expect(() => deviceTopic(bad, 'status'), bad).toThrow(/Invalid device id/);
    }
  });

  it('parses its own topics back', () => {
    expect(parseTopic('metervision/v1/devices/cam-1/commands/result')).toEqual({
      version: 1,
      deviceId: 'cam-1',
      kind: 'commands/result',
    });
  });

  it('parses foreign topics to null', () => {
    expect(parseTopic('metervision/v2/devices/cam-1/readings')).toBeNull();
    expect(parseTopic('metervision/v1/devices/cam-1/unknown')).toBeNull();
    expect(parseTopic('metervision/v1/devices/+/readings')).toBeNull();
    expect(parseTopic('other/v1/devices/cam-1/readings')).toBeNull();
  });

  it('confines device publishing to its own uplink topics', () => {
    expect(isDevicePublishAllowed('cam-1', topics.readings('cam-1'))).toBe(true);
    expect(isDevicePublishAllowed('cam-1', topics.readings('cam-2'))).toBe(false);
    expect(isDevicePublishAllowed('cam-1', topics.config('cam-1'))).toBe(false);
    expect(isDevicePublishAllowed('cam-1', 'metervision/v1/devices/#')).toBe(false);
  });

  it('confines device subscriptions to its own downlink topics', () => {
    expect(isDeviceSubscribeAllowed('cam-1', topics.commands('cam-1'))).toBe(true);
    expect(isDeviceSubscribeAllowed('cam-1', topics.config('cam-1'))).toBe(true);
    expect(isDeviceSubscribeAllowed('cam-1', topics.commands('cam-2'))).toBe(false);
    expect(isDeviceSubscribeAllowed('cam-1', 'metervision/v1/devices/+/commands')).toBe(false);
    expect(isDeviceSubscribeAllowed('cam-1', topics.readings('cam-1'))).toBe(false);
  });

  it('lists one cloud subscription per uplink kind', () => {
    expect(cloudSubscriptions).toContain('metervision/v1/devices/+/readings');
    expect(cloudSubscriptions).not.toContain('metervision/v1/devices/+/commands');
  });
});
