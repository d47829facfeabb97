import diff from 'microdiff';

/** One changed field of the business config between two versions. */
export interface ConfigChange {
  /** The field, e.g. "thresholds.escalateAfter" or "departments.1.leads.0". */
  path: string;
  /** Absent when the field was added. */
  before?: unknown;
  /** Absent when the field was removed. */
  after?: unknown;
}

/** Fields whose values never appear in a change list (they are shown as changed, not what they are). */
const SECRET = /(^|\.)passwordHash$/;
const HIDDEN = '••••••';

/** What changed from one config (input form) to the next, field by field, secrets hidden. */
export function configChanges(before: unknown, after: unknown): ConfigChange[] {
  if (!isObject(before) || !isObject(after)) return [{ path: '', before, after }];
  return diff(before, after).map((d) => {
    const path = d.path.join('.');
    const hide = (v: unknown) => (SECRET.test(path) ? HIDDEN : withoutSecrets(v));
    if (d.type === 'CREATE') return { path, after: hide(d.value) };
    if (d.type === 'REMOVE') return { path, before: hide(d.oldValue) };
    return { path, before: hide(d.oldValue), after: hide(d.value) };
  });
}

/** "thresholds.escalateAfter: 2h → 1h" */
export function changeLine(change: ConfigChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (!('before' in change)) return `${change.path}: + ${show(change.after)}`;
  if (!('after' in change)) return `${change.path}: − ${show(change.before)}`;
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}

/** A value with every password hash in it (at any depth) hidden. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'passwordHash' ? HIDDEN : withoutSecrets(v)]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
