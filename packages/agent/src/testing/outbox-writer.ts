// Child process for the outbox crash test: queues readings as fast as it can, each together
// with the previous value, and prints the count after each commit until it is killed.
import pino from 'pino';
import { outboxSettingsSchema } from '../config/schema.ts';
import { openAgentDatabase } from '../outbox/db.ts';
import { Outbox } from '../outbox/outbox.ts';
import { StateStore } from '../outbox/state.ts';

const db = openAgentDatabase(process.argv[2]!);
const state = new StateStore(db);
const outbox = new Outbox(db, state, outboxSettingsSchema.parse({}), pino({ level: 'silent' }));

for (let n = 1; n <= 1_000_000; n += 1) {
  state.transaction(() => {
    outbox.enqueue({ messageId: `reading-${n}`, kind: 'readings', topic: 't', payload: JSON.stringify({ n, pad: 'x'.repeat(2_000) }), hasImage: false });
    state.previousValue = { value: n, at: new Date().toISOString() };
  });
  process.stdout.write(`${n}\n`);
}
