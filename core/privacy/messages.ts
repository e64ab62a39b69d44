import { defineMessages } from '../kernel/i18n.ts';
import { kernelEn, kernelIt } from '../kernel/messages.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/** Messages of the privacy feature, with the ground floor's shared words. */
export const m = defineMessages({ ...kernelIt, ...it }, { ...kernelEn, ...en });
export const t = m.t;
/** This feature's own catalogs. */
export const own = { it, en };
