/**
 * A chart as a PNG, for the chat platforms (they show PNG inline, not SVG) and the CLI. The SVG
 * comes from core/kernel/chart-svg.ts; @resvg/resvg-js rasterises it (Rust resvg through a
 * prebuilt napi binary: no browser, no canvas, no install script). resvg draws text only with
 * fonts it can load: the system fonts, and DejaVu Sans named first (CI installs
 * `fonts-dejavu-core`); without any font the bars and axes are still drawn, the labels not.
 */
import { existsSync } from 'node:fs';
import type { ChartSpec } from '../../core/kernel/chart.ts';
import { CHART_WIDTH, chartSvg } from '../../core/kernel/chart-svg.ts';

/** The PNG is drawn at 1.5× the SVG's size (1200 × 600), sharp on high-density screens. */
export const PNG_SCALE = 1.5;

const DEJAVU = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
];

let fontFiles: string[] | undefined;
/** Loaded at the first chart: a process that never draws one never loads the native module. */
let resvgModule: Promise<typeof import('@resvg/resvg-js')> | undefined;

/** The PNG bytes of an SVG document. */
export async function svgToPng(svg: string): Promise<Buffer> {
  fontFiles ??= DEJAVU.filter((f) => existsSync(f));
  resvgModule ??= import('@resvg/resvg-js');
  const { Resvg } = await resvgModule;
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: Math.round(CHART_WIDTH * PNG_SCALE) },
    font: { loadSystemFonts: true, fontFiles, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}

/** The PNG bytes of a chart. */
export function chartPng(spec: ChartSpec): Promise<Buffer> {
  return svgToPng(chartSvg(spec));
}

/** The file name of a message image: the name made safe, `.png` added. */
export function pngFileName(name: string): string {
  return `${name.replace(/[^\w.-]+/g, '-').slice(0, 80) || 'chart'}.png`;
}
