#!/usr/bin/env node
// Serves apps/web/dist on 127.0.0.1 (PORT, default 5173). When runs/demo holds a finished demo
// run, its best checkpoint is offered at ./demo-checkpoint.safetensors and the page preloads it.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(process.env.WEB_DIST ?? join(here, "..", "dist"));
const demoRun = resolve(process.env.DEMO_RUN ?? join(here, "..", "..", "..", "runs", "demo"));
const port = Number(process.env.PORT ?? 5173);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".safetensors": "application/octet-stream",
};

if (!existsSync(join(root, "index.html"))) {
  console.error(
    `${root} has no index.html: build the page first (pnpm --filter @celeba/web build).`,
  );
  process.exit(1);
}

/** The demo run's best checkpoint, as its result.json names it. */
function demoCheckpoint() {
  try {
    const result = JSON.parse(readFileSync(join(demoRun, "result.json"), "utf8"));
    const file = result.bestCheckpoint && join(demoRun, result.bestCheckpoint);
    return file && existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  let file =
    path === "/demo-checkpoint.safetensors" ? demoCheckpoint() : normalize(join(root, path));
  if (
    file &&
    !file.startsWith(root + sep) &&
    file !== root &&
    path !== "/demo-checkpoint.safetensors"
  )
    file = undefined;
  if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  if (!file || !existsSync(file)) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": "no-cache",
  });
  createReadStream(file).pipe(res);
});

server.listen(port, "127.0.0.1", () => {
  const { port: actual } = server.address();
  const demo = demoCheckpoint();
  console.log(`web: serving ${root} at http://127.0.0.1:${actual}/`);
  if (demo) console.log(`web: offering ${demo} preloaded`);
  else
    console.log(
      "web: no runs/demo checkpoint (run `pnpm start` to make one); load a checkpoint in the page",
    );
});
