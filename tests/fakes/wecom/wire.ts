import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * What WeCom puts on the wire towards our callback URLs, built with the official-compatible
 * @wecom/crypto (independent of the adapter's own decryption, so the two check each other).
 */
export interface SignedPayload {
  timestamp: string;
  nonce: string;
  encrypt: string;
  signature: string;
}

export interface SealOptions {
  token: string;
  encodingAesKey: string;
  receiveId: string;
  timestamp: number;
  nonce?: string;
  /** Fixed 16-byte random prefix for golden tests. */
  random?: Buffer;
  /** Changes the ciphertext before it is signed (truncation, garbage ...). */
  ciphertext?: (encrypt: string) => string;
  /** Replaces the signature (a bad one). */
  signature?: string;
}

export function seal(plaintext: string, options: SealOptions): SignedPayload {
  const nonce = options.nonce ?? String(randomBytes(5).readUIntBE(0, 5));
  const sealed = encrypt(options.encodingAesKey, plaintext, options.receiveId, options.random ?? randomBytes(16));
  const ciphertext = options.ciphertext ? options.ciphertext(sealed) : sealed;
  const timestamp = String(options.timestamp);
  return {
    timestamp,
    nonce,
    encrypt: ciphertext,
    signature: options.signature ?? getSignature(options.token, timestamp, nonce, ciphertext),
  };
}

/** The query WeCom appends to a callback URL; every value percent-encoded (echostr carries + / =). */
export function callbackQuery(payload: SignedPayload, withEcho = false): string {
  const params = [
    `msg_signature=${encodeURIComponent(payload.signature)}`,
    `timestamp=${encodeURIComponent(payload.timestamp)}`,
    `nonce=${encodeURIComponent(payload.nonce)}`,
  ];
  if (withEcho) params.push(`echostr=${encodeURIComponent(payload.encrypt)}`);
  return params.join('&');
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

export function appEnvelope(corpId: string, agentId: number, encrypted: string): string {
  return `<xml><ToUserName>${cdata(corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata(String(agentId))}</AgentID></xml>`;
}

export function aibotEnvelope(encrypted: string): string {
  return JSON.stringify({ encrypt: encrypted });
}

/** Decrypted XML of a text a member sends in their 1:1 chat with the app (elements on their own lines, as WeCom does). */
export function appTextXml(m: {
  corpId: string;
  agentId: number;
  fromUser: string;
  createTime: number;
  content: string;
  msgId: string;
}): string {
  return [
    `<xml><ToUserName>${cdata(m.corpId)}</ToUserName>`,
    `<FromUserName>${cdata(m.fromUser)}</FromUserName>`,
    `<CreateTime>${m.createTime}</CreateTime>`,
    `<MsgType>${cdata('text')}</MsgType>`,
    `<Content>${cdata(m.content)}</Content>`,
    `<MsgId>${m.msgId}</MsgId>`,
    `<AgentID>${m.agentId}</AgentID>`,
    '</xml>',
  ].join('\n');
}

export interface CardEventFields {
  corpId: string;
  agentId: number;
  fromUser: string;
  createTime: number;
  eventKey: string;
  taskId: string;
  cardType: string;
  responseCode: string;
  selected?: Array<{ questionKey: string; optionIds: string[] }>;
}

/** Decrypted XML of a template_card_event (a button tap), with SelectedItems when a dropdown is set. */
export function cardEventXml(e: CardEventFields): string {
  const selected = e.selected?.length
    ? `<SelectedItems>${e.selected
        .map(
          (s) =>
            `<SelectedItem><QuestionKey>${cdata(s.questionKey)}</QuestionKey><OptionIds>${s.optionIds
              .map((id) => `<OptionId>${cdata(id)}</OptionId>`)
              .join('')}</OptionIds></SelectedItem>`,
        )
        .join('')}</SelectedItems>`
    : '';
  return [
    `<xml><ToUserName>${cdata(e.corpId)}</ToUserName>`,
    `<FromUserName>${cdata(e.fromUser)}</FromUserName>`,
    `<CreateTime>${e.createTime}</CreateTime>`,
    `<MsgType>${cdata('event')}</MsgType>`,
    `<Event>${cdata('template_card_event')}</Event>`,
    `<EventKey>${cdata(e.eventKey)}</EventKey>`,
    `<TaskId>${cdata(e.taskId)}</TaskId>`,
    `<CardType>${cdata(e.cardType)}</CardType>`,
    `<ResponseCode>${cdata(e.responseCode)}</ResponseCode>`,
    selected,
    `<AgentID>${e.agentId}</AgentID>`,
    '</xml>',
  ].join('\n');
}

export function randomCode(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * An AI bot's encrypted passive reply `{encrypt, msgsignature, timestamp, nonce}` opened as WeCom would:
 * the signature checked, the receive id "" checked; the plaintext, or why WeCom would drop it.
 */
export function openAibotReply(
  body: string,
  secrets: { token: string; encodingAesKey: string },
): { plaintext: string } | { refused: string } {
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { refused: 'reply is not JSON' };
  }
  const { encrypt: sealed, msgsignature, timestamp, nonce } = reply;
  if (typeof sealed !== 'string' || typeof msgsignature !== 'string')
    return { refused: 'encrypt or msgsignature missing' };
  if (getSignature(secrets.token, String(timestamp), String(nonce), sealed) !== msgsignature)
    return { refused: 'signature mismatch' };
  const opened = decrypt(secrets.encodingAesKey, sealed);
  if (opened.id !== '') return { refused: 'receive id is not empty' };
  return { plaintext: opened.message };
}
