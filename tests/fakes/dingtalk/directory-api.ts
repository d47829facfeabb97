import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FailurePlan } from '../failure-plan';
import { isRecord, parseJsonBody, readBody, sendJson } from './http';

/** A department of the fake organisation (通讯录); the root is dept_id 1 and has no parent. */
export interface FakeDepartment {
  dept_id: number;
  name: string;
  parent_id?: number;
}

/** A person as DingTalk stores them; what the app gets back depends on the options below. */
export interface FakeUser {
  userid: string;
  name: string;
  title?: string;
  mobile?: string;
  /** Every department the person is a direct member of. */
  dept_id_list: number[];
  /** DingTalk's `active` (has activated DingTalk); default true. */
  active?: boolean;
}

export interface DirectoryApiOptions {
  clientId: string;
  clientSecret: string;
  /** Business time: token expiry follows it. */
  clock: () => Date;
  departments: FakeDepartment[];
  users: FakeUser[];
  /**
   * The app lacks the Contacts permission 员工手机号信息: v2/user/list answers without `mobile` (and
   * `state_code`). Default true, as for an app that asked only for the basic contacts permissions.
   */
  withholdMobiles?: boolean;
  /** Largest `size` v2/user/list accepts (default 100; the bound for this call is unconfirmed, see INVALID_PARAM). */
  maxPageSize?: number;
  tokenTtlSeconds?: number;
}

/** The calls the fake serves, named as the reader names them. */
export type DirectoryCall = 'gettoken' | 'v2/department/listsub' | 'v2/department/get' | 'v2/user/list';

/**
 * What the fake can be told to answer instead, next time a call is made (`failures.add(call, failure)`):
 * - `busy`: errcode -1 系统繁忙 (retry)
 * - `rate-limited`: errcode 90002, the global rate limit [D-rate] (errmsg unconfirmed)
 * - `no-permission`: errcode 88 with sub_code 60011 没有调用该接口的权限 [D-88]
 * - `invalid-token`: errcode 40014 不合法的access_token, whatever token came
 * - or any `{errcode, errmsg, sub_code?}` answer
 */
export type DirectoryFailure =
  | 'busy'
  | 'rate-limited'
  | 'no-permission'
  | 'invalid-token'
  | { errcode: number; errmsg: string; sub_code?: string; sub_msg?: string };

export interface DirectoryRequest {
  call: DirectoryCall;
  /** The JSON body (topapi) or the query without the secret and token (gettoken). */
  body: Record<string, unknown>;
  errcode: number;
  at: Date;
}

type Answer = { errcode: number; errmsg: string; [field: string]: unknown };

const PATHS: Record<string, DirectoryCall> = {
  'GET /gettoken': 'gettoken',
  'POST /topapi/v2/department/listsub': 'v2/department/listsub',
  'POST /topapi/v2/department/get': 'v2/department/get',
  'POST /topapi/v2/user/list': 'v2/user/list',
};

const FAILURES: Record<Exclude<DirectoryFailure, object>, Answer> = {
  busy: { errcode: -1, errmsg: '系统繁忙' },
  'rate-limited': { errcode: 90002, errmsg: '您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了' },
  'no-permission': { errcode: 88, errmsg: '没有调用该接口的权限', sub_code: '60011', sub_msg: '没有调用该接口的权限' },
  'invalid-token': { errcode: 40014, errmsg: '不合法的access_token' },
};

/** Wrong app key or secret on gettoken; the code and text are unconfirmed (not in docs/directory-apis.md). */
const BAD_CREDENTIALS = { errcode: 40089, errmsg: '不合法的appKey或appSecret' };
/**
 * An invalid parameter (size over the bound, a missing dept_id): [D-lid] documents 400002 无效的参数 for
 * user/listid; that v2/user/list answers the same is unconfirmed.
 */
const INVALID_PARAM = 400002;

/**
 * DingTalk's old-style server API for the company directory, as docs/directory-apis.md "DingTalk" describes
 * it: gettoken (its own tokens, not the OpenAPI's), v2/department/listsub, v2/department/get and v2/user/list,
 * answered HTTP 200 with `{errcode, errmsg, result, request_id}`. Every request is recorded.
 */
export class FakeDirectoryApi {
  readonly failures = new FailurePlan<DirectoryCall, DirectoryFailure>();
  readonly requests: DirectoryRequest[] = [];
  readonly tokensIssued: string[] = [];
  private readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  private readonly initial: DirectoryApiOptions;

  constructor(readonly options: DirectoryApiOptions) {
    this.initial = { ...options };
  }

  /**
   * Forgets requests, tokens and planned failures, and puts the options back as they were given (a test
   * changes them by assigning: `fake.directory.options.withholdMobiles = false`, `….users = [...]`).
   */
  reset(): void {
    this.failures.clear();
    this.requests.length = 0;
    this.tokensIssued.length = 0;
    this.tokens.clear();
    const options = this.options as Partial<DirectoryApiOptions>;
    for (const key of Object.keys(options) as Array<keyof DirectoryApiOptions>) delete options[key];
    Object.assign(this.options, this.initial);
  }

  /** Makes every token issued so far invalid (40014), as when DingTalk revokes them. */
  revokeTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Requests made to one call, optionally only those whose body matches (`{dept_id: 1}`). */
  calls(call: DirectoryCall, where: Record<string, unknown> = {}): DirectoryRequest[] {
    return this.requests.filter(
      (r) => r.call === call && Object.entries(where).every(([key, value]) => r.body[key] === value),
    );
  }

  handles(method: string, path: string): boolean {
    return `${method} ${path}` in PATHS;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const call = PATHS[`${req.method} ${path}`]!;
    const parsed = call === 'gettoken' ? {} : parseJsonBody(await readBody(req));
    const body = isRecord(parsed) ? parsed : {};
    const recorded = call === 'gettoken' ? { appkey: query.get('appkey') ?? '' } : { ...body };
    const answer = this.answer(call, parsed, query);
    this.requests.push({ call, body: recorded, errcode: answer.errcode, at: this.options.clock() });
    sendJson(res, 200, call === 'gettoken' ? answer : { ...answer, request_id: requestId() });
  }

  private answer(call: DirectoryCall, body: unknown, query: URLSearchParams): Answer {
    const failure = this.failures.take(call);
    if (failure) return typeof failure === 'string' ? { ...FAILURES[failure] } : { ...failure };
    if (call === 'gettoken') return this.issueToken(query);
    const tokenProblem = this.checkToken(query.get('access_token'));
    if (tokenProblem) return tokenProblem;
    if (!isRecord(body)) return { errcode: INVALID_PARAM, errmsg: '无效的参数: the body must be a JSON object' };
    switch (call) {
      case 'v2/department/listsub':
        return this.listsub(body);
      case 'v2/department/get':
        return this.department(body);
      case 'v2/user/list':
        return this.userList(body);
    }
  }

  private issueToken(query: URLSearchParams): Answer {
    if (query.get('appkey') !== this.options.clientId || query.get('appsecret') !== this.options.clientSecret)
      return { ...BAD_CREDENTIALS };
    const ttl = this.options.tokenTtlSeconds ?? 7200;
    const token = `fake-oapi-token-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, { expiresAt: this.options.clock().getTime() + ttl * 1000, revoked: false });
    this.tokensIssued.push(token);
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: ttl };
  }

  /** Only tokens this fake's gettoken issued work here; an expired one gets 42001 (unconfirmed for topapi v2). */
  private checkToken(token: string | null): Answer | undefined {
    const known = token ? this.tokens.get(token) : undefined;
    if (!known || known.revoked) return { errcode: 40014, errmsg: '不合法的access_token' };
    if (known.expiresAt <= this.options.clock().getTime()) return { errcode: 42001, errmsg: 'access_token超时' };
    return undefined;
  }

  private deptOf(body: Record<string, unknown>, fallback?: number): FakeDepartment | Answer {
    const id = body.dept_id ?? fallback;
    if (typeof id !== 'number' || !Number.isInteger(id))
      return { errcode: INVALID_PARAM, errmsg: '无效的参数: dept_id' };
    const dept = this.options.departments.find((d) => d.dept_id === id);
    return dept ?? { errcode: 60003, errmsg: '部门不存在' };
  }

  /** One level only; dept_id defaults to the root [D-sub]. */
  private listsub(body: Record<string, unknown>): Answer {
    const dept = this.deptOf(body, 1);
    if ('errcode' in dept) return dept;
    const result = this.options.departments
      .filter((d) => d.parent_id === dept.dept_id && d.dept_id !== dept.dept_id)
      .map((d) => ({
        dept_id: d.dept_id,
        name: d.name,
        parent_id: d.parent_id,
        create_dept_group: true,
        auto_add_user: true,
      }));
    return { errcode: 0, errmsg: 'ok', result };
  }

  private department(body: Record<string, unknown>): Answer {
    const dept = this.deptOf(body);
    if ('errcode' in dept) return dept;
    return {
      errcode: 0,
      errmsg: 'ok',
      result: {
        dept_id: dept.dept_id,
        name: dept.name,
        ...(dept.parent_id !== undefined ? { parent_id: dept.parent_id } : {}),
        order: dept.dept_id,
        dept_manager_userid_list: [],
        create_dept_group: true,
        auto_add_user: true,
      },
    };
  }

  /** Direct members of one department, `size` at a time from `cursor` (an offset here). */
  private userList(body: Record<string, unknown>): Answer {
    const dept = this.deptOf(body);
    if ('errcode' in dept) return dept;
    const { cursor, size } = body;
    const max = this.options.maxPageSize ?? 100;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > max)
      return { errcode: INVALID_PARAM, errmsg: `无效的参数: size must be 1-${max}` };
    if (typeof cursor !== 'number' || !Number.isInteger(cursor) || cursor < 0)
      return { errcode: INVALID_PARAM, errmsg: '无效的参数: cursor' };
    const direct = this.options.users.filter((u) => u.dept_id_list.includes(dept.dept_id));
    const page = direct.slice(cursor, cursor + size);
    const hasMore = cursor + size < direct.length;
    const withMobile = this.options.withholdMobiles === false;
    const list = page.map((u) => ({
      userid: u.userid,
      unionid: `fakeunion${u.userid}`,
      name: u.name,
      title: u.title ?? '',
      job_number: '',
      ...(withMobile && u.mobile ? { mobile: u.mobile, state_code: '86' } : {}),
      hide_mobile: false,
      dept_id_list: [...u.dept_id_list],
      active: u.active ?? true,
      admin: false,
      boss: false,
      leader: false,
      exclusive_account: false,
    }));
    return {
      errcode: 0,
      errmsg: 'ok',
      result: { has_more: hasMore, ...(hasMore ? { next_cursor: cursor + size } : {}), list },
    };
  }
}

function requestId(): string {
  return randomBytes(10).toString('hex');
}

/**
 * The demo plant as DingTalk's 通讯录 holds it: config/demo.yaml's people (their DingTalk staff ids) in their
 * departments under the company root, 冯工 whom the config does not know yet, and 郑工 in two departments.
 */
export function demoDirectory(): Pick<DirectoryApiOptions, 'departments' | 'users'> {
  const departments: FakeDepartment[] = [
    { dept_id: 1, name: '华东精密制造有限公司' },
    { dept_id: 581001, name: '销售部', parent_id: 1 },
    { dept_id: 581002, name: '技术部', parent_id: 1 },
    { dept_id: 581003, name: '采购部', parent_id: 1 },
    { dept_id: 581004, name: '生产部', parent_id: 1 },
    { dept_id: 581005, name: '质量部', parent_id: 1 },
    { dept_id: 581006, name: '仓储物流部', parent_id: 1 },
  ];
  const users: FakeUser[] = [
    { userid: '0210000', name: '周总', title: '总经理', mobile: '13900000010', dept_id_list: [1] },
    { userid: '0211001', name: '张三', title: '销售', mobile: '13900000001', dept_id_list: [581001] },
    { userid: '0211002', name: '李四', title: '销售', mobile: '13900000002', dept_id_list: [581001] },
    { userid: '0212000', name: '赵总', title: '技术总监', mobile: '13900000020', dept_id_list: [581002] },
    { userid: '0212001', name: '王工', title: '技术主管', mobile: '13900000021', dept_id_list: [581002] },
    { userid: '0212002', name: '刘工', title: '技术主管', mobile: '13900000022', dept_id_list: [581002] },
    { userid: '0213000', name: '钱总', title: '采购总监', mobile: '13900000030', dept_id_list: [581003] },
    { userid: '0213001', name: '陈姐', title: '采购主管', mobile: '13900000031', dept_id_list: [581003] },
    { userid: '0214000', name: '孙总', title: '生产总监', mobile: '13900000040', dept_id_list: [581004] },
    { userid: '0214001', name: '周师傅', title: '生产主管', mobile: '13900000041', dept_id_list: [581004] },
    { userid: '0215001', name: '郑工', title: '质检主管', mobile: '13900000051', dept_id_list: [581005, 581004] },
    { userid: '0216001', name: '吴师傅', title: '仓储物流主管', mobile: '13900000061', dept_id_list: [581006] },
    { userid: '0217001', name: '冯工', title: '工艺工程师', mobile: '13900000071', dept_id_list: [581002] },
  ];
  return { departments, users };
}
