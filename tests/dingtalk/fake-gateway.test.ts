import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayStreamClient } from '../../bot/dingtalk/stream-client';
import { FakeDingtalk, TOPIC_CARD, TOPIC_ROBOT } from '../fakes/dingtalk/fake-dingtalk';

const silent = pino({ level: 'silent' });

/** The official SDK client, pointed at the fake by the adapter's endpoint override only. */
function sdkClient(fake: FakeDingtalk, secret = fake.clientSecret) {
  return new GatewayStreamClient({
    clientId: fake.clientId,
    clientSecret: secret,
    gatewayUrl: `${fake.url}/v1.0/gateway/connections/open`,
    log: silent,
    reconnectMs: 100,
  });
}

describe('the fake DingTalk Stream gateway, with the real dingtalk-stream client', () => {
  let fake: FakeDingtalk;
  const clients: GatewayStreamClient[] = [];
  beforeAll(async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    fake = await FakeDingtalk.start({
      gateway: { redeliverAfterMs: 150, pingIntervalMs: 50, pingTimeoutMs: 500, disconnectGraceMs: 100 },
    });
  });
  afterAll(async () => {
    await fake.close();
    vi.restoreAllMocks();
  });
  beforeEach(() => fake.reset());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
  });

  function connect(secret?: string) {
    const client = sdkClient(fake, secret);
    clients.push(client);
    return client;
  }

  it('opens a connection only for the right secret, with JSON accepted, and a ticket only once', async () => {
    const open = (body: unknown, accept = 'application/json') =>
      fetch(`${fake.url}/v1.0/gateway/connections/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
      });
    const subscriptions = [{ type: 'CALLBACK', topic: TOPIC_ROBOT }];
    expect((await open({ clientId: fake.clientId, clientSecret: 'wrong', subscriptions })).status).toBe(401);
    expect(
      (await open({ clientId: fake.clientId, clientSecret: fake.clientSecret, subscriptions }, '*/*')).headers.get(
        'content-type',
      ),
    ).toContain('xml');
    const { endpoint, ticket } = (await (
      await open({ clientId: fake.clientId, clientSecret: fake.clientSecret, subscriptions })
    ).json()) as { endpoint: string; ticket: string };
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/connect$/);
    const first = new WebSocket(`${endpoint}?ticket=${ticket}`);
    await new Promise((resolve, reject) => first.once('open', resolve).once('error', reject));
    const second = new WebSocket(`${endpoint}?ticket=${ticket}`);
    const refused = await new Promise<string>((resolve) =>
      second
        .once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
        .once('error', (e) => resolve(e.message)),
    );
    expect(refused).toContain('401');
    first.terminate();
  });

  it('lets the SDK register, echo SYSTEM pings with their opaque, and answer CALLBACK frames', async () => {
    const client = connect();
    const received: string[] = [];
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
      received.push(frame.data);
      client.answer(frame.headers.messageId, null);
    });
    await client.connect();
    await fake.waitFor(() => client.registered, 'REGISTERED');
    expect(fake.gateway.opens[0]).toMatchObject({
      ok: true,
      subscriptions: expect.arrayContaining([{ type: 'CALLBACK', topic: TOPIC_ROBOT }]),
    });
    await fake.waitFor(() => fake.gateway.pingEchoes.length >= 2, 'two ping echoes');
    expect(fake.gateway.pingEchoes.every((p) => p.ok)).toBe(true);

    const messageId = fake.gateway.push(TOPIC_ROBOT, { msgId: 'm1', text: { content: 'hi' } });
    await fake.waitFor(() => fake.gateway.acks.some((a) => a.messageId === messageId), 'the answer');
    expect(JSON.parse(received[0]!)).toMatchObject({ msgId: 'm1' });
    expect(fake.gateway.unanswered()).toEqual([]);
    expect(fake.gateway.violations).toEqual([]);
  });

  it('sends an unanswered frame again, with the same messageId, until it is answered', async () => {
    const client = connect();
    const seen: string[] = [];
    client.registerCallbackListener(TOPIC_CARD, (frame) => {
      seen.push(frame.headers.messageId);
      if (seen.length === 3) client.answer(frame.headers.messageId, {});
    });
    await client.connect();
    const messageId = fake.gateway.push(TOPIC_CARD, { outTrackId: 'c1' });
    await fake.waitFor(() => fake.gateway.acks.length === 1, 'the third delivery to be answered');
    expect(seen).toEqual([messageId, messageId, messageId]);
    expect(fake.gateway.frames.filter((f) => f.messageId === messageId)).toHaveLength(3);
  });

  it('holds frames while no connection is up and delivers them on connect', async () => {
    const messageId = fake.gateway.push(TOPIC_ROBOT, { msgId: 'early' });
    const client = connect();
    const got: string[] = [];
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
      got.push(frame.headers.messageId);
      client.answer(frame.headers.messageId, null);
    });
    await client.connect();
    await fake.waitFor(() => got.includes(messageId), 'the held frame');
  });

  it('reconnects after a SYSTEM disconnect and after a dropped socket', async () => {
    const client = connect();
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => client.answer(frame.headers.messageId, null));
    await client.connect();
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'a connection');
    const first = fake.gateway.liveConnections()[0];
    fake.gateway.sendDisconnect();
    await fake.waitFor(
      () =>
        fake.gateway.liveConnections().length === 1 &&
        fake.gateway.liveConnections()[0] !== first &&
        fake.gateway.opens.length === 2,
      'a new connection after disconnect',
    );
    fake.gateway.drop();
    await fake.waitFor(
      () => fake.gateway.opens.length === 3 && fake.gateway.liveConnections().length === 1,
      'a new connection after the drop',
    );
    const messageId = fake.gateway.push(TOPIC_ROBOT, { msgId: 'after' });
    await fake.waitFor(
      () => fake.gateway.acks.some((a) => a.messageId === messageId),
      'the answer on the new connection',
    );
    expect(fake.gateway.violations).toEqual([]);
  });

  it('keeps retrying with backoff while the secret is refused', async () => {
    const client = connect('wrong-secret');
    await client.connect();
    await fake.waitFor(() => fake.gateway.opens.length >= 3, 'three attempts');
    expect(fake.gateway.opens.every((o) => !o.ok)).toBe(true);
    const [a, b, c] = fake.gateway.opens.map((o) => o.at);
    expect(c! - b!).toBeGreaterThan(b! - a!);
    expect(fake.gateway.liveConnections()).toEqual([]);
  });
});
