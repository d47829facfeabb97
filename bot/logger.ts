import pino, { type DestinationStream, type Logger } from 'pino';

/** Structured logs; phone numbers and secrets never reach them. `destination` defaults to stdout. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['*.phone', '*.secret', '*.token', '*.password', '*.accessToken', 'payload.phone', 'effect.phone'],
      censor: '***',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
