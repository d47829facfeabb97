import { FailurePlan as SharedFailurePlan } from '../failure-plan';

/**
 * What a fake ERP does instead of (or around) answering normally:
 * - `status`: answers that HTTP status with an HTML body, without handling the request;
 * - `hangup`: drops the connection without answering;
 * - `delayMs`: handles the request after a delay (past the client's timeout it looks like a hang);
 * - `lostAnswer`: handles the request (a write is done) and drops the connection instead of answering.
 */
export type Failure = { status: number } | { hangup: true } | { delayMs: number } | { lostAnswer: true };

/** Failures planned for the next requests to an ERP endpoint. */
export class FailurePlan<E extends string> extends SharedFailurePlan<E, Failure> {}
