import type { Reply } from './app-api';

/** A department of the fake company (通讯录), root id 1. */
export interface FakeDepartment {
  id: number;
  name: string;
  parentid: number;
}

/** A member as WeCom stores them; what an app gets back depends on the options below. */
export interface FakeMember {
  userid: string;
  name: string;
  department: number[];
  position?: string;
  mobile?: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left. */
  status?: 1 | 2 | 4 | 5;
}

export interface DirectoryApiOptions {
  departments: FakeDepartment[];
  members: FakeMember[];
  /**
   * The app was created after 2022-06-20: user/list and user/get no longer return mobile (and avatar,
   * email, …). Default true, as for any app a plant creates today.
   */
  createdAfter2022?: boolean;
  /**
   * The 通讯录同步 secret used from a new IP (since 2022-08): user/list, user/simplelist, user/get and
   * department/get answer 48009; only department/simplelist and user/list_id work (ids only).
   */
  idsOnly?: boolean;
  /** The app's visible range (可见范围): department ids whose subtree the app may read; default the whole company. */
  visible?: number[];
}

const NO_DETAILS = {
  errcode: 48009,
  errmsg: 'api forbidden for contact sync from new ip, 不再允许通讯录同步助手从新增IP读取通讯录详情',
};

/** department/simplelist, department/get, user/list, user/simplelist and user/list_id with WeCom's rules. */
export class FakeDirectoryApi {
  constructor(readonly options: DirectoryApiOptions) {}

  route(endpoint: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    switch (endpoint) {
      case 'department/simplelist':
        return this.simplelist(query.get('id'));
      case 'department/get':
        return this.department(query.get('id'));
      case 'user/list':
        return this.members(query.get('department_id'), true);
      case 'user/simplelist':
        return this.members(query.get('department_id'), false);
      default:
        return this.listIds(body);
    }
  }

  private simplelist(id: string | null): Reply {
    const roots = id ? [Number(id)] : this.visibleRoots();
    if (id && !this.isVisible(Number(id))) return fail(60011, 'no privilege to access/modify contact/party/agent');
    const ids = new Set(roots.flatMap((root) => this.subtree(root)));
    const department_id = this.options.departments
      .filter((d) => ids.has(d.id))
      .map((d, order) => ({ id: d.id, parentid: d.parentid, order: 100_000_000 - order }));
    return ok({ department_id });
  }

  private department(id: string | null): Reply {
    if (this.options.idsOnly) return NO_DETAILS;
    const dept = this.options.departments.find((d) => String(d.id) === id);
    if (!dept) return fail(60123, 'invalid party id');
    if (!this.isVisible(dept.id)) return fail(60011, 'no privilege to access/modify contact/party/agent');
    return ok({
      department: {
        id: dept.id,
        name: dept.name,
        name_en: '',
        department_leader: [],
        parentid: dept.parentid,
        order: 1,
      },
    });
  }

  private members(departmentId: string | null, details: boolean): Reply {
    if (this.options.idsOnly) return NO_DETAILS;
    const id = Number(departmentId);
    if (!departmentId || !this.options.departments.some((d) => d.id === id)) return fail(60123, 'invalid party id');
    if (!this.isVisible(id)) return fail(60011, 'no privilege to access/modify contact/party/agent');
    const direct = this.options.members.filter((m) => m.department.includes(id));
    const userlist = direct.map((m) => {
      const department = m.department.filter((d) => this.isVisible(d));
      if (!details) return { userid: m.userid, name: m.name, department };
      return {
        userid: m.userid,
        name: m.name,
        department,
        order: department.map(() => 0),
        position: m.position ?? '',
        status: m.status ?? 1,
        is_leader_in_dept: department.map(() => 0),
        main_department: department[0],
        ...(this.options.createdAfter2022 === false ? { mobile: m.mobile ?? '', email: '' } : {}),
      };
    });
    return ok({ userlist });
  }

  /** POST user/list_id {cursor, limit}: one row per member × department, paged by an opaque cursor. */
  private listIds(body: Record<string, unknown>): Reply {
    const limit = body.limit === undefined ? 1000 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return fail(40058, 'invalid limit');
    const rows = this.options.members.flatMap((m) => m.department.map((d) => ({ userid: m.userid, department: d })));
    const start = body.cursor ? Number(Buffer.from(String(body.cursor), 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) return fail(40058, 'invalid cursor');
    const end = start + limit;
    return ok({
      next_cursor: end < rows.length ? Buffer.from(String(end)).toString('base64url') : '',
      dept_user: rows.slice(start, end),
    });
  }

  private visibleRoots(): number[] {
    return this.options.visible ?? [1];
  }

  private isVisible(id: number): boolean {
    return this.visibleRoots().some((root) => this.subtree(root).includes(id));
  }

  private subtree(root: number): number[] {
    const children = this.options.departments.filter((d) => d.parentid === root && d.id !== root);
    return [root, ...children.flatMap((c) => this.subtree(c.id))];
  }
}

function ok(fields: Record<string, unknown>): Reply {
  return { errcode: 0, errmsg: 'ok', ...fields };
}

function fail(errcode: number, errmsg: string): Reply {
  return { errcode, errmsg };
}

/**
 * The demo plant as WeCom's 通讯录 holds it: the demo config's people in their departments, plus
 * people the config does not know yet (the console maps them).
 */
export function demoDirectory(): Pick<DirectoryApiOptions, 'departments' | 'members'> {
  const departments: FakeDepartment[] = [
    { id: 1, name: '华东精密制造有限公司', parentid: 0 },
    { id: 2, name: '销售部', parentid: 1 },
    { id: 3, name: '技术部', parentid: 1 },
    { id: 4, name: '采购部', parentid: 1 },
    { id: 5, name: '生产部', parentid: 1 },
    { id: 6, name: '质量部', parentid: 5 },
    { id: 7, name: '仓储物流部', parentid: 5 },
    { id: 8, name: '总经办', parentid: 1 },
  ];
  const members: FakeMember[] = [
    { userid: 'ZhangSan', name: '张三', department: [2], position: '销售', mobile: '13900000001' },
    { userid: 'LiSi', name: '李四', department: [2], position: '销售', mobile: '13900000002' },
    { userid: 'WangGong', name: '王工', department: [3], position: '技术主管' },
    { userid: 'LiuGong', name: '刘工', department: [3], position: '技术主管' },
    { userid: 'ZhaoZong', name: '赵总', department: [3, 8], position: '技术总监' },
    { userid: 'ChenJie', name: '陈姐', department: [4], position: '采购主管' },
    { userid: 'QianZong', name: '钱总', department: [4, 8], position: '采购总监' },
    { userid: 'ZhouShiFu', name: '周师傅', department: [5], position: '生产主管' },
    { userid: 'SunZong', name: '孙总', department: [5, 8], position: '生产总监' },
    { userid: 'ZhengGong', name: '郑工', department: [6], position: '质检主管' },
    { userid: 'WuShiFu', name: '吴师傅', department: [7], position: '仓储物流主管' },
    { userid: 'ZhouZong', name: '周总', department: [8], position: '总经理' },
    { userid: 'FengGong', name: '冯工', department: [3], position: '工艺工程师', mobile: '13900000013' },
    { userid: 'HeJie', name: '何姐', department: [4], position: '采购员', status: 5 },
  ];
  return { departments, members };
}
