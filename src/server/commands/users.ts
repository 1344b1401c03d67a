import { parseArgs } from 'node:util';
import type { MemberRole } from '../../api/access.js';
import { addUser, MEMBER_ROLES, type AddedUser } from '../domain/users.js';
import { openStores } from '../store/open-stores.js';
import type { Io, ServerCommand } from './io.js';
import { UsageError } from './io.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';

const USAGE = `users add --org SLUG --email EMAIL --role ${MEMBER_ROLES.join('|')} [--name NAME] [--json]`;

function parseRole(value: string | undefined): MemberRole {
  if (value === undefined) throw new UsageError(`users add needs --role (${MEMBER_ROLES.join(', ')}).`);
  const role = MEMBER_ROLES.find((r) => r.toLowerCase() === value.toLowerCase());
  if (!role) throw new UsageError(`Invalid --role '${value}': expected one of ${MEMBER_ROLES.join(', ')}.`);
  return role;
}

function report(user: AddedUser, json: boolean, io: Io): void {
  if (json) {
    io.out(JSON.stringify(user) + '\n');
    return;
  }
  io.out(`Added ${user.email} to '${user.org}' as ${user.role} (user '${user.slug}').\n`);
  io.out(`API key (shown once, keep it secret): ${user.api_key}\n`);
}

/** `airlock-server users add …` (and every storage setting): adds a person to an org and prints their key once. */
export async function runUsers(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError(`Unknown users command '${sub ?? ''}': ${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...settingOptions(),
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const config = resolveServerConfig(values, io.env);
  if (!values.org) throw new UsageError('users add needs --org SLUG.');
  if (!values.email) throw new UsageError('users add needs --email EMAIL.');
  const role = parseRole(values.role);
  const stores = await openStores(config);
  try {
    const user = await addUser(
      stores.db,
      stores.secret,
      { org: values.org, email: values.email, role, ...(values.name ? { name: values.name } : {}) },
      new Date(),
      { principal: null, ip: null, system: 'airlock-server users add' },
    );
    report(user, values.json ?? false, io);
  } finally {
    await stores.close();
  }
  return 0;
}

/** The `users` subcommand as the command table lists it. */
export const usersCommand: ServerCommand = {
  name: 'users',
  summary: `${USAGE.slice('users '.length)}  add a person to an org (prints their key once)`,
  run: runUsers,
};
