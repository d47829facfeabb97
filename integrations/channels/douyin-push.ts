/**
 * POST /channels/douyin/push: the Douyin message push (../shared/protocols/channels.md §1.1).
 *
 * The body is a JSON array of {tag, msg_id, data} (data: a JSON string), signed with the headers `app-id` and
 * `event-sign` = md5_hex(app_key + raw body + app_secret). Every check comes before anything is stored:
 * - `app-id` names the configured douyin shops with that appKey, and the signature must match one of their
 *   secrets (compared in constant time over the raw bytes) → else 401 {"code":1,"msg":"fail"};
 * - the body must be an array of {tag, msg_id, data} whose data parses → else 400, the same reply;
 * - several shops under one app: data.shop_id picks the shop; a message naming a shop that is not configured
 *   refuses the whole push (400) so the platform retries it once the config knows the shop.
 * Messages without an order id (p_id / shop_order_id: not about an order, e.g. the platform's test message) are
 * acknowledged without being stored. The others are stored once per msg_id (db/channel-messages.ts), and only
 * then is the platform answered {"code":0,"msg":"success"}; a failed store answers 500 so the platform retries.
 *
 * Mount in bot/server.ts after the body parser (which keeps ctx.request.rawBody):
 *   const douyin = douyinPushRoutes({ db: database.db, config: bot.configSource, env: process.env, clock: () => bot.now() });
 *   app.use(douyin.routes()).use(douyin.allowedMethods());
 * Without a parsed body (another content type) the route reads the raw body itself.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { ChannelShopConfig, ConfigSource } from '../../config/business-config';
import { type IncomingChannelMessage, storeChannelMessages } from '../../db/channel-messages';
import type { Database } from '../../db/client';
import { parseLosslessJson } from './douyin-json';
import { pushSign, sameSignature } from './douyin-sign';

export const DOUYIN_PUSH_PATH = '/channels/douyin/push';
const MAX_BODY_BYTES = 1024 * 1024;
const OK = { code: 0, msg: 'success' };
const FAIL = { code: 1, msg: 'fail' };

export interface DouyinPushOptions {
  db: Database;
  config: ConfigSource;
  env: NodeJS.ProcessEnv;
  clock: () => Date;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function rawBodyOf(ctx: Context): Promise<Buffer> {
  const parsed = (ctx.request as { rawBody?: string }).rawBody;
  if (typeof parsed === 'string') return Buffer.from(parsed, 'utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Refused(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const idOf = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;

interface Parsed {
  shop: string;
  message: IncomingChannelMessage;
}

/** The messages of a verified body, each with its shop; throws Refused(400) on any malformed message. */
function parseMessages(body: Buffer, shops: ChannelShopConfig[]): Parsed[] {
  let list: unknown;
  try {
    list = parseLosslessJson(body.toString('utf8'));
  } catch {
    throw new Refused(400, 'body is not JSON');
  }
  if (!Array.isArray(list)) throw new Refused(400, 'body is not an array');
  const out: Parsed[] = [];
  list.forEach((item, i) => {
    const entry = item as { tag?: unknown; msg_id?: unknown; data?: unknown } | null;
    const tag = idOf(entry?.tag);
    const messageId = idOf(entry?.msg_id);
    if (!entry || typeof entry !== 'object' || tag === null || messageId === null) {
      throw new Refused(400, `message ${i} needs tag and msg_id`);
    }
    let data: unknown = entry.data;
    if (typeof data === 'string') {
      try {
        data = parseLosslessJson(data);
      } catch {
        throw new Refused(400, `message ${messageId}: data is not JSON`);
      }
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new Refused(400, `message ${messageId}: data is not an object`);
    }
    const fields = data as Record<string, unknown>;
    const orderId = idOf(fields.p_id) ?? idOf(fields.shop_order_id);
    if (orderId === null) return;
    const shopId = idOf(fields.shop_id);
    let shop: ChannelShopConfig | undefined;
    if (shops.length === 1) shop = shops[0];
    else shop = shops.find((s) => s.shop === shopId);
    if (!shop)
      throw new Refused(400, `message ${messageId}: shop ${shopId ?? '(none)'} is not configured for this app`);
    out.push({ shop: shop.shop, message: { messageId, orderId, topic: tag, payload: data } });
  });
  return out;
}

export function douyinPushRoutes(options: DouyinPushOptions): Router {
  const router = new Router();
  router.post(DOUYIN_PUSH_PATH, async (ctx) => {
    try {
      const body = await rawBodyOf(ctx);
      const appId = ctx.get('app-id');
      const given = ctx.get('event-sign');
      const candidates = options.config.current.channels.shops.filter(
        (s) => s.channel === 'douyin' && appId !== '' && s.appKey === appId,
      );
      if (candidates.length === 0) throw new Refused(401, 'unknown app-id');
      if (!given) throw new Refused(401, 'no event-sign');
      const shops = candidates.filter((s) => {
        const secret = options.env[s.secretEnv];
        return !!secret && sameSignature(pushSign(s.appKey, body, secret), given);
      });
      if (shops.length === 0) throw new Refused(401, 'bad event-sign');
      const parsed = parseMessages(body, shops);
      const byShop = new Map<string, IncomingChannelMessage[]>();
      for (const p of parsed) byShop.set(p.shop, [...(byShop.get(p.shop) ?? []), p.message]);
      const now = options.clock();
      if (byShop.size > 0) {
        await options.db.transaction(async (tx) => {
          for (const [shop, messages] of byShop) await storeChannelMessages(tx, 'douyin', shop, messages, now);
        });
      }
      ctx.status = 200;
      ctx.body = OK;
    } catch (err) {
      if (err instanceof Refused) {
        ctx.status = err.status;
        ctx.body = FAIL;
        return;
      }
      ctx.status = 500;
      ctx.body = FAIL;
      ctx.app.emit('error', err, ctx);
    }
  });
  return router;
}
