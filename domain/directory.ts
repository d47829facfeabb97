/**
 * The company directory as a chat platform gives it (WeCom 通讯录, DingTalk 通讯录): departments and
 * members with the platform's ids. Names, titles and phones may be missing (see docs/directory-apis.md):
 * the admin fills them in, and a later sync never blanks what the admin wrote.
 */
export type DirectoryPlatform = 'wecom' | 'dingtalk';

export interface DirectoryDepartment {
  id: string;
  /** Missing when the platform gives ids only. */
  name?: string;
  parentId?: string;
}

export interface DirectoryMember {
  /** WeCom userid, DingTalk userid (staff id). */
  userId: string;
  /** Missing (or equal to the userid) when the platform gives ids only. */
  name?: string;
  departmentIds: string[];
  title?: string;
  mobile?: string;
  /** False for members WeCom lists as disabled or left; DingTalk lists only active members. */
  active: boolean;
}

export interface DirectorySnapshot {
  platform: DirectoryPlatform;
  departments: DirectoryDepartment[];
  members: DirectoryMember[];
  /** What the platform withheld, e.g. 'names' when only ids came back; shown to the admin. */
  withheld: Array<'names' | 'mobiles'>;
}

/** Reads one platform's whole visible directory. One per platform adapter; the console and the schedule use it. */
export interface DirectoryReader {
  readonly platform: DirectoryPlatform;
  read(): Promise<DirectorySnapshot>;
}

/** A name that is really an id (what WeCom and DingTalk put in its place when they withhold it) counts as missing. */
export function usableName(name: string | undefined, userId: string): string | undefined {
  const trimmed = name?.trim();
  return trimmed && trimmed !== userId ? trimmed : undefined;
}

/** Merges the members of several departments: a person listed in two departments is one member. */
export function mergeMembers(lists: DirectoryMember[][]): DirectoryMember[] {
  const byId = new Map<string, DirectoryMember>();
  for (const member of lists.flat()) {
    const seen = byId.get(member.userId);
    if (!seen) {
      byId.set(member.userId, { ...member, departmentIds: [...member.departmentIds] });
      continue;
    }
    for (const id of member.departmentIds) if (!seen.departmentIds.includes(id)) seen.departmentIds.push(id);
    seen.name ??= member.name;
    seen.title ??= member.title;
    seen.mobile ??= member.mobile;
  }
  return [...byId.values()];
}
