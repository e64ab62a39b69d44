/**
 * Draws a `ChartSpec` as a standalone SVG document, in plain TypeScript (no DOM, no library):
 * the reports need three shapes (grouped bars, stacked bars, a percentage bar), which a few
 * hundred lines draw exactly, where a charting library would load about a megabyte of code
 * into every process. Every string from the spec is escaped; numbers that are not finite are
 * drawn as "no figure". The palette differs in lightness, so the series stay apart when the
 * image is printed or seen in grey scale, and value labels are written on or above every bar.
 */
import type { ChartPanel, ChartSpec } from './chart.ts';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;

/** Dark blue, orange, light blue, grey: four clearly different greys once desaturated. */
const PALETTE = ['#1f4e79', '#e69f00', '#b9d6ea', '#6b6b6b'] as const;
/** Label colour readable on each palette colour. */
const ON_PALETTE = ['#ffffff', '#000000', '#000000', '#ffffff'] as const;
const FONT = "'DejaVu Sans', Verdana, Arial, sans-serif";
const MAX_PANELS = 4;
const MAX_CATEGORIES = 12;
const MAX_SERIES = 4;
const TEXT_MAX = 80;

/** Escapes text for SVG character data and attribute values; drops control characters. */
export function escapeXml(s: string): string {
  return [...s.replace(/\p{Cc}/gu, ' ')]
    .slice(0, TEXT_MAX)
    .join('')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const clean = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : null);
const r1 = (n: number) => Math.round(n * 10) / 10;

/** A round step for about four divisions up to `max`. */
function niceTop(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const whole = Math.max(step, max < 4 ? 1 : step);
  return { top: Math.ceil(max / whole) * whole, step: whole };
}

function text(x: number, y: number, s: string, o: { size?: number; anchor?: string; weight?: string; fill?: string } = {}): string {
  return `<text x="${r1(x)}" y="${r1(y)}" font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? 'start'}"${o.weight ? ` font-weight="${o.weight}"` : ''} fill="${o.fill ?? '#222222'}">${escapeXml(s)}</text>`;
}

function panelSvg(p: ChartPanel, x0: number, width: number, top: number, bottom: number, fmt: (n: number) => string): string {
  const categories = p.categories.slice(0, MAX_CATEGORIES);
  const series = p.series.slice(0, MAX_SERIES).map((s) => ({ name: s.name, values: categories.map((_, i) => clean(s.values[i])) }));
  const unit = p.unit ?? '';
  const out: string[] = [text(x0 + width / 2, top + 16, p.title, { size: 15, anchor: 'middle', weight: 'bold' })];
  // Legend: a swatch and the name of each series, centred under the title.
  const legendY = top + 38;
  const items = series.map((s) => ({ name: escapeXml(s.name), w: 22 + Math.min(s.name.length, TEXT_MAX) * 7 }));
  let lx = x0 + (width - items.reduce((a, i) => a + i.w + 10, 0)) / 2;
  items.forEach((it, i) => {
    out.push(`<rect x="${r1(lx)}" y="${legendY - 10}" width="12" height="12" fill="${PALETTE[i]}" stroke="#333333" stroke-width="0.5"/>`);
    out.push(text(lx + 17, legendY, series[i]?.name ?? '', { size: 12 }));
    lx += it.w + 10;
  });

  const plotTop = top + 62;
  const plotBottom = bottom - 28;
  const plotLeft = x0 + 44;
  const plotRight = x0 + width - 8;
  const plotH = plotBottom - plotTop;
  const sums = categories.map((_, c) => series.reduce((a, s) => a + (s.values[c] ?? 0), 0));
  const highest = p.kind === 'stacked' ? Math.max(0, ...sums) : Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const { top: axisTop, step } = p.max && p.max > 0 ? { top: p.max, step: p.max / 4 } : niceTop(highest);
  const y = (v: number) => plotBottom - (Math.min(v, axisTop) / axisTop) * plotH;

  for (let v = 0; v <= axisTop + 1e-9; v += step) {
    out.push(
      `<line x1="${plotLeft}" y1="${r1(y(v))}" x2="${plotRight}" y2="${r1(y(v))}" stroke="${v === 0 ? '#444444' : '#dddddd'}" stroke-width="1"/>`,
    );
    out.push(text(plotLeft - 6, y(v) + 4, fmt(v), { size: 11, anchor: 'end', fill: '#555555' }));
  }

  const band = (plotRight - plotLeft) / Math.max(1, categories.length);
  categories.forEach((cat, c) => {
    const bx = plotLeft + band * c;
    out.push(text(bx + band / 2, plotBottom + 18, cat, { size: 13, anchor: 'middle' }));
    if (p.kind === 'stacked') {
      const bw = Math.min(band * 0.5, 120);
      const left = bx + (band - bw) / 2;
      let base = 0;
      series.forEach((s, i) => {
        const v = s.values[c] ?? 0;
        if (v <= 0) return;
        const y1 = y(base + v);
        const h = y(base) - y1;
        out.push(
          `<rect x="${r1(left)}" y="${r1(y1)}" width="${r1(bw)}" height="${r1(h)}" fill="${PALETTE[i]}" stroke="#ffffff" stroke-width="1"/>`,
        );
        if (h >= 16) out.push(text(left + bw / 2, y1 + h / 2 + 4, `${fmt(v)}${unit}`, { size: 12, anchor: 'middle', fill: ON_PALETTE[i] }));
        base += v;
      });
      out.push(text(left + bw / 2, y(base) - 6, `${fmt(sums[c] ?? 0)}${unit}`, { size: 13, anchor: 'middle', weight: 'bold' }));
      return;
    }
    const inner = band * 0.75;
    const bw = Math.min(inner / Math.max(1, series.length), 70);
    const left = bx + (band - bw * series.length) / 2;
    series.forEach((s, i) => {
      const v = s.values[c];
      const x = left + bw * i;
      if (v === null || v === undefined) {
        out.push(text(x + bw / 2, plotBottom - 6, '—', { size: 12, anchor: 'middle', fill: '#555555' }));
        return;
      }
      const y1 = y(v);
      out.push(
        `<rect x="${r1(x + 1)}" y="${r1(y1)}" width="${r1(bw - 2)}" height="${r1(plotBottom - y1)}" fill="${PALETTE[i]}" stroke="#333333" stroke-width="0.5"/>`,
      );
      out.push(text(x + bw / 2, y1 - 5, `${fmt(v)}${unit}`, { size: 12, anchor: 'middle' }));
    });
  });
  return out.join('\n');
}

/** The chart as a complete SVG document of `CHART_WIDTH` × `CHART_HEIGHT`. */
export function chartSvg(spec: ChartSpec): string {
  const number = new Intl.NumberFormat((spec.locale ?? 'it') === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 });
  const fmt = (n: number) => number.format(n);
  const panels = spec.panels.slice(0, MAX_PANELS);
  const margin = 16;
  const panelW = (CHART_WIDTH - 2 * margin) / Math.max(1, panels.length);
  const body = panels.map((p, i) => panelSvg(p, margin + panelW * i, panelW, 64, CHART_HEIGHT, fmt));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" font-family="${FONT}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`,
    text(CHART_WIDTH / 2, 28, spec.title, { size: 19, anchor: 'middle', weight: 'bold' }),
    spec.subtitle ? text(CHART_WIDTH / 2, 50, spec.subtitle, { size: 13, anchor: 'middle', fill: '#555555' }) : '',
    ...body,
    '</svg>',
  ].join('\n');
}

/** The SVG as a `data:` URL for an `<img>` (the web chat, the dashboard). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
