import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stub received. */
export interface StubRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A stand-in for the cloud's two device routes (pairing and the HTTP heartbeat) on loopback,
 * responding as the contract defines. One pairing code, `K7Q2-9XMD`, is valid once.
 */
export async function startCloudStub(options: { mqttUrl: string | null; password: string }) {
  const requests: StubRequest[] = [];
  let codeUsed = false;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
      const send = (status: number, json: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(json));
      };

      if (request.method === 'POST' && request.url === '/api/installations/pair') {
        if (body?.pairing_code !== 'K7Q2-9XMD' || codeUsed) return send(404, { detail: 'pairing code unknown, used or expired' });
        codeUsed = true;
        return send(200, {
          device_id: body.device_id,
          session_id: 'session-1',
          meter_serial: 'WM-123',
          mqtt_url: options.mqttUrl,
          mqtt_username: body.device_id,
          mqtt_password: options.password,
        });
      }
      if (request.method === 'POST' && request.url === '/api/installations/cameras/heartbeat') {
        const expected = `Basic ${Buffer.from(`cam-1:${options.password}`).toString('base64')}`;
        return request.headers.authorization === expected ? send(200, { ok: true }) : send(401, { detail: 'invalid device credentials' });
      }
      send(404, { detail: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
