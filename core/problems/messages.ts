import { defineMessages } from '../kernel/i18n.ts';
import { kernelEn, kernelIt } from '../kernel/messages.ts';
import { own as tickets } from '../tickets/messages.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/** Messages of the problems feature, with the ground floor's shared words and the tickets' (kinds, statuses). */
export const m = defineMessages({ ...kernelIt, ...tickets.it, ...it }, { ...kernelEn, ...tickets.en, ...en });
export const t = m.t;
/** This feature's own catalogs. */
export const own = { it, en };
