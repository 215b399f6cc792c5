import { type DeviceConfig, topics } from '@metervision/protocol';

/** A retained discovery message: topic and JSON payload. */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

const UNITS: Record<string, string> = { m3: 'm³', kWh: 'kWh', Wh: 'Wh', MWh: 'MWh', l: 'L', L: 'L', ft3: 'ft³' };

/**
 * Home Assistant MQTT discovery messages (retained) that make the meter appear as a sensor with
 * `state_class: total_increasing`, the configured device class and the layout's unit, bound to
 * the device's retained `status` topic (online, or offline through the last will).
 *
 * Topics: `<prefix>/sensor/metervision_<deviceId>/meter/config` (the meter value) and
 * `<prefix>/sensor/metervision_<deviceId>/confidence/config` (diagnostic). With discovery
 * switched off, the same topics get empty retained payloads, which removes the entities.
 */
export function discoveryMessages(deviceId: string, config: DeviceConfig, firmwareVersion: string): DiscoveryMessage[] {
  const settings = config.homeAssistant;
  // Home Assistant accepts [a-zA-Z0-9_-] in a node id, the device id alphabet, so the id stays as it
  // is: replacing '-' would give cam-1 and cam_1 the same node.
  const nodeId = `metervision_${deviceId}`;
  const base = `${settings.discoveryPrefix}/sensor/${nodeId}`;
  if (!settings.enabled) {
    return [`${base}/meter/config`, `${base}/confidence/config`].map((topic) => ({ topic, payload: '' }));
  }

  const device = {
    identifiers: [nodeId],
    name: `Meter ${config.meterSerial ?? deviceId}`,
    manufacturer: 'MeterVision',
    model: 'Edge agent',
    sw_version: firmwareVersion,
    ...(config.meterSerial ? { serial_number: config.meterSerial } : {}),
  };
  const availability = {
    availability_topic: topics.status(deviceId),
    availability_template: '{{ value_json.state }}',
    payload_available: 'online',
    payload_not_available: 'offline',
  };

  const meter = {
    name: 'Meter reading',
    unique_id: `${nodeId}_meter`,
    state_topic: topics.readings(deviceId),
    // Only accepted readings carry a value; any other status keeps the sensor's current state,
    // so a rejected reading never reaches a total_increasing statistic.
    // NOTE: relies on the `entity_id` variable in MQTT value templates (Home Assistant 0.85 and later).
    value_template: "{{ value_json.value if value_json.status == 'accepted' else states(entity_id) }}",
    json_attributes_topic: topics.readings(deviceId),
    json_attributes_template:
      "{{ {'status': value_json.status, 'confidence': value_json.confidence, 'captured_at': value_json.capturedAt, 'reason': value_json.reason} | tojson }}",
    device_class: settings.deviceClass,
    state_class: 'total_increasing',
    unit_of_measurement: UNITS[config.layout.unit] ?? config.layout.unit,
    ...availability,
    device,
  };
  const confidence = {
    name: 'Reading confidence',
    unique_id: `${nodeId}_confidence`,
    state_topic: topics.readings(deviceId),
    value_template: '{{ (value_json.confidence * 100) | round(0) }}',
    unit_of_measurement: '%',
    entity_category: 'diagnostic',
    ...availability,
    device,
  };

  return [
    { topic: `${base}/meter/config`, payload: JSON.stringify(meter) },
    { topic: `${base}/confidence/config`, payload: JSON.stringify(confidence) },
  ];
}
