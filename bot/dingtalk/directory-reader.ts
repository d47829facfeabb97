import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { cachedToken, invalidateToken, tokenMemo, type TokenMemo } from '../../db/platform-tokens';
import {
  type DirectoryDepartment,
  type DirectoryMember,
  type DirectoryReader,
  type DirectorySnapshot,
  mergeMembers,
  usableName,
} from '../../domain/directory';
import { httpJson } from './openapi';
import type { DingtalkSettings } from './settings';

/** The root department of every DingTalk organisation (docs/directory-apis.md "DingTalk"). */
const ROOT = 1;
/** v2/user/list page size; the doc pages user/listsimple at ≤100, the same bound for v2/user/list is unconfirmed. */
const PAGE_SIZE = 100;
/** Pages of one department before the reader gives up on a cursor that never ends (100,000 members). */
const MAX_PAGES = 1000;
/**
 * errcodes that mean the access token is no good: 40014 不合法的access_token, 42001 access_token超时.
 * Neither is in the research notes; both are DingTalk's long-standing global codes (unconfirmed for topapi v2).
 */
const INVALID_TOKEN = new Set([40014, 42001]);
/** errcodes worth waiting for: -1 系统繁忙, 90002 the global rate limit [D-rate]. */
const BUSY = new Set([-1, 90002]);
/** Waits before the retries of a busy answer (exponential, as the rate-limit doc advises). */
const BUSY_DELAYS_MS = [200, 400, 800];

/** Names of the calls, as error messages and logs show them (never the URL: it carries the token). */
export type DingtalkDirectoryCall = 'gettoken' | 'v2/department/listsub' | 'v2/department/get' | 'v2/user/list';

/** A DingTalk answer with an errcode other than 0 (or no usable answer at all), after any retries. */
export class DingtalkDirectoryError extends Error {
  constructor(
    readonly call: DingtalkDirectoryCall,
    message: string,
    readonly errcode?: number,
    readonly subCode?: string,
  ) {
    super(`DingTalk ${call}: ${message}`);
    this.name = 'DingtalkDirectoryError';
  }

  /** 88 (sub_code 60011) or 60011: the app lacks a Contacts permission or sees too little of the company. */
  get isPermission(): boolean {
    return this.errcode !== undefined && isPermissionRefusal(this.errcode, this.subCode);
  }
}

interface OapiAnswer {
  errcode?: number | string;
  errmsg?: string;
  sub_code?: string | number;
  sub_msg?: string;
  [field: string]: unknown;
}

interface ListedDepartment {
  dept_id: number;
  name?: string;
  parent_id?: number;
}

interface ListedUser {
  userid: string;
  name?: string;
  title?: string;
  mobile?: string;
  dept_id_list?: number[];
  active?: boolean;
}

interface UserPage {
  has_more?: boolean;
  next_cursor?: number;
  list?: ListedUser[];
}

/**
 * Reads the DingTalk 通讯录 through the old-style server API (oapi.dingtalk.com): v2/department/listsub
 * breadth first from the root (1) for the tree, v2/user/list per department (paged by 100) for members.
 * Its token is the one `gettoken` issues for the app key and secret, cached under its own key: whether the
 * new-style OpenAPI token would be accepted here is unconfirmed. Mobiles come back only when the app has the
 * 员工手机号信息 permission; without it the snapshot says mobiles were withheld.
 */
export class DingtalkDirectoryReader implements DirectoryReader {
  readonly platform = 'dingtalk' as const;
  private readonly tokens: TokenMemo = tokenMemo();
  private readonly busyDelaysMs: readonly number[];

  constructor(
    private readonly settings: DingtalkSettings,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly log: Logger,
    options: { busyDelaysMs?: readonly number[] } = {},
  ) {
    this.busyDelaysMs = options.busyDelaysMs ?? BUSY_DELAYS_MS;
  }

  private get tokenKey(): string {
    return `dingtalk-oapi:${this.settings.clientId}`;
  }

  async read(): Promise<DirectorySnapshot> {
    const departments: DirectoryDepartment[] = [{ id: String(ROOT), ...named(await this.rootName()) }];
    const seen = new Set([ROOT]);
    const queue = [ROOT];
    for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
      const result = await this.call<ListedDepartment[]>('v2/department/listsub', { dept_id: parent });
      for (const d of Array.isArray(result) ? result : []) {
        if (typeof d.dept_id !== 'number' || seen.has(d.dept_id)) continue;
        seen.add(d.dept_id);
        queue.push(d.dept_id);
        departments.push({
          id: String(d.dept_id),
          ...named(d.name),
          parentId: String(d.parent_id ?? parent),
        });
      }
    }
    const lists: DirectoryMember[][] = [];
    for (const d of departments) lists.push(await this.membersOf(Number(d.id)));
    const members = mergeMembers(lists);
    const withheld: DirectorySnapshot['withheld'] = [];
    if (members.length > 0 && !members.some((m) => m.name)) withheld.push('names');
    if (members.length > 0 && !members.some((m) => m.mobile)) withheld.push('mobiles');
    this.log.info(
      { departments: departments.length, members: members.length, withheld },
      'read the DingTalk company directory',
    );
    return { platform: 'dingtalk', departments, members, withheld };
  }

  /** The root department's name (the company's); v2/department/get may be refused, and then it stays unknown. */
  private async rootName(): Promise<string | undefined> {
    try {
      const result = await this.call<{ name?: string }>('v2/department/get', { dept_id: ROOT });
      return result?.name;
    } catch (err) {
      if (!(err instanceof DingtalkDirectoryError) || err.call !== 'v2/department/get') throw err;
      this.log.warn({ err: err.message }, 'DingTalk gave no name for the root department');
      return undefined;
    }
  }

  /** The direct members of one department, page by page. */
  private async membersOf(deptId: number): Promise<DirectoryMember[]> {
    const members: DirectoryMember[] = [];
    let cursor = 0;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES)
        throw new DingtalkDirectoryError('v2/user/list', `department ${deptId} has more than ${MAX_PAGES} pages`);
      const result = await this.call<UserPage>('v2/user/list', { dept_id: deptId, cursor, size: PAGE_SIZE });
      for (const user of result?.list ?? []) {
        if (typeof user.userid === 'string' && user.userid) members.push(toMember(user, deptId));
      }
      if (!result?.has_more) return members;
      if (typeof result.next_cursor !== 'number' || result.next_cursor <= cursor)
        throw new DingtalkDirectoryError(
          'v2/user/list',
          `department ${deptId}: has_more without a next_cursor past ${cursor}`,
        );
      cursor = result.next_cursor;
    }
  }

  /** A topapi call with the token: an invalid token is dropped and fetched again once. */
  private async call<T>(call: Exclude<DingtalkDirectoryCall, 'gettoken'>, body: unknown): Promise<T> {
    const token = await this.token();
    try {
      return await this.post<T>(call, body, token);
    } catch (err) {
      if (!(err instanceof DingtalkDirectoryError) || err.errcode === undefined || !INVALID_TOKEN.has(err.errcode))
        throw err;
      this.log.info({ call, errcode: err.errcode }, 'DingTalk called the oapi access token invalid; refreshing it');
      await invalidateToken(this.db, this.tokenKey, token, this.tokens);
      return this.post<T>(call, body, await this.token());
    }
  }

  private async post<T>(call: Exclude<DingtalkDirectoryCall, 'gettoken'>, body: unknown, token: string): Promise<T> {
    const answer = await this.send(call, `/topapi/${call}?access_token=${encodeURIComponent(token)}`, {
      method: 'POST',
      body,
    });
    return answer.result as T;
  }

  private token(): Promise<string> {
    return cachedToken(
      this.db,
      this.tokenKey,
      this.clock(),
      async () => {
        const query = new URLSearchParams({ appkey: this.settings.clientId, appsecret: this.settings.clientSecret });
        const answer = await this.send('gettoken', `/gettoken?${query}`, { method: 'GET' });
        if (typeof answer.access_token !== 'string' || !answer.access_token)
          throw new DingtalkDirectoryError('gettoken', 'the answer has no access_token');
        const expiresIn = Number(answer.expires_in);
        return { token: answer.access_token, expiresInSeconds: expiresIn > 0 ? expiresIn : 7200 };
      },
      { memo: this.tokens },
    );
  }

  /** One request, repeated while DingTalk says it is busy; any other errcode but 0 is thrown. */
  private async send(
    call: DingtalkDirectoryCall,
    pathAndQuery: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<OapiAnswer> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.request(call, pathAndQuery, init);
      const errcode = Number(answer.errcode ?? 0);
      if (errcode === 0) return answer;
      const delay = this.busyDelaysMs[attempt];
      if (BUSY.has(errcode) && delay !== undefined) {
        this.log.warn({ call, errcode, retryInMs: delay }, 'DingTalk is busy; trying again');
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      const subCode = answer.sub_code === undefined || answer.sub_code === '' ? undefined : String(answer.sub_code);
      const message = [
        `errcode ${errcode}`,
        answer.errmsg,
        subCode ? `(sub_code ${subCode}${answer.sub_msg ? ` ${answer.sub_msg}` : ''})` : undefined,
        isPermissionRefusal(errcode, subCode)
          ? '- the app lacks a Contacts permission or sees too little of the company'
          : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      throw new DingtalkDirectoryError(call, message, errcode, subCode);
    }
  }

  /** One HTTP call through the OpenAPI client's transport; a transport failure or a non-JSON answer is thrown. */
  private async request(
    call: DingtalkDirectoryCall,
    pathAndQuery: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<OapiAnswer> {
    let answer: { status: number; json: unknown };
    try {
      answer = await httpJson(
        `${this.settings.oapiBase}${pathAndQuery}`,
        init.method,
        init.body,
        {},
        this.settings.requestTimeoutMs,
      );
    } catch (err) {
      throw new DingtalkDirectoryError(call, `the request did not complete (${(err as Error).message})`);
    }
    if (answer.status < 200 || answer.status >= 300) throw new DingtalkDirectoryError(call, `HTTP ${answer.status}`);
    const { json } = answer;
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new DingtalkDirectoryError(call, 'the answer is not a JSON object');
    return json as OapiAnswer;
  }
}

/** 88 with sub_code 60011 "没有调用该接口的权限" [D-88]; a bare 60011 is taken to mean the same. */
function isPermissionRefusal(errcode: number, subCode: string | undefined): boolean {
  return errcode === 60011 || (errcode === 88 && (subCode === undefined || subCode === '60011'));
}

function toMember(user: ListedUser, deptId: number): DirectoryMember {
  const name = usableName(user.name, user.userid);
  const title = typeof user.title === 'string' ? user.title.trim() : '';
  const mobile = typeof user.mobile === 'string' ? user.mobile.trim() : '';
  const listed = Array.isArray(user.dept_id_list) ? user.dept_id_list.map(String) : [];
  return {
    userId: user.userid,
    ...(name ? { name } : {}),
    departmentIds: listed.includes(String(deptId)) ? listed : [String(deptId), ...listed],
    ...(title ? { title } : {}),
    ...(mobile ? { mobile } : {}),
    // DingTalk's `active` reads as "has activated DingTalk" rather than "still employed" (unconfirmed).
    active: user.active !== false,
  };
}

function named(name: string | undefined): { name?: string } {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return trimmed ? { name: trimmed } : {};
}
