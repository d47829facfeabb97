import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  isDuplicateOutTrackId,
  isTransientDeliveryError,
  templateProblem,
} from '../../bot/dingtalk/api-errors';
import { DingtalkDirectory } from '../../bot/dingtalk/directory';
import { decodeCardCallback, decodeRobotMessage } from '../../bot/dingtalk/inbound';
import { RequestRefused } from '../../core/errors';
import { markdownMessage } from '../../bot/dingtalk/messages';
import { DINGTALK_CARD_VARIABLES, renderDingtalkActionCard, renderDingtalkCardParams } from '../../cards/dingtalk';
import { resolveCard, type Card } from '../../cards/model';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';

const directory = new DingtalkDirectory(fixedConfig(loadBusinessConfig()));
const now = new Date('2026-02-24T02:00:00Z');

const card: Card = {
  id: 'c_0123456789abcdef0123',
  title: '需求单审批 · 技术部',
  subtitle: 'SO-20260224-0001',
  fields: [
    { key: 'order', label: '订单号', value: 'SO-20260224-0001' },
    { key: 'specs', label: '技术要求', value: 'Ra≤0.4μm ✗', tone: 'red' },
  ],
  notes: ['原文：BRK-2026-01 ×5'],
  buttons: [
    { key: 'approve', label: '同意', style: 'primary' },
    { key: 'reject', label: '驳回', style: 'danger' },
  ],
};

describe('the DingTalk card renderer', () => {
  it('fills every template variable with a string, buttons while pending and a status line once resolved', () => {
    const pending = renderDingtalkCardParams(card);
    expect(Object.keys(pending).sort()).toEqual([...DINGTALK_CARD_VARIABLES].sort());
    expect(pending).toMatchObject({
      status: 'pending',
      statusText: '',
      showActions: 'true',
      subtitle: 'SO-20260224-0001',
    });
    expect(pending.content).toContain('**技术要求**：<font colorTokenV2=common_red1_color>Ra≤0.4μm ✗</font>');
    expect(pending.content).toContain('> 原文：BRK-2026-01 ×5');
    const done = renderDingtalkCardParams(resolveCard(card, { status: 'approved', text: '已同意 · 王工 10:42' }));
    expect(done).toMatchObject({
      status: 'approved',
      statusText: '已同意 · 王工 10:42',
      showActions: 'false',
      buttons: '[]',
    });
  });

  it('renders any card as a string-only parameter map whose JSON fields read back', () => {
    const text = fc.string({ maxLength: 40 });
    const anyCard = fc.record({
      id: text,
      title: text,
      subtitle: fc.option(text, { nil: undefined }),
      fields: fc.array(
        fc.record({
          label: text,
          value: text,
          tone: fc.constantFrom(undefined, 'red', 'yellow', 'blue') as fc.Arbitrary<'red' | undefined>,
        }),
        { maxLength: 6 },
      ),
      notes: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
      buttons: fc.array(fc.record({ key: text, label: text }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(anyCard, (c) => {
        const params = renderDingtalkCardParams(c as Card);
        expect(Object.values(params).every((v) => typeof v === 'string')).toBe(true);
        expect(JSON.parse(params.fields!).map((f: { label: string }) => f.label)).toEqual(c.fields.map((f) => f.label));
        expect(JSON.parse(params.buttons!)).toHaveLength(c.buttons.length);
      }),
    );
  });

  it('falls back to markdown, or to an ActionCard whose buttons open links', () => {
    expect(renderDingtalkActionCard(card)).toMatchObject({
      msgKey: 'sampleMarkdown',
      msgParam: { title: '需求单审批 · 技术部 SO-20260224-0001' },
    });
    const linked = renderDingtalkActionCard(card, (b) => `https://approve.example/c/${b.key}`);
    expect(linked).toEqual({
      msgKey: 'sampleActionCard2',
      msgParam: expect.objectContaining({
        actionTitle1: '同意',
        actionURL1: 'https://approve.example/c/approve',
        actionTitle2: '驳回',
      }),
    });
    expect(linked.msgParam.text).not.toContain('<font');
  });

  it('turns handler text into DingTalk markdown with a title', () => {
    expect(markdownMessage('✅ 已创建需求单 **SO-1**\n状态：待审批', '订单助手')).toEqual({
      msgKey: 'sampleMarkdown',
      msgParam: { title: '✅ 已创建需求单 SO-1', text: '✅ 已创建需求单 **SO-1**\n\n状态：待审批' },
    });
  });
});

describe('decoding DingTalk frames', () => {
  const robot = (extra: Record<string, unknown>) =>
    JSON.stringify({
      conversationId: 'cidEastSalesGroup0001==',
      conversationType: '2',
      msgId: 'msgA==',
      senderStaffId: '0211001',
      senderNick: '张三',
      robotCode: 'dingbot',
      msgtype: 'text',
      text: { content: ' BRK-2026-01 ×5' },
      sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
      sessionWebhookExpiredTime: now.getTime() + 5400_000,
      ...extra,
    });

  it('maps a group @-mention to the config conversation and person, with its session webhook', () => {
    const decoded = decodeRobotMessage(robot({}), directory, now);
    expect(decoded.event).toMatchObject({
      platform: 'dingtalk',
      conversationId: 'sales-east',
      senderId: 'zhangsan',
      senderName: '张三',
      text: 'BRK-2026-01 ×5',
      messageId: 'msgA==',
      addressedToBot: true,
    });
    expect(decoded.externalId).toBe('msg:msgA==');
    expect(decoded.sessionWebhook).toEqual({
      conversationId: 'sales-east',
      url: expect.stringContaining('sendBySession'),
      expiresAt: new Date(now.getTime() + 5400_000),
    });
  });

  it("ends a session webhook 90 minutes after the message's createAt, even when a later expiry is given", () => {
    const createAt = now.getTime() - 60_000;
    const at = (extra: Record<string, unknown>) =>
      decodeRobotMessage(robot(extra), directory, now).sessionWebhook?.expiresAt.getTime();
    expect(at({ createAt, sessionWebhookExpiredTime: createAt + 2 * 5400_000 })).toBe(createAt + 5400_000);
    expect(at({ createAt, sessionWebhookExpiredTime: createAt + 600_000 })).toBe(createAt + 600_000);
    expect(at({ createAt, sessionWebhookExpiredTime: undefined })).toBe(createAt + 5400_000);
    expect(at({ sessionWebhookExpiredTime: undefined })).toBeUndefined();
  });

  it('names 1:1 chats dm:<person>, and unknown people and groups by their DingTalk ids', () => {
    expect(
      decodeRobotMessage(robot({ conversationType: '1', conversationId: 'cidDm==' }), directory, now).event
        .conversationId,
    ).toBe('dm:zhangsan');
    const stranger = decodeRobotMessage(
      robot({ senderStaffId: '0999', senderNick: '访客', conversationId: 'cidOther==' }),
      directory,
      now,
    ).event;
    expect(stranger).toMatchObject({
      senderId: 'dingtalk:0999',
      senderName: '访客',
      conversationId: 'dingtalk:cidOther==',
    });
    expect(directory.resolve({ conversationId: 'dingtalk:cidOther==' })).toMatchObject({
      kind: 'group',
      openConversationId: 'cidOther==',
    });
    expect(directory.resolve({ userId: 'dingtalk:0999' })).toMatchObject({ kind: 'user', staffId: '0999' });
    expect(directory.resolve({ conversationId: 'dm:wanggong' })).toMatchObject({ kind: 'user', staffId: '0212001' });
    expect(directory.resolve({ userId: 'nobody' })).toMatchObject({ kind: 'unknown' });
  });

  it('refuses frames that are not robot messages or card callbacks', () => {
    expect(() => decodeRobotMessage('not json', directory, now)).toThrow(RequestRefused);
    expect(() => decodeRobotMessage(JSON.stringify({ msgId: 'x' }), directory, now)).toThrow(RequestRefused);
    expect(() =>
      decodeCardCallback(JSON.stringify({ outTrackId: 'c1', userId: '0212001' }), 'f1', directory, now),
    ).toThrow(RequestRefused);
    const noAction = JSON.stringify({
      outTrackId: 'c1',
      userId: '0212001',
      content: JSON.stringify({ cardPrivateData: { actionIds: [], params: {} } }),
    });
    expect(() => decodeCardCallback(noAction, 'f1', directory, now)).toThrow(RequestRefused);
  });

  it('reads the action from the button id or its `action` param, and the reason from the `note` input', () => {
    const callback = (privateData: unknown) =>
      JSON.stringify({
        type: 'actionCallback',
        outTrackId: 'c_1',
        userId: '0213001',
        corpId: 'ding1',
        content: JSON.stringify({ cardPrivateData: privateData }),
      });
    const byId = decodeCardCallback(callback({ actionIds: ['approve'], params: {} }), 'frame-1', directory, now);
    expect(byId.event).toMatchObject({
      kind: 'card-action',
      cardId: 'c_1',
      actionKey: 'approve',
      actorId: 'chenjie',
      callbackRef: 'frame-1',
    });
    expect(byId.event.note).toBeUndefined();
    expect(byId.externalId).toBe('card:c_1:0213001:approve:frame-1');
    const byParam = decodeCardCallback(
      callback({ actionIds: ['button_x1'], params: { action: 'reject', note: ' 缺料 ' } }),
      'frame-2',
      directory,
      now,
    );
    expect(byParam.event).toMatchObject({ actionKey: 'reject', note: '缺料' });
  });
});

describe('DingTalk API errors', () => {
  it('refreshes on invalid tokens, backs off on limits and 5xx, and gives up on the rest', () => {
    expect(classifyFailure({ status: 401, code: 'InvalidAuthentication' })).toEqual({ kind: 'invalid-token' });
    expect(classifyFailure({ status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi' })).toEqual({
      kind: 'retry',
      afterMs: 1000,
      throttled: true,
    });
    expect(classifyFailure({ status: 403, code: 'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi' })).toEqual({
      kind: 'retry',
      afterMs: 60_000,
      throttled: true,
    });
    expect(classifyFailure({ status: 503 })).toEqual({ kind: 'retry' });
    expect(classifyFailure({ status: 403, code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied' })).toEqual({
      kind: 'permanent',
    });
    expect(classifyFailure({ status: 400, code: 'InvalidParameter' })).toEqual({ kind: 'permanent' });
    expect(
      isDuplicateOutTrackId({ status: 400, code: 'param.outTrackId.duplicate', message: 'outTrackId 已存在' }),
    ).toBe(true);
    expect(isDuplicateOutTrackId({ status: 400, code: 'InvalidParameter', message: 'cardTemplateId' })).toBe(false);
  });

  it('reads a duplicate outTrackId, an unusable template and a passing per-space failure', () => {
    expect(isDuplicateOutTrackId({ status: 400, code: 'param.cardAlreadyExist', message: '卡片已存在' })).toBe(true);
    expect(classifyFailure({ status: 400, code: 'param.templateNotExist' })).toEqual({ kind: 'permanent' });
    expect(templateProblem({ status: 400, code: 'param.templateNotExist' })).toBe('not-found');
    expect(templateProblem({ status: 400, code: 'param.templateUnpublished' })).toBe('unpublished');
    expect(templateProblem({ status: 400, code: 'param.cardAlreadyExist' })).toBeUndefined();
    expect(isTransientDeliveryError('system busy, try again later')).toBe(true);
    expect(isTransientDeliveryError('系统繁忙')).toBe(true);
    expect(isTransientDeliveryError('user not found')).toBe(false);
    expect(isTransientDeliveryError(undefined)).toBe(false);
  });
});
