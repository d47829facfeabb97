import { OrderbotError } from '../../core/errors';

export type ErpKind = 'u8' | 'kingdee';

/**
 * - auth: the ERP refused our credentials (wrong secret, password, account);
 * - token / session: a token or session the ERP kept calling invalid even after a fresh one;
 * - http: an unexpected HTTP status; network / timeout: no answer;
 * - api: the ERP answered with a business error; protocol: an answer we cannot trust or read.
 */
export type ErpErrorCode = 'auth' | 'token' | 'session' | 'http' | 'network' | 'timeout' | 'api' | 'protocol';

export class ErpError extends OrderbotError {
  declare readonly code: ErpErrorCode;
  readonly status: number | undefined;
  /** The ERP's own error code (U8 errcode, Kingdee ErrorCode / LoginResultType), when it sent one. */
  readonly erpCode: string | undefined;
  /** The ERP's own words for a refusal (U8 errmsg, Kingdee Errors[].Message), for people to read. */
  readonly erpMessage: string | undefined;
  /**
   * A write whose outcome is unknown: it was sent but its answer was lost, so the ERP may have done it.
   * Send it again only after looking the record up.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    readonly erp: ErpKind,
    message: string,
    /** `retryable`: the same call may succeed later without anyone changing the configuration. */
    details: {
      code: ErpErrorCode;
      retryable: boolean;
      status?: number;
      erpCode?: string;
      erpMessage?: string;
      outcomeUnknown?: boolean;
      cause?: unknown;
    },
  ) {
    super(`${erp === 'u8' ? 'U8' : 'Kingdee'}: ${message}`, details);
    this.status = details.status;
    this.erpCode = details.erpCode;
    this.erpMessage = details.erpMessage;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}

export const isErpError = (e: unknown): e is ErpError => e instanceof ErpError;
