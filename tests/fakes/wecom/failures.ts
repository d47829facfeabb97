import { FailurePlan as SharedFailurePlan } from '../failure-plan';

export type Endpoint =
  | 'gettoken'
  | 'message/send'
  | 'message/update_template_card'
  | 'webhook/send'
  | 'aibot/response'
  | DirectoryEndpoint;

export type DirectoryEndpoint =
  | 'department/simplelist'
  | 'department/get'
  | 'user/list'
  | 'user/simplelist'
  | 'user/list_id';

/**
 * What the fake does instead of (or around) answering normally:
 * - `status`: answers that HTTP status with an HTML body, without handling the request;
 * - `hangup: 'before'`: drops the connection without handling; `'after'`: handles it, then drops the
 *   connection before answering (the send happened, the caller cannot know);
 * - `errcode`: answers that errcode without handling;
 * - `delayMs`: handles it after a delay (past the client's timeout, it looks like a hang);
 * - `revokeTokens`: revokes every access token first, then handles it (so it meets 40014).
 */
export type Failure =
  | { status: number }
  | { hangup: 'before' | 'after' }
  | { errcode: number; errmsg?: string }
  | { delayMs: number }
  | { revokeTokens: true };

/** Failures planned for the next requests to a WeCom endpoint. */
export class FailurePlan extends SharedFailurePlan<Endpoint, Failure> {}
