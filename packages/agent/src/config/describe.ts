import { redactUrl } from '../capture/http.ts';
import { redactBrokerUrl } from '../mqtt/connection.ts';
import type { AgentConfig } from './load.ts';
import type { SourceConfig } from './schema.ts';

/** Describes each setting that matters in the field in one line, for `config check`; secrets are left out. */
export function describeConfig(config: AgentConfig): string[] {
  const device = config.device;
  const schedule = device.schedule;
  const layout = device.layout;
  const quiet = schedule.quietHours ? `, quiet ${schedule.quietHours.start}-${schedule.quietHours.end}` : '';
  const rules = device.plausibility;

  return [
    `device id: ${config.deviceId}`,
    `state directory: ${config.stateDir}`,
    `source: ${describeSource(config.source)}`,
    `schedule: every ${schedule.intervalSeconds} s + up to ${schedule.jitterSeconds} s jitter${quiet}`,
    `layout: ${layout.digits.length} digit wheels, ${layout.decimalDigits.length} decimal wheels, ${layout.pointers.length} pointers, unit ${layout.unit}` +
      `${layout.alignment ? `, ${layout.alignment.marks.length} alignment marks` : ''}`,
    `plausibility: ${rules.allowNegativeRate ? 'negative rate allowed' : 'negative rate rejected'}` +
      `${rules.maxDelta !== undefined ? `, max delta ${rules.maxDelta}` : ''}` +
      `${rules.maxRatePerMinute !== undefined ? `, max ${rules.maxRatePerMinute}/min` : ''}`,
    `broker: ${config.mqtt.url ? redactBrokerUrl(config.mqtt.url) : 'from pairing (credentials.json in the state directory)'}`,
    `outbox: at most ${Math.round(config.outbox.maxBytes / 1_048_576)} MiB, ${config.outbox.maxMessages} messages, ${config.outbox.maxAgeDays} days`,
    `Home Assistant discovery: ${device.homeAssistant.enabled ? `on (${device.homeAssistant.discoveryPrefix}, ${device.homeAssistant.deviceClass})` : 'off'}`,
  ];
}

function describeSource(source: SourceConfig): string {
  switch (source.type) {
    case 'rpicam':
      return `Pi camera (${source.command})${source.width ? ` ${source.width}x${source.height ?? '?'}` : ''}`;
    case 'http':
      return `HTTP snapshot ${redactUrl(new URL(source.url))}${source.auth ? ` with ${source.auth.type} auth` : ''}`;
    case 'folder':
      return `folder ${source.path} (${source.mode})`;
    case 'simulator':
      return `simulator from ${source.startValue} at ${source.ratePerHour}/h`;
  }
}
