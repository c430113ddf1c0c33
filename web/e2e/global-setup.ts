/** Starts a real `sealtrail up` on a temporary data directory and a moto server for the e2e tests. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export interface ServerInfo {
  baseUrl: string;
  dataDir: string;
  adminEmail: string;
  adminPassword: string;
  apiKey: string;
  motoUrl: string;
  python: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    server: ServerInfo;
  }
}

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const BIN = join(ROOT, ".venv", "bin");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Resolves with the process's stdout once `done(stdout)` says it has what is needed. */
function waitForOutput(child: ChildProcess, done: (out: string) => boolean, what: string): Promise<string> {
  return new Promise((ok, fail) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error(`${what} did not start in time:\n${out}\n${err}`)), 90_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (done(out)) {
        clearTimeout(timer);
        ok(out);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited with ${code}:\n${out}\n${err}`));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} never became ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  const release = () => {
    child?.stdout?.destroy();
    child?.stderr?.destroy();
  };
  if (!child || child.exitCode !== null) {
    release();
    return Promise.resolve();
  }
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      release();
      done();
    });
    child.kill("SIGTERM");
  });
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), "sealtrail-e2e-"));
  const [port, motoPort] = [await freePort(), await freePort()];
  const moto = spawn(join(BIN, "moto_server"), ["-H", "127.0.0.1", "-p", String(motoPort)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = spawn(
    join(BIN, "sealtrail"),
    ["up", "--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        COLUMNS: "250",
        NO_COLOR: "1",
        SEALTRAIL_CHECKPOINT_INTERVAL: "1",
        SEALTRAIL_LOG_LEVEL: "warning",
        // The scans run against moto on loopback, which only an allowlist lets through.
        SEALTRAIL_ENDPOINT_ALLOWLIST: "127.0.0.1",
        SEALTRAIL_WEB_DIR: join(ROOT, "web", "dist"),
      },
    },
  );
  try {
    const out = await waitForOutput(server, (o) => /Admin password: \S+/.test(o) && /Admin API key: \S+/.test(o), "sealtrail up");
    const field = (label: string) => new RegExp(`${label}: (\\S+)`).exec(out)![1];
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitReady(`${baseUrl}/readyz`);
    await waitReady(`http://127.0.0.1:${motoPort}/moto-api/`);
    project.provide("server", {
      baseUrl,
      dataDir,
      adminEmail: field("Admin email"),
      adminPassword: field("Admin password"),
      apiKey: field("Admin API key"),
      motoUrl: `http://127.0.0.1:${motoPort}`,
      python: join(BIN, "python"),
    });
  } catch (error) {
    await Promise.all([stop(server), stop(moto)]);
    throw error;
  }
  return async () => {
    await Promise.all([stop(server), stop(moto)]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
