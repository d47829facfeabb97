import type { Logger } from 'pino';
import {
  type DirectoryDepartment,
  type DirectoryMember,
  type DirectoryReader,
  type DirectorySnapshot,
  mergeMembers,
  usableName,
} from '../../domain/directory';
import type { WecomApi } from './api-client';
import { WecomError } from './http-json';

/** "不再允许通讯录同步助手从新增IP读取通讯录详情": only ids can be read (docs/directory-apis.md). */
const IDS_ONLY = 48009;
/** Calls in flight at once: far inside WeCom's per-API limits, and a 50-department sync takes a second or two. */
const PARALLEL = 4;

interface SimpleDepartment {
  id: number;
  parentid: number;
}

interface ListedMember {
  userid: string;
  name?: string;
  department?: number[];
  position?: string;
  mobile?: string;
  status?: number;
}

/**
 * Reads WeCom's 通讯录 within the app's visible range: department/simplelist for the tree,
 * department/get for names, user/list per department for members. When WeCom gives ids only
 * (48009), departments and members come back without names and the admin fills them in.
 */
export class WecomDirectoryReader implements DirectoryReader {
  readonly platform = 'wecom' as const;

  constructor(
    private readonly api: WecomApi,
    private readonly log: Logger,
  ) {}

  async read(): Promise<DirectorySnapshot> {
    const tree = ((await this.api.get('department/simplelist')).department_id ?? []) as SimpleDepartment[];
    try {
      const departments = await inBatches(tree, (d) => this.department(d));
      const lists = await inBatches(tree, (d) => this.membersOf(d.id));
      const members = mergeMembers(lists);
      return {
        platform: 'wecom',
        departments,
        members,
        withheld: [
          ...(members.some((m) => m.name) ? [] : (['names'] as const)),
          ...(members.some((m) => m.mobile) ? [] : (['mobiles'] as const)),
        ],
      };
    } catch (err) {
      if (!(err instanceof WecomError) || err.errcode !== IDS_ONLY) throw err;
      this.log.warn({ errcode: err.errcode }, 'WeCom gives this secret ids only; names must be filled in by the admin');
      return this.idsOnly(tree);
    }
  }

  private async department(d: SimpleDepartment): Promise<DirectoryDepartment> {
    const reply = await this.api.get('department/get', { id: String(d.id) });
    const name = (reply.department as { name?: string } | undefined)?.name;
    return { id: String(d.id), ...(name ? { name } : {}), ...parentOf(d) };
  }

  private async membersOf(departmentId: number): Promise<DirectoryMember[]> {
    const reply = await this.api.get('user/list', { department_id: String(departmentId) });
    return ((reply.userlist ?? []) as ListedMember[]).map((m) => {
      const name = usableName(m.name, m.userid);
      return {
        userId: m.userid,
        ...(name ? { name } : {}),
        departmentIds: (m.department ?? [departmentId]).map(String),
        ...(m.position ? { title: m.position } : {}),
        ...(m.mobile ? { mobile: m.mobile } : {}),
        active: m.status === undefined || m.status === 1,
      };
    });
  }

  /** user/list_id pages through every member × department; departments keep their place in the tree. */
  private async idsOnly(tree: SimpleDepartment[]): Promise<DirectorySnapshot> {
    const rows: Array<{ userid: string; department: number }> = [];
    let cursor = '';
    do {
      const reply = await this.api.call('user/list_id', { ...(cursor ? { cursor } : {}), limit: 10_000 });
      rows.push(...((reply.dept_user ?? []) as typeof rows));
      cursor = String(reply.next_cursor ?? '');
    } while (cursor);
    const members = mergeMembers(
      rows.map((r) => [{ userId: r.userid, departmentIds: [String(r.department)], active: true }]),
    );
    return {
      platform: 'wecom',
      departments: tree.map((d) => ({ id: String(d.id), ...parentOf(d) })),
      members,
      withheld: ['names', 'mobiles'],
    };
  }
}

function parentOf(d: SimpleDepartment): { parentId?: string } {
  return d.parentid ? { parentId: String(d.parentid) } : {};
}

async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) {
    results.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(work))));
  }
  return results;
}
