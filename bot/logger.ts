import pino, { type Logger } from 'pino';

/** Structured logs; phone numbers and secrets never reach them. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.phone', '*.secret', '*.token', '*.password', '*.accessToken', 'payload.phone', 'effect.phone'],
      censor: '***',
    },
  });
}
