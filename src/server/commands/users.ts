import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { MemberRole } from '../../api/access.js';
import { addUser, MEMBER_ROLES, type AddedUser } from '../domain/users.js';
import { setUserPassword } from '../domain/passwords.js';
import { openStores } from '../store/open-stores.js';
import type { Io, ServerCommand } from './io.js';
import { UsageError } from './io.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';

const USAGE = `users add --org SLUG --email EMAIL --role ${MEMBER_ROLES.join('|')} [--name NAME] [--json]
       users passwd --org SLUG --email EMAIL [--password-file FILE]   (else the password is read from stdin)`;

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
  if (sub === 'passwd') return runPasswd(rest, io);
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

/** Reads a password: the first line of a file, or of standard input. */
async function readPassword(file: string | undefined, io: Io): Promise<string> {
  const text = file ? fs.readFileSync(file, 'utf8') : await (io.stdin?.() ?? readStdin());
  return text.split(/\r?\n/)[0] ?? '';
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/**
 * `airlock-server users passwd --org O --email E`: sets the user's password for the web
 * interface, from `--password-file` or the first line of standard input (never a flag, which
 * would show in the process list and the shell's history).
 */
async function runPasswd(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...settingOptions(),
      org: { type: 'string' },
      email: { type: 'string' },
      'password-file': { type: 'string' },
    },
    strict: true,
  });
  const { org, email, 'password-file': passwordFile, ...settings } = values;
  if (!org) throw new UsageError('users passwd needs --org SLUG.');
  if (!email) throw new UsageError('users passwd needs --email EMAIL.');
  const config = resolveServerConfig(settings, io.env);
  const password = await readPassword(passwordFile as string | undefined, io);
  const stores = await openStores(config);
  try {
    const user = await setUserPassword(stores.db, org as string, email as string, password);
    io.out(`Set the web password of ${email} in '${org}' (user '${user.slug}').\n`);
  } finally {
    await stores.close();
  }
  return 0;
}

/** The `users` subcommand as the command table lists it. */
export const usersCommand: ServerCommand = {
  name: 'users',
  summary:
    'add|passwd --org SLUG --email EMAIL ...  add a person to an org (prints their key once), or set their web password',
  run: runUsers,
};
