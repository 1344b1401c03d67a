import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

/** nginx as the load balancer in front of several replicas, on a loopback port. */
export interface TestNginx {
  url: string;
  port: number;
  /** Points the upstream at these ports (a reload: running requests finish on the old workers). */
  setUpstreams(ports: number[]): Promise<void>;
  stop(): Promise<void>;
}

const NGINX = '/usr/sbin/nginx';

/** True when Debian's nginx is installed. */
export function nginxAvailable(): boolean {
  return fs.existsSync(NGINX);
}

/**
 * The configuration docs/self-hosting.md recommends, with temporary paths: round robin over the
 * replicas, request bodies streamed through unbuffered and unbounded (the service bounds them),
 * keep-alive to the upstreams, and the client's address and scheme passed on.
 */
function config(dir: string, port: number, upstreams: number[]): string {
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n');
  return `daemon off;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream airlock {
${servers}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    location / {
      proxy_pass http://airlock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 300s;
    }
  }
}
`;
}

/** Starts nginx in the foreground (its own child process) balancing over `upstreams`. */
export async function startNginx(upstreams: number[]): Promise<TestNginx> {
  if (!nginxAvailable())
    throw new Error(`nginx is not installed at ${NGINX}: apt-get install nginx (.ci/run does).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-nginx-'));
  const port = await freePort();
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, config(dir, port, upstreams));
  const check = spawnSync(NGINX, ['-t', '-c', file, '-p', dir], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx refused its configuration: ${check.stderr}`);
  const child: ChildProcess = spawn(NGINX, ['-c', file, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async setUpstreams(ports) {
      fs.writeFileSync(file, config(dir, port, ports));
      const reload = spawnSync(NGINX, ['-s', 'reload', '-c', file, '-p', dir], { encoding: 'utf8' });
      if (reload.status !== 0) throw new Error(`nginx reload failed: ${reload.stderr}`);
      await new Promise((r) => setTimeout(r, 300));
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
