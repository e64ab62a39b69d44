import type { Locale } from './i18n.ts';

/**
 * A chart as data: what the reports attach to a message and the dashboard draws. It is stored
 * in the outbox with the message (JSON, a few hundred bytes), and each adapter draws it at
 * delivery time (chart-svg.ts → SVG; a PNG for the chat platforms). Every label is already in
 * the reader's language; numbers are plain values, null where there is no figure.
 */

export type ChartKind = 'bars' | 'stacked';

export interface ChartSeries {
  readonly name: string;
  /** One value per category; null draws no bar and labels it "—". */
  readonly values: readonly (number | null)[];
}

/** One plot: grouped bars (`bars`) or one stacked bar per category (`stacked`). */
export interface ChartPanel {
  readonly kind: ChartKind;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  /** Written after each value label: '%', ' h'. */
  readonly unit?: string;
  /** A fixed top of the value axis (100 for percentages); otherwise from the data. */
  readonly max?: number;
}

/** A chart image: a title, a subtitle (the period) and one or more panels side by side. */
export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** How numbers are written (decimal comma in Italian); Italian when absent. */
  readonly locale?: Locale;
  readonly panels: readonly ChartPanel[];
}

/** An image attached to a message: one per message, drawn by the adapter from `chart`. */
export interface MessageImage {
  /** File name without extension, e.g. `report-flusso-2024-03-04`. */
  readonly name: string;
  /** The image's text alternative (screen readers, platforms that show it as a caption). */
  readonly alt: string;
  readonly chart: ChartSpec;
}
