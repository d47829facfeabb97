import { XMLParser } from 'fast-xml-parser';
import { RequestRefused } from '../../core/errors';

/** What the self-built app's decrypted XML says, reduced to what orderbot uses. */
export type AppPayload =
  | { kind: 'text'; msgId: string; fromUser: string; createTime: string; content: string }
  | {
      kind: 'card-click';
      fromUser: string;
      createTime: string;
      taskId: string;
      eventKey: string;
      responseCode?: string;
      selected: Array<{ questionKey: string; optionIds: string[] }>;
    }
  | { kind: 'ignored'; what: string };

// Every value stays a string: MsgId exceeds 2^53 and "007" must not become 7.
const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: true,
  isArray: (name) => name === 'SelectedItem' || name === 'OptionId',
});

const ENCRYPT = /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]*)\]\]>|([A-Za-z0-9+/=]*))\s*<\/Encrypt>/;

/** The ciphertext of the outer envelope, found without parsing anything unauthenticated. */
export function encryptedPart(body: string): string {
  const match = ENCRYPT.exec(body);
  const encrypt = match?.[1] ?? match?.[2];
  if (!encrypt) throw RequestRefused.malformed('no Encrypt element');
  return encrypt;
}

type Node = Record<string, unknown>;
const text = (node: Node, key: string): string | undefined =>
  typeof node[key] === 'string' ? (node[key] as string) : undefined;

function selectedItems(node: Node): Array<{ questionKey: string; optionIds: string[] }> {
  const container = node.SelectedItems as Node | undefined;
  const items = (container?.SelectedItem as Node[] | undefined) ?? [];
  return items.flatMap((item) => {
    const questionKey = text(item, 'QuestionKey');
    const ids = ((item.OptionIds as Node | undefined)?.OptionId as unknown[] | undefined) ?? [];
    return questionKey ? [{ questionKey, optionIds: ids.filter((id): id is string => typeof id === 'string') }] : [];
  });
}

export function readAppPayload(xml: string): AppPayload {
  let root: Node;
  try {
    root = (parser.parse(xml) as Node).xml as Node;
  } catch {
    throw RequestRefused.malformed('payload is not XML');
  }
  if (!root || typeof root !== 'object') throw RequestRefused.malformed('payload has no <xml> root');
  const fromUser = text(root, 'FromUserName');
  const createTime = text(root, 'CreateTime');
  const msgType = text(root, 'MsgType');
  if (!fromUser || !createTime || !msgType)
    throw RequestRefused.malformed('payload lacks FromUserName, CreateTime or MsgType');
  if (msgType === 'text') {
    const msgId = text(root, 'MsgId');
    if (!msgId || !/^\d+$/.test(msgId)) throw RequestRefused.malformed('text message without a MsgId');
    return { kind: 'text', msgId, fromUser, createTime, content: text(root, 'Content') ?? '' };
  }
  const event = text(root, 'Event');
  if (msgType === 'event' && event === 'template_card_event') {
    const taskId = text(root, 'TaskId');
    const eventKey = text(root, 'EventKey');
    if (!taskId || !eventKey) throw RequestRefused.malformed('card event without TaskId or EventKey');
    const responseCode = text(root, 'ResponseCode');
    return {
      kind: 'card-click',
      fromUser,
      createTime,
      taskId,
      eventKey,
      ...(responseCode ? { responseCode } : {}),
      selected: selectedItems(root),
    };
  }
  return { kind: 'ignored', what: event ? `${msgType}/${event}` : msgType };
}
