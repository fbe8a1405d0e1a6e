/**
 * The texts report.html inlines, read from disk once: uPlot from its package, the page's own script
 * and styles from src/report/assets/ (found from the package root, so the compiled code in dist/
 * reads the same files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HtmlAssets } from './html.js';

const isScalelabRoot = (dir: string): boolean => {
  const pkg = join(dir, 'package.json');
  return existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'scalelab';
};

/** scalelab's own directory, found upward from this file (works from src/ and dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isScalelabRoot(dir)) {
    const up = dirname(dir);
    if (up === dir) throw new Error('scalelab: its package.json was not found above the report module');
    dir = up;
  }
  return dir;
}

let cached: HtmlAssets | undefined;

export function loadHtmlAssets(): HtmlAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const uplotJsPath = require.resolve('uplot/dist/uPlot.iife.min.js');
  const uplotDir = dirname(uplotJsPath);
  const version = (JSON.parse(readFileSync(join(uplotDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const assetsDir = join(packageRoot(), 'src', 'report', 'assets');
  cached = {
    uplotJs: readFileSync(uplotJsPath, 'utf8'),
    uplotCss: readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8'),
    reportJs: readFileSync(join(assetsDir, 'report.js'), 'utf8'),
    reportCss: readFileSync(join(assetsDir, 'report.css'), 'utf8'),
    chartLibrary: `uPlot ${version}`,
  };
  return cached;
}
