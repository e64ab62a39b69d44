#!/usr/bin/env node
// Package bin: `sportello …` (and `npm run sportello -- …`). Runs the CLI bundled by esbuild
// (dist/cli.mjs, from app/cli.ts) in this same process: no TypeScript loader at run time.
// The bundle is built first when it is missing or older than its sources (a stat() per source
// file; see scripts/build.mjs), so a fresh clone or an edited file just works.
import { pathToFileURL } from 'node:url';
import { bundlePath, ensureBuilt } from '../scripts/build.mjs';

try {
  await ensureBuilt(['cli']);
} catch (err) {
  // esbuild has printed what is wrong with the sources.
  process.stderr.write(`sportello: cannot build ${bundlePath('cli')}${err?.errors ? '' : `: ${err?.message ?? err}`}\n`);
  process.exit(1);
}
await import(pathToFileURL(bundlePath('cli')).href);
