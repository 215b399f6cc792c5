import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, servicesRequired, waitFor } from './services.ts';

export interface TestMosquitto {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Mosquitto on a free loopback port with password authentication, the given ACL file
 * content and `users` (username → password). Returns the reason instead when the binaries are
 * missing, and throws when METERVISION_REQUIRE_SERVICES=1.
 */
export async function startTestMosquitto(acl: string, users: Record<string, string>): Promise<TestMosquitto | { skipped: string }> {
  const broker = findBinary('mosquitto', ['/usr/sbin']);
  const passwd = findBinary('mosquitto_passwd', ['/usr/bin']);
  if (!broker || !passwd) {
    const reason = "mosquitto or mosquitto_passwd not found (install Debian's mosquitto package)";
    if (servicesRequired()) throw new Error(`${reason}; METERVISION_REQUIRE_SERVICES=1 forbids skipping`);
    return { skipped: reason };
  }

  const dir = mkdtempSync(join(tmpdir(), 'metervision-mosquitto-'));
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, '');
  for (const [username, password] of Object.entries(users)) {
    const result = spawnSync(passwd, ['-b', passwordFile, username, password], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mosquitto_passwd failed for ${username}: ${result.stderr}`);
  }
  writeFileSync(join(dir, 'acl'), acl);

  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    'use_username_as_clientid true',
    `password_file ${passwordFile}`,
    `acl_file ${join(dir, 'acl')}`,
    'persistence false',
    // Under root, Mosquitto would switch to its own user, which cannot read the temp files.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
  ];
  writeFileSync(join(dir, 'mosquitto.conf'), `${config.join('\n')}\n`);

  const child = spawn(broker, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  await waitFor('mosquitto', () => canConnect(port), 10_000);

  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}
