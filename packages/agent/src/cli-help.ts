/** Help texts of the `metervision-agent` commands. */
export const HELP = {
  main: `Usage: metervision-agent <command> [options]

MeterVision edge agent: captures meter photos, reads them and publishes readings over MQTT.

Commands:
  run            Run the agent: capture on schedule, publish readings and heartbeats
  pair           Redeem a pairing code and store the device's MQTT credentials
  capture-once   Capture one image, print the reading and write the annotated image
  config check   Validate a configuration file and print what it sets up

Run "metervision-agent <command> --help" for the options of a command.
The configuration file defaults to $METERVISION_AGENT_CONFIG, else /etc/metervision/agent.json.`,

  run: `Usage: metervision-agent run [--config FILE]

Runs the agent until SIGTERM or SIGINT. On a signal it finishes the current cycle, flushes the
outbox for up to 5 s, publishes an offline status and exits 0. Under systemd (Type=notify) it
reports readiness and pings the watchdog through systemd-notify.

Options:
  -c, --config FILE   Configuration file (JSON)
  -h, --help          Show this help`,

  pair: `Usage: metervision-agent pair --code CODE --cloud URL --device-id ID [--state-dir DIR | --config FILE]

Redeems a pairing code at POST <cloud>/api/installations/pair and stores the returned MQTT
credentials in <state-dir>/credentials.json (mode 0600). The code and the password are never
printed or logged.

Options:
      --code CODE        Pairing code shown in the installation session, for example K7Q2-9XMD
      --cloud URL        Cloud base URL, for example https://metervision.example.com
      --device-id ID     This camera's device id (letters, digits, "-" and "_")
      --state-dir DIR    State directory (default: the configuration's stateDir, else /var/lib/metervision-agent)
  -c, --config FILE      Take the state directory and device id from this configuration file
  -h, --help             Show this help`,

  captureOnce: `Usage: metervision-agent capture-once [--config FILE] [--output FILE] [--json]

Captures one image from the configured source, reads it with the configured layout and prints
the reading with its plausibility verdict against the stored previous value. Nothing is
queued or published and the state is not changed. Writes the image with the ROIs, marks and
values drawn on it.

Options:
  -c, --config FILE   Configuration file (JSON)
  -o, --output FILE   Annotated image to write; .jpg, .jpeg, .png or .webp sets the format
                      (default: capture-once.jpg)
      --json          Print the result as JSON
  -h, --help          Show this help`,

  configCheck: `Usage: metervision-agent config check [--config FILE]

Validates the configuration file (every field, the layout and its mark images, password files)
and prints what it sets up. Exits 1 when it is invalid and lists every invalid field, every
unknown key (with the closest known key) and every unreadable file it names.

Options:
  -c, --config FILE   Configuration file (JSON)
  -h, --help          Show this help`,
} as const;
