import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENV_VARIABLES } from './env.ts';

// The manifests cannot run here (no container engine), so this checks what can be checked:
// every file parses, and every variable the cloud container gets is one the config code reads.

const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DEPLOY = join(REPOSITORY, 'deploy/cloud');
const KNOWN = new Set(ENV_VARIABLES.map((variable) => variable.name));

type Manifest = { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };

function loadYaml(path: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const document of documents) expect(document.errors, path).toEqual([]);
  return documents.map((document) => document.toJS() as Manifest);
}

const kubernetes = readdirSync(join(DEPLOY, 'kubernetes'))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => loadYaml(join(DEPLOY, 'kubernetes', file)));

function byKind(kind: string, name: string): Manifest {
  const manifest = kubernetes.find((entry) => entry.kind === kind && entry.metadata?.name === name);
  expect(manifest, `${kind} ${name}`).toBeDefined();
  return manifest!;
}

describe('deploy/cloud', () => {
  it('lists every manifest in kustomization', () => {
    const [kustomization] = loadYaml(join(DEPLOY, 'kubernetes/kustomization.yaml')) as [{ resources: string[] }];
    const files = readdirSync(join(DEPLOY, 'kubernetes')).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('passes only known variables in compose', () => {
    const [compose] = loadYaml(join(DEPLOY, 'compose.yaml')) as [{ services: Record<string, { environment?: Record<string, string> }> }];
    const names = Object.keys(compose.services.cloud!.environment ?? {});
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']));
  });

  it('passes only known variables in Kubernetes', () => {
    const configMap = byKind('ConfigMap', 'metervision-cloud');
    const deployment = byKind('Deployment', 'metervision-cloud');
    const container = (deployment.spec as { template: { spec: { containers: { env: { name: string }[]; ports: { containerPort: number }[] }[] } } }).template.spec.containers[0]!;

    const names = [...Object.keys(configMap.data ?? {}), ...container.env.map((entry) => entry.name)];
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
    expect(container.ports.map((port) => port.containerPort)).toEqual([Number(configMap.data!.PORT), Number(configMap.data!.MQTT_PORT)]);
  });

  it('sets the trusted proxy hops', () => {
    const [compose] = loadYaml(join(DEPLOY, 'compose.yaml')) as [{ services: Record<string, { environment: Record<string, string> }> }];
    const configMap = byKind('ConfigMap', 'metervision-cloud');

    // Compose publishes the port itself; Kubernetes serves HTTP through an ingress.
    expect(compose.services.cloud!.environment.TRUST_PROXY_HOPS).toBe('${TRUST_PROXY_HOPS:-0}');
    expect(configMap.data!.TRUST_PROXY_HOPS).toBe('1');
  });

  it('keeps every secret the cloud reads', () => {
    const secret = byKind('Secret', 'metervision-cloud') as Manifest & { stringData: Record<string, string> };
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'METERVISION_ADMIN_USERNAME', 'METERVISION_ADMIN_PASSWORD']) {
      expect(Object.keys(secret.stringData)).toContain(name);
    }
  });

  it('includes PostgreSQL and Redis', () => {
    expect(byKind('StatefulSet', 'metervision-postgres').kind).toBe('StatefulSet');
    expect(byKind('Deployment', 'metervision-redis').kind).toBe('Deployment');
  });

  it('starts an existing entry point', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const workdir = [...dockerfile.matchAll(/^WORKDIR\s+\/app\/?(\S*)$/gm)].at(-1)![1]!;
    const command = JSON.parse(/^CMD\s+(\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(existsSync(join(REPOSITORY, workdir, command.at(-2)!))).toBe(true);
    for (const match of dockerfile.matchAll(/^COPY\s+(\S+)\s/gm)) expect(existsSync(join(REPOSITORY, match[1]!)), match[1]).toBe(true);
  });
});
