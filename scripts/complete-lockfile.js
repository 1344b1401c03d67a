// Records in package-lock.json the platform-specific optional packages npm left out.
//
// Packages such as unrs-resolver list one optional binding per platform. When the registry a
// machine uses carries only some of them, `npm install` leaves the others out of the lock file,
// and `npm ci` then refuses the lock as out of sync. This adds each missing binding with the
// os/cpu/libc its name states, so `npm ci` accepts the lock and skips the ones not for its
// platform. Run it after `npm install` changes the lock file.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const file = path.join(root, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openharmony',
  'win32',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'];

/** Reads os, cpu and libc out of a binding's name, e.g. `…-linux-arm64-musl`; null when it cannot. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p)) ?? (parts.includes('arm') ? 'arm' : undefined);
  if (!os || !cpu) return null;
  const libc = os === 'linux' ? (parts.some((p) => p.startsWith('musl')) ? 'musl' : 'glibc') : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `${key ? key + '/' : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (packages[where] || packages[top]) continue;
    const platform = platformOf(name);
    if (!platform) continue;
    packages[top] = {
      version,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: recorded ${added} missing platform-specific optional package(s).`);
