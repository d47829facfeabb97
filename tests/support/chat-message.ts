import type { MessageEvent } from '../../core/events';

/** Zhang San's message to the bot in the demo's east sales group, as the playground hands it over. */
export function salesMessage(text: string, messageId: string, receivedAt: Date): MessageEvent {
  return {
    kind: 'message',
    platform: 'playground',
    conversationId: 'sales-east',
    senderId: 'zhangsan',
    senderName: '张三',
    text,
    messageId,
    receivedAt: receivedAt.toISOString(),
    addressedToBot: true,
  };
}
